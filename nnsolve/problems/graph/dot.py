"""The computation graph as Graphviz DOT source: kept importable here; the builders for every kind of
graph live together in `nnsolve.render.picture`."""
from __future__ import annotations

from ...render.picture import computation_graph_dot as to_dot

__all__ = ["to_dot"]
