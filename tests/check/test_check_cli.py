"""`nnsolve check` as a user runs it: exit 0 all agree, 1 a wrong answer, 2 malformed input —
with a located message and never a traceback."""
from __future__ import annotations

import json

from cli_runner import Run, invoke
from conftest import CASES


def run(*args: str) -> Run:
    return invoke("check", *args)


def line_of(case: str, text: str) -> int:
    """1-based line of the first line of a case file starting with `text` (after indentation)."""
    lines = (CASES / case).read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.strip().startswith(text))


def test_a_correct_key_exits_0():
    done = run(str(CASES / "correct-key.yaml"))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "12 answers: 12 agree, 0 wrong" in done.stdout
    assert "First divergence" not in done.stdout


def test_a_wrong_key_exits_1_and_says_where_it_parts():
    done = run(str(CASES / "slipped-key.yaml"))
    assert done.exit_code == 1, done.stderr
    assert "7 answers: 5 agree, 2 wrong" in done.stdout
    assert "First divergence: u2" in done.stdout
    assert "agree: follows from the key's u2 as written" in done.stdout
    # the correct value is shown two decimals finer than the key writes it
    assert "[-0.575843]" in done.stdout


def test_a_rounded_key_exits_0_and_names_the_rule():
    done = run(str(CASES / "rounded-key.yaml"))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "matches with intermediates rounded to 2 dp" in done.stdout


def test_unknown_answer_id_is_a_located_error_with_a_suggestion():
    done = run(str(CASES / "unknown-id.yaml"))
    assert done.exit_code == 2
    assert "Traceback" not in done.stderr
    line = line_of("unknown-id.yaml", "u3:")
    assert "answers.u3: no quantity 'u3'" in done.stderr
    assert "did you mean 'u1'?" in done.stderr
    assert f"(line {line})" in done.stderr


def test_malformed_answers_are_format_errors_not_wrong_answers():
    done = run(str(CASES / "malformed-answer.yaml"))
    assert done.exit_code == 2
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert f"answers.y[1]: expected a number, got 'zero point five' (line {line_of('malformed-answer.yaml', 'y:')})" \
        in done.stderr
    assert "answers.dL/dW1: rows have different lengths [1, 2]" in done.stderr
    assert f"(line {line_of('malformed-answer.yaml', 'dL/dW1:')})" in done.stderr


def test_json_report():
    done = run(str(CASES / "log10-key.yaml"), "--format", "json")
    assert done.exit_code == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False
    assert report["summary"] == {"answers": 4, "agree": 2, "wrong": 2}
    assert report["first_divergence"] == "loss"
    loss = next(r for r in report["results"] if r["id"] == "loss")
    assert loss["matches_if"] == ["log base 10"]
    assert loss["key"] == "0.2598" and loss["line"] == line_of("log10-key.yaml", "loss: 0.2598")


def test_tolerance_option():
    done = run(str(CASES / "rounded-key.yaml"), "--tolerance", "0.005")
    assert done.exit_code == 1
    assert "Tolerance: ±0.005 (absolute)" in done.stdout
    bad = run(str(CASES / "rounded-key.yaml"), "--tolerance", "half a cent")
    assert bad.exit_code == 2 and "--tolerance" in bad.stderr and "Traceback" not in bad.stderr


def test_json_on_exit_2_gives_the_located_errors_as_data():
    done = run(str(CASES / "malformed-answer.yaml"), "--format", "json")
    assert done.exit_code == 2
    failure = json.loads(done.stdout)
    assert failure["ok"] is False and failure["exit_code"] == 2
    assert {"place": "answers.y[1]", "line": line_of("malformed-answer.yaml", "y:"),
            "message": "expected a number, got 'zero point five'"} in failure["errors"]
    assert any(e["place"] == "answers.dL/dW1" and e["line"] == line_of("malformed-answer.yaml", "dL/dW1:")
               for e in failure["errors"])
    # the messages still go to stderr, as words
    assert "answers.y[1]: expected a number" in done.stderr


def test_json_for_several_files_keeps_each_failure():
    done = run(str(CASES / "unknown-id.yaml"), str(CASES / "correct-key.yaml"), "--format", "json")
    assert done.exit_code == 2
    files = {f["file"]: f for f in json.loads(done.stdout)["files"]}
    unknown = files[str(CASES / "unknown-id.yaml")]
    assert unknown["report"] is None and unknown["exit_code"] == 2
    assert unknown["errors"][0]["place"] == "answers.u3" and unknown["errors"][0]["line"] == line_of("unknown-id.yaml",
                                                                                                     "u3:")
    assert files[str(CASES / "correct-key.yaml")]["report"]["ok"] is True
