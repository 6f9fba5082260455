"""TypeScriptTranslator: papermill parameters -> TypeScript declarations, and back.

codify() turns ``{"lr": 0.01, "device": "webgpu"}`` into

    // Parameters
    let lr = 0.01;
    let device = "webgpu";

which the tsgrad kernel runs as a cell after the notebook's ``parameters`` cell; the kernel lets a
later cell declare a name again, so these replace the defaults. When the parameters cell gave a
name an explicit type (``let device: "cpu" | "webgpu" = "cpu";``) the injected declaration keeps
it (``let device: "cpu" | "webgpu" = "webgpu";``): without it the name would widen to ``string``
and later cells that rely on the narrow type would stop type checking, and with it a bad value
is reported by the type checker in the injected cell.

inspect() lists the parameters cell's declarations for ``papermill --help-notebook``:
``let|const|var name[: type] = value; // help``, one or more declarators per statement, values
over several lines when brackets or template strings are open.

Nothing here imports papermill at module level (see __init__.py for why).
"""

import json
import math
import re

_DECL = re.compile(r"(?m)^[ \t]*(?:export[ \t]+)?(?:let|const|var)\b")
_NAME = re.compile(r"\s*([A-Za-z_$][\w$]*)")
_NUMBER = re.compile(r"^[+-]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?$|^[+-]?0[xXoObB][\da-fA-F_]+$")
_OPEN, _CLOSE = "([{", ")]}"


def _source(cell):
    src = cell.get("source", "") if hasattr(cell, "get") else cell
    return "".join(src) if isinstance(src, list) else str(src)


def _skip_string(src, i):
    """Index just past the string literal that starts at src[i] (quote or backtick)."""
    quote, i, n = src[i], i + 1, len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        if quote == "`" and src.startswith("${", i):
            i = _scan(src, i + 2, "}", in_type=False)[1] + 1
            continue
        if c == "\n" and quote != "`":
            return i
        i += 1
    return n


def _scan(src, i, stops, in_type):
    """Scan from i to the first character in `stops` at bracket depth 0, skipping strings and
    comments. Returns (text, index of the stop or len(src), the stop found or "" at the end).
    A `//` comment at depth 0 stops too (returned as "//"). In a type, `<...>` nests and the
    `=` of `=>` is not a stop."""
    start, n, depth = i, len(src), 0
    while i < n:
        c = src[i]
        if c in "\"'`":
            i = _skip_string(src, i)
            continue
        if src.startswith("//", i):
            if depth == 0:
                return src[start:i], i, "//"
            i = src.find("\n", i)
            i = n if i < 0 else i
            continue
        if src.startswith("/*", i):
            end = src.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if in_type and src.startswith("=>", i):
            i += 2
            continue
        if c in _OPEN or (in_type and c == "<"):
            depth += 1
        elif c in _CLOSE or (in_type and c == ">"):
            depth = max(0, depth - 1)
        elif depth == 0 and c in stops:
            return src[start:i], i, c
        i += 1
    return src[start:], n, ""


def _line_comment(src, i):
    """The `// comment` that follows position i on the same line, or ""."""
    end = src.find("\n", i)
    rest = src[i:] if end < 0 else src[i:end]
    m = re.match(r"\s*//\s?(.*)$", rest)
    return m.group(1).strip() if m else ""


def _infer_type(value):
    v = value.strip()
    if not v:
        return "None"
    if v in ("true", "false"):
        return "boolean"
    if v == "null":
        return "null"
    if v == "undefined":
        return "undefined"
    if _NUMBER.match(v) or v in ("NaN", "Infinity", "-Infinity"):
        return "number"
    if v[0] in "\"'" or (v[0] == "`" and "${" not in v):
        return "string"
    if v.endswith("n") and _NUMBER.match(v[:-1]):
        return "bigint"
    if v[0] == "[":
        items = {_infer_type(x) for x in _split_top(v[1:-1])} - {"None"} if v.endswith("]") else set()
        return f"{items.pop()}[]" if len(items) == 1 else "unknown[]"
    if v[0] == "{":
        return "object"
    return "None"


