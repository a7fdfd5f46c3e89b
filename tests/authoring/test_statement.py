"""`statement:`: the question in Markdown with placeholders filled from the givens, shown above the worked
solution by every printer; `solve --handout` prints the question without its solution."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import nnsolve
from cli_runner import invoke
from nnsolve.problems import ProblemError
from nnsolve.problems.statement import Placeholder, StatementError, parse
from nnsolve.render import render

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
REGENERATE = os.environ.get("NNSOLVE_REGENERATE_GOLDEN") == "1" or os.environ.get("NNSOLVE_UPDATE_GOLDEN") == "1"

BODY = """network:
  layout: out_in
  layers:
    - W: [[0.1, 0.2], [0.3, -0.4]]
      b: [0, 0]
      activation: sigmoid
    - W: [[0.5, -0.5]]
      b: [0.1]
data:
  x: [1, 2]
  target: [1]
loss: {type: half_sse}
optimizer: {type: sgd, lr: 0.1}
ask: [forward, loss, dL/dW1]
"""


def problem(statement: str) -> str:
    return "problem: dense_network\ntitle: A 2-2-1 network\nstatement: " + statement + "\n" + BODY


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_splits_text_and_placeholders_and_unescapes_braces():
    pieces = parse("W_{{1}} = {W1}, w = {W1[0][1]} and {{x}}")
    assert pieces == ["W_{1} = ", Placeholder("W1", (), 0, "{W1}"), ", w = ",
                      Placeholder("W1", (0, 1), 0, "{W1[0][1]}"), " and {x}"]


@pytest.mark.parametrize("text, line", [("a }", 0), ("a\nb {W1", 1), ("{}", 0), ("\n\n{ W1 ]}", 2)])
def test_parse_refuses_a_stray_brace_at_its_line(text, line):
    with pytest.raises(StatementError) as refused:
        parse(text)
    assert refused.value.line == line


def test_placeholders_are_filled_in_each_printers_notation(tmp_path):
    path = write(tmp_path, problem('"Weights $W_{{1}} = {W1}$, entry {W1[1][1]}, input {x}, rate {lr}, target '
                                   '{target}."'))
    solution = nnsolve.solve(path)
    text = render(solution, "text")
    assert "Weights $W_{1} = [[0.1, 0.2], [0.3, -0.4]]$, entry -0.4, input [1, 2], rate 0.1, target [1]." in text
    assert text.index("Problem") < text.index("Conventions:") < text.index("Forward pass")
    markdown = render(solution, "markdown")
    # inside the author's $…$ the value is bare LaTeX; in prose it is its own inline math
    assert r"$W_{1} = \begin{bmatrix} 0.1 & 0.2 \\ 0.3 & -0.4 \end{bmatrix}$" in markdown
    assert r"entry $-0.4$, input $\begin{bmatrix} 1 \\ 2 \end{bmatrix}$" in markdown
    data = json.loads(render(solution, "json"))
    assert data["statement"]["text"].startswith("Weights $W_{1} = [[0.1, 0.2], [0.3, -0.4]]$")
    assert [p["id"] for p in data["statement"]["placeholders"]] == ["W1", "W1", "x", "eta", "t"]
    assert data["statement"]["placeholders"][1]["value"]["exact"] == "-0.4"


def test_a_file_without_statement_prints_as_before(tmp_path):
    solution = nnsolve.solve(write(tmp_path, "problem: dense_network\n" + BODY))
    assert "Problem" not in render(solution, "text")
    assert "statement" not in json.loads(render(solution, "json"))


@pytest.mark.parametrize("placeholder, message", [
    ("{h1}", "'h1' is computed in the solution, not given"),
    ("{etta}", "no given 'etta' in this problem; did you mean 'eta'?"),
    ("{W1[2][0]}", "index 2 on axis 0 of W1 is outside 0…1"),
    ("{x[0][0]}", "x has 1 axis, the placeholder gives 2 indices"),
])
def test_a_wrong_placeholder_is_refused_at_its_line(tmp_path, placeholder, message):
    path = write(tmp_path, problem("|\n  First line.\n  Second line has " + placeholder + "."))
    run = invoke("solve", path)
    assert run.exit_code == 2 and run.stdout == ""
    assert message in run.stderr and "(line 5)" in run.stderr       # the block's second line
    assert invoke("check", path).exit_code == 2                       # every command refuses it alike


def test_every_wrong_placeholder_is_listed_at_once(tmp_path):
    path = write(tmp_path, problem('"{h1} and {nope} and {W1}"'))
    with pytest.raises(ProblemError) as refused:
        nnsolve.solve(path)
    assert [issue.line for issue in refused.value.issues] == [3, 3]


def test_handout_has_the_question_and_no_solution(tmp_path):
    path = write(tmp_path, problem('"Given {W1} and {x}, find the output."'))
    for fmt in ("text", "markdown", "json"):
        run = invoke("solve", path, "--handout", "--format", fmt)
        assert run.exit_code == 0, run.stderr
        out = run.stdout
        assert "find the output" in out
        assert "0.5987" not in out and "Forward pass" not in out and "Answers" not in out    # σ(0.5 − 0.1·…)
        assert "Conventions" not in out and "conventions" not in out
    data = json.loads(invoke("solve", path, "--handout", "--format", "json").stdout)
    assert [q["id"] for q in data["questions"]] == ["u1", "h1", "u2", "h2", "loss", "dL/dW1"]
    assert data["givens"] == [] and "value" not in json.dumps(data["questions"])


def test_handout_without_statement_states_the_givens(tmp_path):
    run = invoke("solve", write(tmp_path, "problem: dense_network\n" + BODY), "--handout")
    assert run.exit_code == 0
    assert "Given\n-----\n  x = [1, 2]" in run.stdout and "Find\n----\n  1. u₁  (u1)" in run.stdout
    assert "0.6225" not in run.stdout


def test_handout_is_refused_for_a_family_that_states_no_givens_without_a_statement(tmp_path):
    path = write(tmp_path, "problem: calculus\nfunction: x^2\n")
    run = invoke("solve", path, "--handout")
    assert run.exit_code == 2 and run.stdout == ""
    assert str(path) in run.stderr and "write the question in a `statement:`" in run.stderr
    with_statement = write(tmp_path, "problem: calculus\nstatement: Differentiate $f(x) = x^2$.\nfunction: x^2\n")
    assert "Differentiate $f(x) = x^2$." in invoke("solve", with_statement, "--handout").stdout


def test_handout_refuses_a_picture(tmp_path):
    run = invoke("solve", write(tmp_path, problem('"x"')), "--handout", "--picture", tmp_path / "g.svg")
    assert run.exit_code == 2 and "--picture" in run.stderr and not (tmp_path / "g.svg").exists()


def test_markdown_statement_reflows_in_text_keeping_lists(tmp_path):
    path = write(tmp_path, problem("|\n  A network\n  with input {x}.\n\n  - item one\n  - item two"))
    text = render(nnsolve.solve(path), "text", handout=True)
    assert "  A network with input [1, 2].\n\n  - item one\n  - item two\n" in text


CASES = {"dense-statement": problem("|\n  A network has weights $W_{{1}} = {W1}$ and $b_{{2}} = {b2}$.\n"
                                    "  For $x = {x}$ and the target {target}, find the forward pass, the\n"
                                    "  loss and $\\partial L/\\partial W_{{1}}$ (learning rate {lr}).")}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("handout", [False, True], ids=["worked", "handout"])
@pytest.mark.parametrize("fmt, ext", [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_golden(tmp_path, case, handout, fmt, ext):
    """Regenerate with NNSOLVE_REGENERATE_GOLDEN=1 (or NNSOLVE_UPDATE_GOLDEN=1) and read the diff."""
    printed = render(nnsolve.solve(write(tmp_path, CASES[case])), fmt, handout=handout)
    golden = GOLDEN / f"{case}{'-handout' if handout else ''}.{ext}"
    if REGENERATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(printed, encoding="utf-8")
    assert printed == golden.read_text(encoding="utf-8")


def test_an_exported_question_shows_the_statement_filled(tmp_path):
    """`nnsolve export` writes the statement as the text printer fills it: no `{W1}` reaches a quiz."""
    folder = tmp_path / "quiz"
    folder.mkdir()
    (folder / "q.yaml").write_text(problem('"Given $W_{{1}} = {W1}$ and {x}, find the output."'), encoding="utf-8")
    out = tmp_path / "quiz.xml"
    run = invoke("export", folder, "--to", "moodle", "-o", out)
    assert run.exit_code == 0, run.stderr
    xml = out.read_text(encoding="utf-8")
    assert "Given $W_{1} = [[0.1, 0.2], [0.3, -0.4]]$ and [1, 2], find the output." in xml
    assert "{W1}" not in xml and "{x}" not in xml


from hypothesis import given, strategies as st        # noqa: E402


@given(st.lists(st.one_of(st.sampled_from(["{", "}", "{{", "}}", "{W1}", "{x[0]}", "{ W1 [1][0] }", "\n", "$", "a"]),
                          st.text(alphabet="ab {}[]0\n", max_size=6)), max_size=12))
def test_parse_keeps_every_character_or_refuses(parts):
    """Whatever the text, parse either refuses it or gives pieces that write the text back (a literal brace
    doubled again, a placeholder as written)."""
    text = "".join(parts)
    try:
        pieces = parse(text)
    except StatementError as refused:
        assert 0 <= refused.line <= text.count("\n")
        return
    back = "".join(p.replace("{", "{{").replace("}", "}}") if isinstance(p, str) else p.written for p in pieces)
    assert back == text
    assert all(isinstance(p, str) or (p.name == p.name.strip() and p.name) for p in pieces)


def test_the_markdown_of_every_templates_statement_is_well_formed_latex():
    """Each placeholder's LaTeX, alone or inside the author's `$…$`, passes the printers' LaTeX lint."""
    import sys
    sys.path.insert(0, str(HERE.parent / "render"))
    from render_latex_lint import latex_problems, math_spans
    from nnsolve.problems import families
    checked = 0
    for family in families().values():
        solution = nnsolve.solve(family.template)
        if solution.statement:
            for span in math_spans(render(solution, "markdown", handout=True)):
                assert latex_problems(span) == [], span
                checked += 1
    assert checked > 30
