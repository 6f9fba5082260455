"""papermill parameter translator for TypeScript notebooks run on the tsgrad kernel.

Importing papermill is enough to register it (papermill loads its ``papermill.engine`` entry
points on import and ours registers the translator as a side effect). ``register()`` does it
explicitly for code that builds its own papermill_translators lookups.

This module imports nothing from papermill at import time: papermill imports us while it is
itself half-imported, so a top-level ``import papermill`` here would be circular.
"""

from .translator import TypeScriptTranslator

KERNEL_NAMES = ("tsgrad",)
LANGUAGES = ("typescript",)

__all__ = ["TypeScriptTranslator", "register", "KERNEL_NAMES", "LANGUAGES"]


def register(translators=None):
    """Register TypeScriptTranslator for kernel "tsgrad" and language "typescript"."""
    if translators is None:
        from papermill.translators import papermill_translators as translators
    for key in KERNEL_NAMES + LANGUAGES:
        translators.register(key, TypeScriptTranslator)
    return translators
