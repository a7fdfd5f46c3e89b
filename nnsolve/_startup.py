"""Start-up tuning for the `nnsolve` command, applied by `cli.main` only (never when nnsolve is imported
as a library).

A command is a short process whose time goes mostly into importing numpy, pydantic, mpmath and typer.
Three things such a process does not need are switched off (figures on a 2-core machine, demo ≈ 0.3 s):
- cyclic garbage collection while ~100k objects of module code are created (~14 ms): the solver builds
  no reference cycles, and whatever else is left over is freed when the process ends;
- pydantic's plugin discovery, which imports importlib.metadata and reads the entry points of every
  installed distribution (~24 ms): the command uses no pydantic plugins;
- the interpreter's teardown of every module at exit (~35 ms): the output is flushed and the command
  holds nothing else (the file of `-o` is closed before the command returns; no atexit work). Tools
  that hook the interpreter's exit, such as coverage of a subprocess, should call `nnsolve.cli.app()`
  instead of the `nnsolve` script.
"""
from __future__ import annotations

import gc
import importlib
import os
import sys
import types
from typing import NoReturn

_PLUGIN_LOADER = "pydantic.plugin._loader"


class _NoPlugins(types.ModuleType):
    """Stands in for pydantic's plugin loader: no plugins. Any other name pydantic may ask of it loads
    the real loader, so a future pydantic that needs more still works."""

    @staticmethod
    def get_plugins():
        return ()

    def __getattr__(self, name: str):
        if name.startswith("__"):     # the import system asks for __path__ and the like
            raise AttributeError(name)
        sys.modules.pop(_PLUGIN_LOADER, None)
        return getattr(importlib.import_module(_PLUGIN_LOADER), name)


def end_process(code) -> NoReturn:
    """Exit with `sys.exit`'s meaning of `code` (None → 0, an int, or a message → 1), skipping teardown."""
    if code is None or isinstance(code, int):
        status = code or 0
    else:
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):    # a closed pipe (`nnsolve solve f | head`): nothing left to say
            pass
    os._exit(status)


def tune_for_a_short_process() -> None:
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")   # the documented switch, should the real loader load
    if _PLUGIN_LOADER not in sys.modules:
        sys.modules[_PLUGIN_LOADER] = _NoPlugins(_PLUGIN_LOADER)
