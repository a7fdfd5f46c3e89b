"""The `nnsolve` command run in-process, as the tests run it: typer's CliRunner on `nnsolve.cli.app`, with
the exit code, standard output and standard error kept apart.

`nnsolve.cli.main()` (the installed script) adds only start-up tuning and a fast exit around `app()`;
the few tests about the real process (start-up imports, the demo, the exit code through the script)
start it as a subprocess instead: tests/test_cli_boundaries.py."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from os import PathLike

import typer
from typer.testing import CliRunner

from nnsolve.cli import app


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


@cache
def _command():
    """The click command typer makes of `app`. `CliRunner.invoke(app, …)` makes it anew on every call (~4 ms,
    as long as many a command's own work), so it is made once and run the way `CliRunner.invoke` runs it."""
    return typer.main.get_command(app)


def invoke(*args: str | PathLike, env: dict[str, str | None] | None = None) -> Run:
    """`nnsolve ARGS…` with `env` set (None removes a variable) for the run only. An exception that escapes
    the command is raised here, so a test never mistakes it for an exit code."""
    runner, command = CliRunner(), _command()
    with runner.isolation(env=env) as (stdout, stderr, _output):
        try:
            command.main([str(a) for a in args], prog_name=runner.get_default_prog_name(command))
            exit_code = 0
        except SystemExit as done:
            exit_code = 0 if done.code is None else done.code
            if not isinstance(exit_code, int):
                print(exit_code)
                exit_code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = stdout.getvalue(), stderr.getvalue()
    return Run(exit_code, _text(out, runner.charset), _text(err, runner.charset))


def _text(data: bytes, charset: str) -> str:
    return data.decode(charset, "replace").replace("\r\n", "\n")
