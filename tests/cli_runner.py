"""The `nnsolve` command run in-process, as the tests run it: typer's CliRunner on `nnsolve.cli.app`, with
the exit code, standard output and standard error kept apart.

`nnsolve.cli.main()` (the installed script) adds only start-up tuning and a fast exit around `app()`;
the few tests about the real process (start-up imports, the demo, the exit code through the script)
start it as a subprocess instead: tests/test_cli_boundaries.py."""
from __future__ import annotations

from dataclasses import dataclass
from os import PathLike

from typer.testing import CliRunner

from nnsolve.cli import app


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str | PathLike, env: dict[str, str | None] | None = None) -> Run:
    """`nnsolve ARGS…` with `env` set (None removes a variable) for the run only. An exception that escapes
    the command is raised here, so a test never mistakes it for an exit code."""
    result = CliRunner().invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)
