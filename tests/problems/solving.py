"""Solving a problem written in a test as YAML text, as a user's file is read (path, loader, solver)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from nnsolve import api


def solve_text(text: str, tmp_path: Path):
    path = tmp_path / "problem.yaml"
    path.write_text(textwrap.dedent(text))
    return api.solve(api.load(path))
