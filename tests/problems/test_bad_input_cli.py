"""The command line on bad input: every issue on stderr, exit code 2, never a traceback; a bug in
nnsolve itself is one line and exit code 3 (the traceback only with NNSOLVE_DEBUG=1)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from bad_input import changed, line_of

from nnsolve import cli
from nnsolve import limits

from cli_runner import invoke


ROOT = Path(__file__).resolve().parents[2]


def refused(*args: str) -> str:
    """stderr of a run that must end with exit code 2 and print nothing but the issues."""
    result = invoke(*args)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    return result.stderr


def test_solve_prints_every_issue_with_its_line(tmp_path):
    text = changed("b: [0.1, 0.2]", "bb: [0.1, 0.2]")
    text = changed("activation: sigmoid", "activation: sigmod", text)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    err = refused("solve", path)
    assert f"{path}: 2 problems in the input:" in err
    assert f"network.layers[0].bb: unknown key 'bb'; did you mean 'b'? (line {line_of(text, 'bb:')})" in err
    assert "network.layers[1].activation.name:" in err and "did you mean 'sigmoid'?" in err


def test_check_on_bad_input_is_refused_the_same_way(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(changed("x: [1, 2, 3]", "x: [1, 2]"))
    err = refused("check", path)
    assert "network.layers[0].W: expected a 2×2 matrix" in err


def _unreadable(kind: str, folder):
    if kind == "missing":
        return folder / "nowhere.yaml"
    if kind == "directory":
        return folder
    path = folder / {"latin1": "latin1.yaml", "broken json": "broken.json"}[kind]
    if kind == "latin1":
        path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    else:
        path.write_text('{"problem": "dense_network",\n "x": [1, }')
    return path


@pytest.mark.parametrize("kind, words", [("missing", "file not found"), ("directory", "is a directory"),
                                         ("latin1", "not UTF-8"), ("broken json", "not valid YAML/JSON")])
def test_unreadable_files(tmp_path, kind, words):
    assert words in refused("solve", _unreadable(kind, tmp_path))


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"#" * (limits.MAX_FILE_BYTES.value + 1))
    assert "bytes of one problem file" in refused("solve", path)


def test_a_domain_error_while_solving_names_the_quantity(tmp_path):
    text = changed("activation: sigmoid", "activation: relu").replace("b: [0.1, 0.2]", "b: [-100, -100]")
    path = tmp_path / "log0.yaml"
    path.write_text(changed("target: [1]", "target: [0.5]", text))
    err = refused("solve", path)
    assert "loss: cannot compute loss: log(0) is undefined" in err and f"(line {line_of(text, 'loss:')})" in err


def test_an_internal_error_is_one_line_and_exit_code_3(capsys, monkeypatch):
    monkeypatch.delenv("NNSOLVE_DEBUG", raising=False)
    with pytest.raises(typer.Exit) as caught:
        cli._guarded(lambda: {}["a bug"])
    assert caught.value.exit_code == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error, please report: KeyError" in err and "NNSOLVE_DEBUG=1" in err


def test_nnsolve_debug_shows_the_real_error(monkeypatch):
    monkeypatch.setenv("NNSOLVE_DEBUG", "1")
    with pytest.raises(KeyError):
        cli._guarded(lambda: {}["a bug"])


@pytest.mark.parametrize("text, message", [
    # a variable exponent, and a constant one too large to evaluate (10^400): internal errors before (make fuzz)
    ("problem: computation_graph\nexpression: x^y\nvalues: {x: 2, y: 2}\nask: [f]\n",
     "expression: a power's exponent is a constant number in a computation graph"),
    ("problem: computation_graph\nexpression: x^10^400\nvalues: {x: 2}\nask: [f]\n",
     "exponent is too large"),
    # a node named 0: an internal error as the output's name (make fuzz SEED=30), and as a named node read where the
    # number 0 is written (y = 0 + 1 gave 3)
    ("problem: computation_graph\nexpression: max(w * x, 0)\noutput: 0\nvalues: {w: 2, x: 1}\nask: [f]\n",
     "output: '0' is not a name"),
    ("problem: computation_graph\nnodes: {'0': w*x, y: 0 + 1}\nvalues: {w: 2, x: 1}\nask: [y]\n",
     "nodes.0: '0' is not a name"),
    # calculus names that are numbers: a constant 1 silently unused, ∂f/∂2 printed as a derivative
    ("problem: calculus\nfunction: x + 1\nconstants: {'1': 3}\n", "constants.1: '1' is not a name"),
    ("problem: calculus\nfunction: 2*x\nvariables: ['2', x]\n", "variables[0]: '2' is not a name"),
    # an empty function name (an internal error in the derived-quantity reader before)
    ("problem: calculus\nname: ''\nfunction: 3 w1^2\n", "name: String should have at least 1 character (line 2)"),
])
def test_what_the_fuzzer_found_is_refused_at_its_line(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert message in refused("solve", path)


def test_a_region_of_too_many_polygons_is_refused_before_its_millions_of_tests(tmp_path):
    """120 triangles: 840 test points × 120 polygons = 100,800 exact point-in-polygon tests, over MAX_REGION_TESTS
    (1,000 of them held a solve for 30 s before: make fuzz SEED=22)."""
    triangles = "\n".join(f"    - [[{3 * k}, 0], [{3 * k + 2}, 0], [{3 * k + 1}, 2]]" for k in range(120))
    path = tmp_path / "region.yaml"
    path.write_text(f"problem: boolean_network\nregion:\n  polygons:\n{triangles}\n  inside: 1\n")
    err = refused("solve", path)
    assert "region.polygons: 120 polygons give 840 test points" in err and "100,800 tests" in err
    assert "NNSOLVE_MAX_REGION_TESTS" in err and "(line 3)" in err


def test_a_gated_cells_state_nested_too_deep_is_refused_at_its_line(tmp_path):
    """h0 as [[[…[0]…]]] was an internal error in the cell's product (make fuzz SEED=34)."""
    text = (ROOT / "examples" / "gated_rnn" / "lstm-two-steps.yaml").read_text()
    path = tmp_path / "lstm.yaml"
    path.write_text(re.sub(r"(?m)^h0: .*$", "h0: [[[[0]]]]", text))
    assert "h0: is a state vector (one number per unit, e.g. [0, 0]), got 4 nested lists" in refused("solve", path)
