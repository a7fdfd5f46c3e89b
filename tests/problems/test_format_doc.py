"""docs/problem-format.md stays true: every complete problem in it solves, and the numbers the text
states are checked independently (by hand for the rational ones, by PyTorch for the optimizer)."""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

import nnsolve

DOC = Path(__file__).resolve().parents[2] / "docs" / "problem-format.md"
BLOCK = re.compile(r"```(yaml|json)\n(.*?)```", re.S)


def problems() -> dict[str, str]:
    """Every fenced problem in the document, by title."""
    found = {}
    for kind, body in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        if re.search(r'^\s*"?problem"?\s*:', body, re.M):
            title = re.search(r'"?title"?\s*:\s*"([^"]+)"', body).group(1)
            found[f"{title} ({kind})"] = body
    return found


def test_the_document_has_the_promised_examples():
    titles = set(problems())
    assert {"One sample through a 2-2-1 network (yaml)", "One sample through a 2-2-1 network (json)",
            "A batch of three samples: ReLU, MSE and an L2 penalty (yaml)",
            "Two momentum steps on a logistic unit (yaml)"} <= titles


@pytest.mark.parametrize("title", sorted(problems()))
def test_every_example_solves(title, tmp_path):
    text = problems()[title]
    path = tmp_path / ("problem.json" if title.endswith("(json)") else "problem.yaml")
    path.write_text(text, encoding="utf-8")
    solution = nnsolve.solve(path)
    assert solution.asked and all(solution.has(i) for i in solution.asked)


def test_first_example_values():
    # W₁x with W₁ = [[0.1, 0.2], [0.3, 0.4]], x = [1, 2]: [0.1 + 0.4, 0.3 + 0.8] = [0.5, 1.1], exactly
    for title in ("One sample through a 2-2-1 network (yaml)", "One sample through a 2-2-1 network (json)"):
        assert nnsolve.solve(problems()[title]).value("u1").tolist() == [Fraction(1, 2), Fraction(11, 10)]


def test_batch_example_values():
    # by hand: ŷ = [1, −0.5, 2.5] against t = [1, 0, 2] → squared errors 0, ¼, ¼; mean over 3 samples = 1/6.
    # Ω = ½·0.01·(1 + 1 + 0.25 + 4 + 1 + 1) = 0.04125 (weights only)
    s = nnsolve.solve(problems()["A batch of three samples: ReLU, MSE and an L2 penalty (yaml)"])
    assert s.value("data_loss").item() == Fraction(1, 6)
    assert s.value("penalty").item() == Fraction(4125, 100000)
    assert s.value("loss").item() == Fraction(1, 6) + Fraction(4125, 100000)


def test_momentum_example_against_pytorch():
    torch = pytest.importorskip("torch")
    s = nnsolve.solve(problems()["Two momentum steps on a logistic unit (yaml)"])
    W = torch.tensor([[0.2], [-0.4]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.1], dtype=torch.float64, requires_grad=True)
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    t = torch.tensor([1.0], dtype=torch.float64)
    opt = torch.optim.SGD([W, b], lr=0.5, momentum=0.9)

    def loss():
        return torch.nn.functional.binary_cross_entropy(torch.sigmoid(W.T @ x + b), t, reduction="sum")

    losses = []
    for _ in range(2):
        opt.zero_grad()
        value = loss()
        losses.append(value.item())
        value.backward()
        opt.step()
    assert float(s.value("loss").item()) == pytest.approx(losses[0], rel=1e-12)
    assert float(s.value("loss(2)").item()) == pytest.approx(loss().item(), rel=1e-12)
    assert [float(v) for v in s.value("W1(2)").reshape(-1)] == pytest.approx(W.detach().reshape(-1).tolist(),
                                                                            rel=1e-12)
    # the document's rounded statements
    assert round(float(s.value("loss").item()), 4) == 0.9741 and round(float(s.value("loss(2)").item()), 4) == 0.0255
