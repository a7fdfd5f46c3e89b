"""The CLI is a thin, fast front: it never imports PyTorch (a test oracle only) and prints no traceback.

The tests here start real processes because the process is what they test: which modules a command
imports, the demo as `make demo` runs it, and exit codes through the installed script, whose `main()`
ends the process with os._exit. Every other CLI test runs in-process (tests/cli_runner.py)."""
import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-two-layer-tanh.yaml"
SCRIPT = Path(sys.executable).with_name("nnsolve")      # the console script beside the interpreter
NETWORK_COMMANDS = (("solve", str(DEMO)), ("solve", str(DEMO), "--format", "json"), ("check", str(DEMO)))
SENTINEL = "--- command done; modules loaded so far:"


@lru_cache(maxsize=None)
def _run_in_one_process(*commands: tuple[str, ...]) -> list[tuple[str, set[str]]]:
    """Each command's output and the modules loaded once it has run, for commands run one after another
    in one fresh process (so each set includes the modules of the commands before it)."""
    code = ("import json, sys\nfrom nnsolve.cli import app\n"
            "for args in json.loads(sys.argv[1]):\n"
            "    try:\n        app(args=args, standalone_mode=False)\n    except SystemExit:\n        pass\n"
            f"    print({SENTINEL!r}, json.dumps(sorted(sys.modules)), flush=True)\n")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(commands)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    parts = done.stdout.split(SENTINEL)
    outputs, loaded = parts[:-1], [json.loads(p.splitlines()[0]) for p in parts[1:]]
    return [(output.split("\n", 1)[-1] if i else output, set(modules))
            for i, (output, modules) in enumerate(zip(outputs, loaded))]


def _named(loaded: set[str], package: str) -> set[str]:
    return {m for m in loaded if m == package or m.startswith(package + ".")}


def test_solve_and_check_never_import_torch():
    runs = _run_in_one_process(*NETWORK_COMMANDS)
    assert len(runs) == len(NETWORK_COMMANDS)
    (text, _), (as_json, _), (report, _) = runs
    assert "u₁ =" in text and json.loads(as_json)["steps"] and "answers:" in report    # each command really ran
    for command, (_, loaded) in zip(NETWORK_COMMANDS, runs):
        assert not _named(loaded, "torch"), command


def test_sympy_is_loaded_only_for_calculus_problems():
    """SymPy costs about half a second to import: a network problem must not pay it."""
    (*_, (_, loaded)) = _run_in_one_process(*NETWORK_COMMANDS)
    assert not _named(loaded, "sympy")
    calculus = ROOT / "examples" / "bits-001" / "ms23-q4-gd-three-steps.yaml"
    ((_, loaded),) = _run_in_one_process(("solve", str(calculus)))
    assert "sympy" in loaded


def test_demo_prints_a_worked_solution_with_its_conventions():
    done = subprocess.run([sys.executable, "-m", "nnsolve.cli", "solve", str(DEMO)], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Conventions" in out and "W is [in][out]" in out
    # u₁ = W₁ᵀx + b₁ with x = (1, 2): (3.2 − 2.4 + 0.5, −2.4 − 2.8 + 0.5, −2.1 + 5.2 + 0.5) = (1.3, −4.7, 3.6)
    assert "[1.3, -4.7, 3.6]" in out.replace(" ", "").replace(",", ", ")


@pytest.mark.parametrize("args, code, stream, words", [
    (["check", "tests/check/cases/slipped-key.yaml"], 1, "stdout", "First divergence: u2"),
    (["solve", "tests/check/cases/nowhere.yaml"], 2, "stderr", "file not found"),
])
def test_the_installed_script_exits_with_the_documented_code(args, code, stream, words):
    done = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == code, done.stdout + done.stderr
    assert words in getattr(done, stream)          # written out before the fast exit
    assert "Traceback" not in done.stdout + done.stderr
