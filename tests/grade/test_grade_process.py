"""`nnsolve grade` as a process: a network problem's class is marked without importing PyTorch or SymPy."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_grading_a_network_class_imports_neither_torch_nor_sympy():
    code = ("import json, sys\nfrom nnsolve.cli import app\n"
            "try:\n    app(args=sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print('MODULES', json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, "grade", "examples/grading/problem.yaml",
                           "examples/grading/class.csv"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "students: 8" in done.stdout
    loaded = json.loads(done.stdout.split("MODULES", 1)[1])
    assert not [m for m in loaded if m.split(".")[0] in ("torch", "sympy")]
