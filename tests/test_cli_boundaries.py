"""The CLI is a thin, fast front: it never imports PyTorch (a test oracle only) and prints no traceback.

The tests here start real processes because the process is what they test: which modules a command
imports, the demo as `make demo` runs it, and exit codes through the installed script, whose `main()`
ends the process with os._exit. Every other CLI test runs in-process (tests/cli_runner.py)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-two-layer-tanh.yaml"
SCRIPT = Path(sys.executable).with_name("nnsolve")      # the console script beside the interpreter


def _modules_after(args: list[str]) -> set[str]:
    code = ("import sys\nfrom nnsolve.cli import app\n"
            "try:\n    app(args=sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


def test_solve_and_check_never_import_torch():
    for command in (["solve", str(DEMO)], ["solve", str(DEMO), "--format", "json"], ["check", str(DEMO)]):
        loaded = _modules_after(command)
        assert "nnsolve.problems.dense.solver" in loaded      # the command really ran
        assert not {m for m in loaded if m == "torch" or m.startswith("torch.")}, command


def test_sympy_is_loaded_only_for_calculus_problems():
    """SymPy costs about half a second to import: a network problem must not pay it."""
    loaded = _modules_after(["solve", str(DEMO)])
    assert not {m for m in loaded if m == "sympy" or m.startswith("sympy.")}
    calculus = ROOT / "examples" / "bits-001" / "ms23-q4-gd-three-steps.yaml"
    assert "sympy" in _modules_after(["solve", str(calculus)])


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
