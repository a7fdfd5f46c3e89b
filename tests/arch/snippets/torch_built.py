"""The torch side of the snippet reader's oracle tests: a test-owned snippet executed by torch, and the check
that the analysis of the parsed description has its parameter count and output shape."""
import torch

from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet


def built(snippet: str):
    """The oracle side only: the test's own snippet executed by torch."""
    namespace: dict = {"__name__": "snippet"}
    exec(compile(snippet, "<snippet>", "exec"), namespace)      # noqa: S102 — test-owned text, never user input
    return namespace["model"]


def assert_matches_torch(snippet: str, shape: tuple) -> None:
    analysis = analyze(parse_snippet(snippet, input_shape=shape))
    model = built(snippet).double().eval()
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        y = model(torch.randn(2, *shape, dtype=torch.float64))
    y = y[0] if isinstance(y, tuple) else y             # a model returning (output, …): its first tensor
    assert tuple(y.shape[1:]) == tuple(analysis.layers[-1].shape)
