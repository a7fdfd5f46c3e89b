"""`nnsolve vary`: files that `solve` and `check` accept, byte for byte the same from the same seed, one variant per
student that does not depend on the roster, the stress report, and every refusal with its line and exit code 2."""
from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import invoke

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ROOT / "examples" / "variants"
EXAMPLES = sorted(VARIANTS.glob("*.yaml"))
DENSE = VARIANTS / "dense-three-layer-backprop.yaml"

SMALL = """problem: dense_network
title: "one ReLU layer"
network:
  layout: in_out
  layers:
    - {W: [[0.5, -0.5], [1, 0.5]], b: [0, 0.5], activation: relu}
data: {x: [1, 2], target: [1, 0]}
loss: {type: half_sse}
optimizer: {type: sgd, lr: 0.1}
ask: [h1, loss]
"""


def _problem(tmp_path: Path, block: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(SMALL + block, encoding="utf-8")
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_generates_files_that_check_passes(example, tmp_path):
    done = invoke("vary", example, "-n", "4", "-o", tmp_path / "out")
    assert done.exit_code == 0, done.stderr
    assert "accepted: 4 of" in done.stdout and "range of each answer" in done.stdout
    written = sorted((tmp_path / "out").glob("*.yaml"))
    assert [p.name for p in written] == [f"{example.stem}-{i}.yaml" for i in range(1, 5)]
    checked = invoke("check", *written)
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert "0 wrong" in checked.stdout
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert "\nvariants:" not in text and "\nanswers:" in text
        assert invoke("solve", path).exit_code == 0


def test_the_same_seed_gives_the_same_bytes(tmp_path):
    for folder in ("a", "b"):
        assert invoke("vary", DENSE, "-n", "6", "--seed", "7", "-o", tmp_path / folder, "--solutions", "text",
                      "--report", tmp_path / f"{folder}.txt").exit_code == 0
    first = _files(tmp_path / "a")
    assert len(first) == 12 and first == _files(tmp_path / "b")
    assert (tmp_path / "a.txt").read_bytes() == (tmp_path / "b.txt").read_bytes()
    assert invoke("vary", DENSE, "-n", "6", "--seed", "8", "-o", tmp_path / "c").exit_code == 0
    assert _files(tmp_path / "c") != {k: v for k, v in first.items() if k.endswith(".yaml")}


def test_one_variant_per_student_whatever_the_roster(tmp_path):
    (tmp_path / "one.csv").write_text("student_id,name\ns001,Ada\ns002,Alan\n", encoding="utf-8")
    (tmp_path / "two.csv").write_text("s009\ns002\n", encoding="utf-8")
    assert invoke("vary", DENSE, "--student-ids", tmp_path / "one.csv", "-o", tmp_path / "one").exit_code == 0
    assert invoke("vary", DENSE, "--student-ids", tmp_path / "two.csv", "-o", tmp_path / "two").exit_code == 0
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert set(one) == {"s001.yaml", "s002.yaml"} and set(two) == {"s009.yaml", "s002.yaml"}
    assert one["s002.yaml"] == two["s002.yaml"]
    assert one["s001.yaml"] != one["s002.yaml"]
    assert b"the student's id" in one["s001.yaml"]


def test_a_roster_with_a_repeated_or_unusable_id_is_refused_with_its_line(tmp_path):
    (tmp_path / "r.csv").write_text("id\ns1\ns1\n../x\n", encoding="utf-8")
    done = invoke("vary", DENSE, "--student-ids", tmp_path / "r.csv", "-o", tmp_path / "out")
    assert done.exit_code == 2
    assert "appears twice (first at line 2) (line 3)" in done.stderr and "(line 4)" in done.stderr
    assert not (tmp_path / "out").exists()


def test_paths_naming_no_given_are_refused_by_solve_too(tmp_path):
    path = _problem(tmp_path, "variants:\n  vary:\n    network.layers[1].W: [1, 2]\n    data.xs: [1, 2]\n")
    for command in ("vary", "solve"):
        done = invoke(command, path)
        assert done.exit_code == 2
        assert "network.layers has no entry [1] (a list of 1) (line 13)" in done.stderr
        assert "no key 'xs' under data; did you mean 'x'? (line 14)" in done.stderr


@pytest.mark.parametrize("block, message", [
    ("variants:\n  vary:\n    data.x: {from: 0, to: 1, step: 0}\n", "the step must be greater than 0, got 0 (line 13)"),
    ("variants:\n  vary:\n    data.x: {from: 2, to: 1}\n", "is greater than `to` (1) (line 13)"),
    ("variants:\n  vary:\n    data.x: {values: [0], nonzero: true}\n", "no value is left once 0 is left out (line 13)"),
    ("variants:\n  vary:\n    data.x: [1, 2]\n  constraints: [no_pool_ties]\n",
     "variants.constraints[0]: this problem has no max pooling (line 14)"),
    ("variants:\n  vary:\n    data.x: [1, 2]\n  constraints:\n    - unique_solution\n",
     "only conv_unknowns problems solve for unknowns; this is a dense_network problem (line 15)"),
    ("variants:\n  vary:\n    data.x: [1, 2]\n  constraints:\n    - {expression: 'loss < los'}\n",
     "no quantity 'los'; did you mean 'loss'? (line 15)"),
    ("variants:\n  vary:\n    data.x: [1, 2]\n  constraints:\n    - {expression: 'h1 > 0'}\n",
     "h1 is not one number (shape (2,)): name one entry, e.g. h1[0] (line 15)"),
    ("variants:\n  vary:\n    data.x: [1, 2]\n    data.x[0]: [3]\n", "overlaps data.x, also varied"),
])
def test_a_block_the_problem_cannot_honour_is_refused_with_its_line(tmp_path, block, message):
    done = invoke("vary", _problem(tmp_path, block), "-n", "2", "-o", tmp_path / "out")
    assert done.exit_code == 2, done.stdout
    assert message in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_hopeless_acceptance_stops_and_says_so(tmp_path):
    path = _problem(tmp_path, "variants:\n  vary:\n    network.layers[0].W: {from: -9, to: 9}\n"
                              "  constraints:\n    - {within: [100000, 200000], answers: loss}\n")
    # --max-tries stands in for the default 10,000 (GIVE_UP_AFTER): the same stop, 25 times sooner
    done = invoke("vary", path, "-n", "5", "-o", tmp_path / "out", "--max-tries", "400")
    assert done.exit_code == 2
    assert "0 of 5 variants accepted after 400 tries" in done.stderr
    assert "  within [100000, 200000] on loss" in done.stdout and "rejected most: within [100000, 200000]" in done.stdout
    assert not (tmp_path / "out").exists()


def test_fewer_different_variants_than_asked_for_is_said_at_once(tmp_path):
    done = invoke("vary", _problem(tmp_path, "variants:\n  vary:\n    data.x[0]: [1, 2, 3]\n"), "-n", "4")
    assert done.exit_code == 2
    assert "make only 3 different variants, fewer than the 4 asked for" in done.stderr


def test_every_different_variant_tried_stops_the_run(tmp_path):
    path = _problem(tmp_path, "variants:\n  vary:\n    data.x[0]: [1, 2, 3, 4]\n"
                              "  constraints:\n    - {within: [0, 0.5], answers: loss}\n")
    done = invoke("vary", path, "-n", "3")
    assert done.exit_code == 2
    assert "after trying every one of the 4 different variants" in done.stderr


def test_the_report_alone_writes_no_files(tmp_path):
    done = invoke("vary", DENSE, "-n", "3")
    assert done.exit_code == 0 and "accepted: 3 of" in done.stdout
    assert "rejected most:" in done.stdout
    assert "written" not in done.stderr


def test_options_that_need_a_folder_say_so(tmp_path):
    assert "needs -o DIR" in invoke("vary", DENSE, "--solutions", "text").stderr
    done = invoke("vary", DENSE, "-o", tmp_path / "x", "--solutions", "pdf")
    assert done.exit_code == 2 and "unknown format 'pdf'" in done.stderr
    (tmp_path / "file").write_text("", encoding="utf-8")
    assert "is a file; give a folder" in invoke("vary", DENSE, "-o", tmp_path / "file").stderr


def test_a_problem_without_a_block_is_refused():
    done = invoke("vary", ROOT / "examples" / "demo-two-layer-tanh.yaml")
    assert done.exit_code == 2 and "has no `variants:` block" in done.stderr
