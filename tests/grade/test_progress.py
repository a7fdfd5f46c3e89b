"""The progress bar of long marking runs: only on a terminal, only for a large class or a slow run; never in
captured or piped output, and rich not even imported then."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from nnsolve.grading.progress import LONG_CLASS, LONG_SECONDS, progress_bar

ROOT = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_the_stream_is_not_a_terminal():
    assert progress_bar(io.StringIO()) is None
    closed = io.StringIO()
    closed.close()
    assert progress_bar(closed) is None


def test_a_large_class_on_a_terminal_gets_a_bar_and_every_student():
    screen = Terminal()
    students = list(range(LONG_CLASS + 1))
    assert list(progress_bar(screen)(students)) == students
    assert "marking" in screen.getvalue()


def test_a_small_class_gets_a_bar_only_once_the_run_is_slow():
    quick = Terminal()
    assert list(progress_bar(quick, clock=lambda: 0.0)(range(5))) == list(range(5))
    assert quick.getvalue() == ""
    ticks = iter([0.0, 0.0, LONG_SECONDS + 1, LONG_SECONDS + 2, LONG_SECONDS + 3, LONG_SECONDS + 4])
    slow = Terminal()
    assert list(progress_bar(slow, clock=lambda: next(ticks))(range(5))) == list(range(5))
    assert "marking" in slow.getvalue()


def test_a_large_class_piped_has_no_bar_and_does_not_import_rich(tmp_path):
    rows = list(csv.reader((ROOT / "examples" / "grading" / "class.csv").open(encoding="utf-8")))
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(rows[0])
        for i in range(LONG_CLASS + 10):
            writer.writerow([f"x{i}", *rows[1][1:]])
    code = ("import json, sys\nfrom nnsolve.cli import app\n"
            "try:\n    app(args=sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print('MODULES', json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, "grade", "examples/grading/problem.yaml", str(big)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"students: {LONG_CLASS + 10}" in done.stdout
    assert done.stderr == ""
    assert "marking" not in done.stdout.split("MODULES")[0] and "━" not in done.stdout
    loaded = json.loads(done.stdout.split("MODULES", 1)[1])
    assert not [m for m in loaded if m.split(".")[0] == "rich"]
