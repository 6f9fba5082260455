"""Execute a notebook with nbclient (what nbconvert --execute, JupyterLab's headless runners and
papermill build on) and save the result: run_nbclient.py IN OUT [--allow-errors].
Exit 0 when every cell ran; 1 with the CellExecutionError text on stderr when one failed (the
partly executed notebook is still written to OUT)."""

import sys

import nbclient
import nbformat


def main(argv):
    src, dst = argv[1], argv[2]
    nb = nbformat.read(src, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name=nb.metadata.kernelspec.name,
        allow_errors="--allow-errors" in argv, resources={"metadata": {"path": "."}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as err:
        nbformat.write(nb, dst)
        print(str(err), file=sys.stderr)
        return 1
    nbformat.validate(nb)
    nbformat.write(nb, dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
