"""Pictures of a solution's graph: DOT source (golden files, values checked against PyTorch float64 or by
hand), SVG/PNG through Graphviz's `dot` (skipped when it is not installed), and `solve --picture`.

Regenerate the golden DOT files after an intended change with `NNSOLVE_REGENERATE_GOLDEN=1 pytest
tests/render`, then look at the pictures (`dot -Tsvg`) before committing them.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import torch
import yaml
from typer.testing import CliRunner

import nnsolve
from nnsolve.cli import app
from nnsolve.render.picture import MISSING_DOT, PictureError, to_dot, write_picture

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GOLDEN = HERE / "golden"
DEMO = ROOT / "examples" / "demo-two-layer-tanh.yaml"
SIGMOID_GRAPH = ROOT / "examples" / "bits-001" / "ms23-q5-sigmoid-computation-graph.yaml"
PERCEPTRON = ROOT / "examples" / "perceptron" / "bits-ms23-q1-perceptron-one-epoch.yaml"
DENSE_CASES = [DEMO, HERE / "cases" / "out-in-sigmoid.yaml", HERE / "cases" / "relu-batch-mse.yaml"]
REGENERATE = os.environ.get("NNSOLVE_REGENERATE_GOLDEN") == "1"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")

NODE = re.compile(r'^\s*"(?P<id>[^"]+)" \[label=<(?P<label>.*)>\];$')
EDGE = re.compile(r'^\s*"(?P<tail>[^"]+)" -> "(?P<head>[^"]+)" \[label=<(?P<label>.*)>\];$')
LINE = re.compile(r'^(?:<font color="(?P<color>\w+)">)?(?P<text>.*?)(?:</font>)?$')


def parse_dot(source: str) -> tuple[dict, dict]:
    """{node id: [(text, colour)]} and {(tail, head): [(text, colour)]} from the labelled lines."""
    def lines(label):
        return [(m["text"], m["color"]) for m in map(LINE.match, label.split("<br/>"))]
    nodes = {m["id"]: lines(m["label"]) for m in map(NODE.match, source.splitlines()) if m}
    edges = {(m["tail"], m["head"]): lines(m["label"]) for m in map(EDGE.match, source.splitlines()) if m}
    return nodes, edges


def numbers(text: str) -> list[float]:
    """The number(s) after `=` (or the whole text): `u₁[1] = 1.3`, `h[1] = (0.5, 1)` for a batch."""
    value = text.rpartition(" = ")[2].strip("()")
    return [float(v) for v in value.split(", ")]


def close(shown: str, exact: float) -> bool:
    # 4 decimals, or 4 significant digits for a value too small for them (format_number's rule)
    return math.isclose(float(shown), exact, rel_tol=1e-3) if "e" in shown else abs(float(shown) - exact) <= 0.5e-4 + 1e-12


def matches(text: str, expected: list[float]) -> bool:
    shown = text.rpartition(" = ")[2].strip("()").split(", ")
    return len(shown) == len(expected) and all(close(s, e) for s, e in zip(shown, expected))


# -- golden DOT sources -------------------------------------------------------------------------------------
@pytest.mark.parametrize("problem", [SIGMOID_GRAPH, DEMO], ids=lambda p: p.stem)
def test_dot_matches_golden(problem):
    golden = GOLDEN / f"{problem.stem}.dot"
    source = to_dot(nnsolve.solve(problem))
    if REGENERATE:
        golden.write_text(source, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with NNSOLVE_REGENERATE_GOLDEN=1"
    assert source == golden.read_text(encoding="utf-8")
    assert to_dot(nnsolve.solve(problem)) == source          # deterministic


def test_computation_graph_values_blue_and_gradients_red_by_hand():
    # f = 1/(1 + e^(−z)) = σ(z) at z = 3 through p = −z, q = e^p, r = 1 + q, f = 1/r:
    # ∂f/∂r = −1/r², ∂f/∂q = ∂f/∂r, ∂f/∂p = ∂f/∂q · e^p, ∂f/∂z = −∂f/∂p = σ(3)(1 − σ(3))
    q = math.exp(-3)
    r = 1 + q
    f = 1 / r
    expected = {"z": (3, f * (1 - f)), "p": (-3, -f * (1 - f)), "q": (q, -1 / r**2), "r": (r, -1 / r**2),
                "f": (f, 1)}
    nodes, _ = parse_dot(to_dot(nnsolve.solve(SIGMOID_GRAPH)))
    for quantity, (value, gradient) in expected.items():
        (_, head), (forward, blue), (backward, red) = nodes[quantity]
        assert (blue, red) == ("blue", "red") and head is None
        assert close(forward, value) and close(backward, gradient), (quantity, forward, backward)
    assert nodes["q"][0][0] == "q = exp(p)"
    assert nodes["1"][1:] == [("1", "blue")]                # a number has no gradient to show


# -- dense networks against PyTorch ---------------------------------------------------------------------------
ACTIVATIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "identity": lambda u: u}
LOSSES = {"bce": lambda y, t: torch.nn.functional.binary_cross_entropy(y, t, reduction="sum"),
          "half_sse": lambda y, t: ((y - t) ** 2).sum() / 2,
          "mse": lambda y, t: torch.nn.functional.mse_loss(y, t)}


def torch_network(path: Path) -> dict:
    """Forward and backward in float64, one sample per row (a single sample is a batch of one)."""
    spec = yaml.safe_load(path.read_text())
    tensor = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)  # noqa: E731
    x = tensor(spec["data"]["x"] if isinstance(spec["data"]["x"][0], list) else [spec["data"]["x"]])
    h, out = x, {"x": x, "layers": []}
    for layer in spec["network"]["layers"]:
        W = tensor(layer["W"])
        u = h @ (W.T if spec["network"]["layout"] == "out_in" else W)
        u = u + torch.tensor(layer["b"], dtype=torch.float64) if "b" in layer else u
        u.retain_grad()
        h = ACTIVATIONS[layer.get("activation", "identity")](u)
        out["layers"].append((u, h, W))
    t = spec["data"]["target"]
    out["loss"] = LOSSES[spec["loss"]["type"]](h, torch.tensor(t if isinstance(t[0], list) else [t],
                                                               dtype=torch.float64))
    out["loss"].backward()
    out["out_in"] = spec["network"]["layout"] == "out_in"
    return out


@pytest.mark.parametrize("problem", DENSE_CASES, ids=lambda p: p.stem)
def test_dense_units_and_edges_agree_with_torch(problem):
    net = torch_network(problem)
    nodes, edges = parse_dot(to_dot(nnsolve.solve(problem)))
    column = lambda t, j: t[:, j].tolist()  # noqa: E731   one value per sample
    for k in range(net["x"].shape[1]):
        (x, blue), (dx, red) = nodes[f"x.{k}"]
        assert (blue, red) == ("blue", "red")
        assert matches(x, column(net["x"].detach(), k)) and matches(dx, column(net["x"].grad, k))
    source = "x"
    for i, (u, h, W) in enumerate(net["layers"], start=1):
        for j in range(h.shape[1]):
            label = nodes[f"{i}.{j}"]
            assert [c for _, c in label[:3]] == ["blue", "blue", "red"], label
            assert label[0][0].endswith(f"[{j + 1}] = " + label[0][0].rpartition(" = ")[2])    # units from 1
            assert matches(label[0][0], column(u.detach(), j)) and matches(label[1][0], column(h.detach(), j))
            assert matches(label[2][0], column(u.grad, j)), (label[2][0], column(u.grad, j))
            for k in range(W.shape[1] if net["out_in"] else W.shape[0]):
                (weight, _), (gradient, red) = edges[(f"{source}.{k}", f"{i}.{j}")]
                at = (j, k) if net["out_in"] else (k, j)
                assert red == "red" and close(weight, W[at].item()) and close(gradient, W.grad[at].item())
        source = str(i)
    (_, _), (loss, blue) = nodes["loss"]
    assert blue == "blue" and close(loss, net["loss"].item())


def test_dense_bias_and_target_on_the_units():
    nodes, _ = parse_dot(to_dot(nnsolve.solve(DEMO)))
    assert ("b₁[2] = 0.5", None) in nodes["1.1"]          # the demo's b₁ = [0.5, 0.5, 0.5]
    assert ("t[1] = 0", None) in nodes["3.0"]             # its target t = [0], shown on the output unit


def test_other_kinds_are_refused_clearly():
    with pytest.raises(PictureError, match="no picture for perceptron_learning problems"):
        to_dot(nnsolve.solve(PERCEPTRON))


# -- files: source always; SVG, PNG and PDF through Graphviz ---------------------------------------------------
def test_api_picture_returns_and_writes_the_source(tmp_path):
    solution = nnsolve.solve(SIGMOID_GRAPH)
    source = nnsolve.picture(solution)
    assert source == to_dot(solution)
    assert nnsolve.picture(SIGMOID_GRAPH, tmp_path / "g.gv") == source    # a problem is solved first
    assert (tmp_path / "g.gv").read_text(encoding="utf-8") == source


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(PictureError, match=r"cannot write a picture as 'g.jpg'"):
        write_picture(nnsolve.solve(SIGMOID_GRAPH), tmp_path / "g.jpg")
    assert not (tmp_path / "g.jpg").exists()


def test_missing_dot_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PictureError) as raised:
        write_picture(nnsolve.solve(SIGMOID_GRAPH), tmp_path / "g.svg")
    assert raised.value.message == MISSING_DOT and "apt-get install graphviz" in str(raised.value)
    write_picture(nnsolve.solve(SIGMOID_GRAPH), tmp_path / "g.dot")        # the source needs no Graphviz
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph computation {")


@needs_dot
def test_svg_shows_forward_values_blue_and_gradients_red(tmp_path):
    write_picture(nnsolve.solve(DEMO), tmp_path / "net.svg")
    root = ET.parse(tmp_path / "net.svg").getroot()
    texts = {color: [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("fill") == color]
             for color in ("blue", "red")}
    # tanh(1.3) = 0.8617 (h₁[1]) and ∂L/∂u₃ = ŷ − t = σ(1.4727) − 0 = 0.8135, checked against torch above
    assert "h₁[1] = 0.8617" in texts["blue"]
    assert "∂L/∂u₃[1] = 0.8135" in texts["red"]
    assert f"{math.tanh(1.3):.4f}" in " ".join(texts["blue"]) and not any("∂" in t for t in texts["blue"])


@needs_dot
@pytest.mark.parametrize("suffix, signature", [(".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-")])
def test_png_and_pdf_are_written(tmp_path, suffix, signature):
    path = tmp_path / f"graph{suffix}"
    write_picture(nnsolve.solve(SIGMOID_GRAPH), path)
    assert path.read_bytes().startswith(signature)


# -- the CLI -------------------------------------------------------------------------------------------------
def run_cli(*args, env=None):
    return CliRunner().invoke(app, ["solve", *map(str, args)], env=env)


@needs_dot
def test_cli_writes_the_picture_and_the_solution(tmp_path):
    out = tmp_path / "graph.svg"
    result = run_cli(SIGMOID_GRAPH, "--picture", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Q5: value and derivatives")          # the worked solution still printed
    assert result.stderr.strip() == f"picture written to {out}"
    assert ET.parse(out).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_cli_picture_uses_the_digits_option(tmp_path):
    out = tmp_path / "graph.dot"
    assert run_cli(SIGMOID_GRAPH, "--digits", "6", "--picture", out).exit_code == 0
    f = 1 / (1 + math.exp(-3))
    assert f'<font color="blue">{f:.6f}</font>' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("problem, picture, env, message", [
    (SIGMOID_GRAPH, "graph.jpg", None, "cannot write a picture as 'graph.jpg'"),
    (SIGMOID_GRAPH, "graph.svg", "no dot", MISSING_DOT),
    (PERCEPTRON, "table.svg", None, "there is no picture for perceptron_learning problems"),
    (SIGMOID_GRAPH, "missing-folder/graph.dot", None, "cannot write"),
])
def test_cli_refuses_a_picture_it_cannot_draw(tmp_path, problem, picture, env, message):
    result = run_cli(problem, "--picture", tmp_path / picture,
                     env={"PATH": str(tmp_path)} if env == "no dot" else None)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""                                   # refused before anything is printed
