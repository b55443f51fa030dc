"""A module imported on first use: keeps pandas (and the pyarrow it loads) out of processes that
never read an edge table or score an embedding (the trainer, a walk or training worker).

``import graphemb`` costs the interpreter, numpy, numba and scipy (about 150 MB resident);
pandas with pyarrow adds about 100 MB more, which a training process on walk shards, or each
Dask worker, would otherwise carry for nothing (docs/scale.md, the memory plan's baseline).
"""

from __future__ import annotations

import importlib
import types
from typing import Any

__all__ = ["LazyModule"]


class LazyModule(types.ModuleType):
    """Stands for the module ``name``; the first attribute access imports it.

    ``pd = LazyModule("pandas")`` at the top of a module, then ``pd.DataFrame(...)`` in its
    functions.  Annotations are not evaluated (``from __future__ import annotations``), so only
    calls and ``isinstance`` checks import the module, once.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_module"] = None

    def __getattr__(self, attr: str) -> Any:
        module = self.__dict__["_module"]
        if module is None:
            module = importlib.import_module(self.__name__)
            self.__dict__["_module"] = module
        return getattr(module, attr)

    def __dir__(self) -> list[str]:
        return dir(importlib.import_module(self.__name__))
