"""`nnsolve new FAMILY`: a commented template for every family of the registry, which loads and solves as
written."""
from __future__ import annotations

import re

import pytest

import nnsolve
from cli_runner import invoke
from nnsolve.authoring.lift import _MARKED
from nnsolve.problems import REGISTRY, families
from nnsolve.render import render


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_family_has_a_template_that_solves_as_written(name):
    template = families()[name].template
    solution = nnsolve.solve(template)
    assert solution.kind == name and solution.asked
    render(solution, "text")
    if solution.statement:
        assert render(solution, "text", handout=True)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_template_explains_itself(name):
    template = families()[name].template
    assert template.startswith("# yaml-language-server: $schema=")
    assert f"problem: {name}\n" in template
    comments = [line for line in template.splitlines() if "#" in line]
    assert len(comments) >= 5
    assert "docs/problem-format.md" in template


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_marked_line_can_take_a_lifted_value(name):
    """A `# [name]` marker is where --from puts a given: the line must be `key: value  # [name] …`."""
    for line in families()[name].template.splitlines():
        if re.search(r"#\s*\[[A-Za-z_]\w*\]", line):
            assert _MARKED.match(line), line


def test_cli_writes_the_template(tmp_path):
    out = tmp_path / "q.yaml"
    run = invoke("new", "recurrent", "-o", out)
    assert run.exit_code == 0 and run.stdout == ""
    assert out.read_text(encoding="utf-8") == families()["recurrent"].template
    assert invoke("new", "calculus").stdout.rstrip("\n") == families()["calculus"].template.rstrip("\n")


def test_cli_refuses_an_unknown_family():
    run = invoke("new", "lstm")
    assert run.exit_code == 2 and "unknown problem family 'lstm'" in run.stderr and run.stdout == ""


def test_cli_does_not_write_over_a_file_unless_forced(tmp_path):
    out = tmp_path / "mine.yaml"
    out.write_text("problem: dense_network  # my finished problem\n", encoding="utf-8")
    run = invoke("new", "dense_network", "-o", out)
    assert run.exit_code == 2 and "exists" in run.stderr and "--force" in run.stderr
    assert out.read_text(encoding="utf-8") == "problem: dense_network  # my finished problem\n"
    assert invoke("new", "dense_network", "-o", out, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8") == families()["dense_network"].template
