"""Unit tests for python/tsgrad_papermill: registration through papermill's own import, the
TypeScript literals codify() writes, and inspect() on parameters cells. No kernel needed.
Run: .venv/bin/python -m unittest -v test_translator (from this folder)."""

import math
import unittest

import nbformat


def translator():
    # A fresh interpreter runs this file, so this import is what registers the translator:
    # nothing from tsgrad_papermill is imported by hand.
    from papermill.translators import papermill_translators

    return papermill_translators


class Registration(unittest.TestCase):
    def test_importing_papermill_registers_kernel_and_language(self):
        t = translator()
        self.assertEqual(t.find_translator("tsgrad", "anything").__name__, "TypeScriptTranslator")
        self.assertEqual(t.find_translator("tslab", "typescript").__name__, "TypeScriptTranslator")

    def test_engine_entry_point_is_listed(self):
        from papermill.engines import papermill_engines

        self.assertIn("tsgrad", papermill_engines._engines)


class Codify(unittest.TestCase):
    def setUp(self):
        self.T = translator().find_translator("tsgrad", "typescript")
        self.T._declared_types = {}

    def test_each_json_type_becomes_a_typescript_literal(self):
        code = self.T.codify({
            "lr": 0.01, "epochs": 3, "name": 'say "hi"\n', "fast": True, "slow": False,
            "none": None, "sizes": [64, 32], "cfg": {"a": [1.5, None], "b": {"c": "d"}},
        })
        self.assertEqual(code, "\n".join([
            "// Parameters",
            "let lr = 0.01;",
            "let epochs = 3;",
            'let name = "say \\"hi\\"\\n";',
            "let fast = true;",
            "let slow = false;",
            "let none = null;",
            "let sizes = [64, 32];",
            'let cfg = {"a": [1.5, null], "b": {"c": "d"}};',
        ]) + "\n")

    def test_floats_keep_full_precision_and_special_values(self):
        self.assertEqual(self.T.translate(1e-5), "1e-05")
        self.assertEqual(self.T.translate(0.1 + 0.2), "0.30000000000000004")
        self.assertEqual(self.T.translate(float("nan")), "NaN")
        self.assertEqual(self.T.translate(math.inf), "Infinity")
        self.assertEqual(self.T.translate(-math.inf), "-Infinity")

    def test_strings_are_json_escaped(self):
        self.assertEqual(self.T.translate("a\\b\t\u2028`${x}`"), '"a\\\\b\\t\\u2028`${x}`"')

    def test_custom_comment(self):
        self.assertTrue(self.T.codify({"a": 1}, comment="Injected").startswith("// Injected\n"))

    def test_declared_types_from_the_parameters_cell_are_kept_once(self):
        cell = nbformat.v4.new_code_cell('let device: "cpu" | "webgpu" = "cpu";\nlet lr = 0.1;')
        self.T.inspect(cell)
        self.assertEqual(self.T.codify({"device": "webgpu", "lr": 0.5}),
                         '// Parameters\nlet device: "cpu" | "webgpu" = "webgpu";\nlet lr = 0.5;\n')
        self.assertEqual(self.T.codify({"device": "webgpu"}), '// Parameters\nlet device = "webgpu";\n')


class Inspect(unittest.TestCase):
    def inspect(self, source):
        T = translator().find_translator("tsgrad", "typescript")
        return [tuple(p) for p in T.inspect(nbformat.v4.new_code_cell(source))]

    def test_names_types_defaults_and_help(self):
        self.assertEqual(self.inspect(
            "// hyper-parameters\n"
            "let lr = 0.01; // learning rate\n"
            "const epochs: number = 3;\n"
            'export let device: "cpu" | "webgpu" = "cpu"  // where to train\n'
            "var verbose = false;\n"
            'let tag = "run-1", seed = 42; // both\n'
        ), [
            ("lr", "number", "0.01", "learning rate"),
            ("epochs", "number", "3", ""),
            ("device", '"cpu" | "webgpu"', '"cpu"', "where to train"),
            ("verbose", "boolean", "false", ""),
            ("tag", "string", '"run-1"', ""),
            ("seed", "number", "42", "both"),
        ])

    def test_values_over_several_lines_and_function_types(self):
        self.assertEqual(self.inspect(
            "let sizes = [\n  64,\n  32,\n];\n"
            "let cfg: Record<string, number> = { a: 1, b: 2 }; // config\n"
            "let act: (x: number) => number = (x) => Math.max(0, x);\n"
            "let s = `a;b`;\n"
            "let n = null;\n"
            "let later: string;\n"
        ), [
            ("sizes", "number[]", "[\n  64,\n  32,\n]", ""),
            ("cfg", "Record<string, number>", "{ a: 1, b: 2 }", "config"),
            ("act", "(x: number) => number", "(x) => Math.max(0, x)", ""),
            ("s", "string", "`a;b`", ""),
            ("n", "null", "null", ""),
            ("later", "string", "", ""),
        ])

    def test_code_that_is_not_a_declaration_is_ignored(self):
        self.assertEqual(self.inspect("console.log(1);\nfor (let i = 0; i < 3; i++) {}\n"), [])

    def test_unknown_expression_types_read_none(self):
        self.assertEqual(self.inspect("let t = Date.now();"), [("t", "None", "Date.now()", "")])


if __name__ == "__main__":
    unittest.main()
