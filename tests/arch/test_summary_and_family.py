"""Golden summaries, the `architecture` problem family through solve/check, and the CLI."""
import json
from pathlib import Path

from typer.testing import CliRunner

from nnsolve.api import solve
from nnsolve.arch.summary import summary
from nnsolve.check import check_file
from nnsolve.cli import app

HERE = Path(__file__).parent
runner = CliRunner()


def test_golden_summaries():
    # the figures inside are checked independently in test_published.py; this pins the layout
    assert summary("lenet5") == (HERE / "golden" / "lenet5.txt").read_text()
    assert summary("alexnet", "markdown") == (HERE / "golden" / "alexnet.md").read_text()


def test_json_summary_totals():
    data = json.loads(summary("resnet50", "json"))
    assert data["totals"]["params"] == 25_557_032
    assert data["layers"][0]["output_shape"] == [64, 112, 112]


def test_family_steps_show_formulas():
    solution = solve(HERE / "one_conv.yaml")
    assert solution.step("conv1.params").formula.text == "(3·3·3 + 1)·5"
    assert int(solution.value("total.flops")[()]) == 4400          # 2·2160 + 80 under 2mac+bias
    assert [int(v) for v in solution.value("pool1.receptive_field")] == [4, 4]


def test_check_flags_exactly_the_wrong_answer():
    report = check_file(HERE / "one_conv.yaml")
    assert [r.name for r in report.results if not r.ok] == ["pool1.receptive_field"]


def test_cli_summary_and_errors(tmp_path):
    ok = runner.invoke(app, ["summary", "vgg16"])
    assert ok.exit_code == 0 and "138,357,544" in ok.stdout
    assert runner.invoke(app, ["summary", "resnet5"]).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("problem: architecture\ninput: {shape: [8, 8, 3]}\nlayers:\n"
                   "  - {kind: conv2d, filters: 4, kernel: 3}\n  - {kind: conv2d, filters: 4, kernel: 9}\n")
    result = runner.invoke(app, ["summary", str(bad)])
    assert result.exit_code == 2 and "line 5" in result.output and "does not fit" in result.output
