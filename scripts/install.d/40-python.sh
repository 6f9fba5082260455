#!/usr/bin/env bash
# The Python side: .venv in the repository root with the pinned Jupyter tools (JupyterLab 4,
# Notebook 7, jupyter_client/server, nbclient, nbconvert, papermill, jupyter_kernel_test), the
# peers the interop tests and the kernel bench run against (ipykernel, numpy, safetensors), our
# papermill translator (python/), and the "tsgrad" kernelspec, installed twice: into the venv
# (what .venv/bin/jupyter finds first) and for the user (~/.local/share/jupyter/kernels), so a
# Jupyter installed elsewhere finds it too. Safe to run twice: the venv is reused and pip skips
# what is already installed. Needs 20-npm.sh first (the kernelspec points at dist/kernel/main.js).
set -euo pipefail
ROOT="$(pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

if ! "$VENV/bin/python" -c "import sys; assert sys.version_info >= (3, 9)" 2>/dev/null; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input)
"${PIP[@]}" install -q -r python/requirements.txt -c python/constraints.txt
# Editable, so `npm test` always sees python/ as it is in the tree. --no-build-isolation builds
# it with the pinned setuptools above instead of fetching the newest one.
"${PIP[@]}" install -q --no-deps --no-build-isolation -e python

# The kernelspec, through the kernel's own installer. --prefix writes <prefix>/share/jupyter/
# kernels/tsgrad, which is where `jupyter kernelspec list` looks for sys.prefix kernels.
node dist/kernel/main.js install --prefix "$VENV"
node dist/kernel/main.js install --user
"$VENV/bin/jupyter" kernelspec list
# papermill must see the translator with no flags (it loads our papermill.engine entry point).
"$VENV/bin/python" -c "from papermill.translators import papermill_translators as t; \
assert t.find_translator('tsgrad', 'typescript').__name__ == 'TypeScriptTranslator'"
