"""The ``papermill.engine`` entry point ("tsgrad"). papermill loads it on import, which is how the
TypeScript translator gets registered without any flag. The engine itself is papermill's default
NBClientEngine under another name, so ``--engine tsgrad`` is never required (but works).

papermill.engines is still being imported when this runs; NBClientEngine is already defined by
then (the entry points load at the end of that module), so the import below is safe. Do not
import this module directly before papermill: import ``tsgrad_papermill`` instead.
"""

from papermill.engines import NBClientEngine
from papermill.translators import papermill_translators

from . import register

register(papermill_translators)


class TsgradEngine(NBClientEngine):
    """papermill's nbclient engine; exists so the entry point has something to name."""