def _split_top(text):
    """Split on commas at bracket depth 0 (array literal items)."""
    parts, i = [], 0
    while i <= len(text):
        part, i, stop = _scan(text, i, ",", in_type=False)
        if part.strip():
            parts.append(part)
        if stop != ",":
            break
        i += 1
    return parts


def parse_declarations(source):
    """[(name, type annotation or None, default text, help)] for each declarator in `source`."""
    out = []
    for m in _DECL.finditer(source):
        i = m.end()
        statement = []
        while True:
            name = _NAME.match(source, i)
            if not name:
                break
            i = name.end()
            annotation = None
            rest = source[i:].lstrip(" \t")
            i = len(source) - len(rest)
            if rest.startswith(":"):
                text, i, stop = _scan(source, i + 1, "=;,\n", in_type=True)
                annotation = " ".join(text.split()) or None
            else:
                stop = "=" if rest.startswith("=") else ""
            value = ""
            if stop == "=":
                text, i, stop = _scan(source, i + 1, ";,\n", in_type=False)
                value = text.strip()
            statement.append([name.group(1), annotation, value, ""])
            if stop != ",":
                break
            i += 1
        if statement:
            help_at = i + 1 if stop == ";" else i
            statement[-1][3] = _line_comment(source, help_at) if stop in (";", "//", "\n", "") else ""
        out.extend(tuple(d) for d in statement)
    return out


class TypeScriptTranslator:
    """papermill translator for language "typescript" and kernel "tsgrad" (same interface as
    papermill.translators.Translator, whose subclasses papermill calls only through classmethods)."""

    # Annotations seen by the last inspect(): papermill's execute_notebook inspects the
    # parameters cell right before it codifies the injected one, so codify can keep the types.
    # Consumed (cleared) by codify so a later notebook never inherits them.
    _declared_types = {}

    @classmethod
    def translate_none(cls, val):
        return "null"

    @classmethod
    def translate_str(cls, val):
        return json.dumps(val)

    @classmethod
    def translate_bool(cls, val):
        return "true" if val else "false"

    @classmethod
    def translate_int(cls, val):
        return str(val)

    @classmethod
    def translate_float(cls, val):
        if math.isnan(val):
            return "NaN"
        if math.isinf(val):
            return "Infinity" if val > 0 else "-Infinity"
        return repr(val)

    @classmethod
    def translate_dict(cls, val):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {cls.translate(v)}" for k, v in val.items()) + "}"

    @classmethod
    def translate_list(cls, val):
        return "[" + ", ".join(cls.translate(v) for v in val) + "]"

    @classmethod
    def translate(cls, val):
        if val is None:
            return cls.translate_none(val)
        if isinstance(val, str):
            return cls.translate_str(val)
        if isinstance(val, bool):  # before int: bool is an int in Python
            return cls.translate_bool(val)
        if isinstance(val, int):
            return cls.translate_int(val)
        if isinstance(val, float):
            return cls.translate_float(val)
        if isinstance(val, dict):
            return cls.translate_dict(val)
        if isinstance(val, (list, tuple)):
            return cls.translate_list(val)
        return cls.translate_str(str(val))  # dates from YAML and the like

    @classmethod
    def comment(cls, cmt_str):
        return f"// {cmt_str}".strip()

    @classmethod
    def assign(cls, name, str_val, annotation=None):
        return f"let {name}: {annotation} = {str_val};" if annotation else f"let {name} = {str_val};"

    @classmethod
    def codify(cls, parameters, comment="Parameters"):
        types, cls._declared_types = cls._declared_types, {}
        lines = [cls.comment(comment)]
        lines += [cls.assign(name, cls.translate(val), types.get(name)) for name, val in parameters.items()]
        return "\n".join(lines) + "\n"

    @classmethod
    def inspect(cls, parameters_cell):
        from papermill.models import Parameter

        try:
            decls = parse_declarations(_source(parameters_cell))
        except Exception:  # papermill: "it should ignore inspection errors"
            return []
        cls._declared_types = {name: ann for name, ann, _, _ in decls if ann}
        return [
            Parameter(name=name, inferred_type_name=ann or _infer_type(value), default=value, help=help)
            for name, ann, value, help in decls
        ]
