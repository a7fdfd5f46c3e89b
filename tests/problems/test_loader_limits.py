"""Reading never blocks, never reads without bound, and never builds what is over a limit: a path is
refused by its kind, a file by its size, binary data by its NUL byte, a huge mapping after its 1,001st
key; every limit is named, documented, and raised through NNSOLVE_<NAME>; text reaches the reader with
its control characters written out. The deadline stops work that runs too long."""
from __future__ import annotations

import io
import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest
from bad_input import VALID

from nnsolve import limits
from nnsolve.limits import DeadlineExceeded, deadline
from nnsolve.problems import ProblemError
from nnsolve.problems.errors import printable
from nnsolve.problems.loader import load_data, load_file, load_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "problem-format.md"


def refusal(read, *args) -> str:
    with pytest.raises(ProblemError) as caught:
        read(*args)
    return str(caught.value)


# -- what a path names ---------------------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused_by_its_kind_without_being_read():
    assert "/dev/zero: 1 problem in the input:\n  is a device, not a problem file" in refusal(load_file, "/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "problem.yaml"
    os.mkfifo(fifo)
    with deadline(10):          # opening a FIFO for reading would wait for a writer for ever
        assert "is a named pipe (FIFO), not a problem file" in refusal(load_file, fifo)


def test_a_directory_is_refused(tmp_path):
    assert "is a directory" in refusal(load_file, tmp_path)


def test_a_nul_byte_is_not_text_and_its_line_is_named(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"problem: dense_network\ntitle: a\n\x00\x01\x02\n")
    assert "not a text file: it holds a NUL byte (line 3)" in refusal(load_file, path)


def test_a_file_growing_past_the_limit_is_read_only_up_to_it(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSOLVE_MAX_FILE_BYTES", "100")
    path = tmp_path / "big.yaml"
    path.write_text("a: 1\n" * 100)
    message = refusal(load_file, path)
    assert "the file is 500 bytes; limited to 100 bytes" in message and "NNSOLVE_MAX_FILE_BYTES" in message


class _Endless(io.RawIOBase):
    """Standard input that never ends, counting what is asked of it."""
    asked = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        _Endless.asked += len(buffer)
        buffer[:] = b"#" * len(buffer)
        return len(buffer)


def test_standard_input_is_read_up_to_the_limit_and_no_further(monkeypatch):
    monkeypatch.setenv("NNSOLVE_MAX_FILE_BYTES", "1000")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(_Endless(), buffer_size=64)))
    assert "<stdin>: 1 problem in the input:\n  more than 1,000 bytes" in refusal(load_file, "-")
    assert _Endless.asked < 2000


def test_standard_input_holds_yaml_or_json(monkeypatch):
    problem = json.dumps({"problem": "dense_network", "title": "from\tstdin"}).replace(", ", ",\t")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(problem.encode())))
    document = load_file("-")
    assert document.source == "<stdin>" and document.data["title"] == "from\tstdin"


# -- the shape of the data -------------------------------------------------------------------------------

def test_a_mapping_over_the_key_limit_is_refused_at_its_line(monkeypatch):
    monkeypatch.setenv("NNSOLVE_MAX_KEYS", "3")
    text = "problem: dense_network\nnetwork:\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n"
    assert "network: more than 3 keys in one mapping (raise it with NNSOLVE_MAX_KEYS) (line 2)" in \
        refusal(load_text, text)
    assert load_text(text.replace("  d: 4\n", "")).data["network"] == {"a": 1, "b": 2, "c": 3}


def test_a_mapping_of_300000_keys_is_refused_at_once():
    text = "problem: dense_network\n" + "".join(f"k{i}: {i}\n" for i in range(300_000))
    started = time.process_time()
    assert "more than 1,000 keys in one mapping" in refusal(load_text, text)
    assert time.process_time() - started < 2          # refused after 1,001 keys, not after 300,000


def test_an_alias_bomb_is_refused_before_it_is_expanded(monkeypatch):
    monkeypatch.setenv("NNSOLVE_MAX_VALUES", "10000")
    levels = "".join(f"n{k}: &n{k} [" + ", ".join([f"*n{k - 1}"] * 10) + "]\n" for k in range(1, 9))
    message = refusal(load_text, "n0: &n0 [1, 1]\n" + levels)      # 10⁸ values once expanded
    assert "n4: more than 10,000 values in the file" in message and "aliases" in message


def test_aliases_are_copies_located_as_the_node_they_name():
    doc = load_text("base: &b\n  W: [1, 2]\nlayers:\n  - *b\n  - *b\n")
    first, second = doc.data["layers"]
    assert first == second == {"W": [1, 2]} and first is not second and first["W"] is not second["W"]
    assert doc.line_of(("layers", 1)) == 1 and doc.line_of(("layers", 1, "W")) == 2     # `&b` is on line 1


@pytest.mark.parametrize("text, words", [
    ("a: 1\n---\nb: 2\n", "expected a single document, but found another (line 2)"),
    ("a: &x 1\nb: &x 2\n", "the anchor &x is defined twice (first at line 1) (line 2)"),
    ("a: 1\nb: *nowhere\n", "found undefined alias 'nowhere' (line 2)"),
    ("loop: &a [1, *a]\n", "loop: nested more than 32 levels deep (the YAML alias *a refers to itself) (line 1)"),
    ("deep: " + "[" * 40 + "]" * 40 + "\n", "deep: nested more than 32 levels deep (raise it with NNSOLVE_MAX_DEPTH)"),
])
def test_malformed_yaml_is_named_with_its_line(text, words):
    assert words in refusal(load_text, text)


# -- the limits themselves ---------------------------------------------------------------------------------

def test_a_limit_is_raised_or_lowered_through_the_environment(monkeypatch):
    deep = "a: " + "[" * 40 + "1" + "]" * 40 + "\n"
    monkeypatch.setenv("NNSOLVE_MAX_DEPTH", "41")
    assert load_text(deep).data["a"] is not None
    monkeypatch.setenv("NNSOLVE_MAX_DEPTH", "40")
    assert "nested more than 40 levels deep" in refusal(load_text, deep)


@pytest.mark.parametrize("variable, value, words", [
    ("NNSOLVE_MAX_DEPTH", "lots", "expected a whole number of at least 1 and at most 200, got 'lots'"),
    ("NNSOLVE_MAX_DEPTH", "5000", "at most 200"),
    ("NNSOLVE_MAX_VALUES", "3³", "got '3³'"),                  # "³".isdigit() is true; int("3³") fails
    ("NNSOLVE_MAX_VALUES", "9" * 5000, "expected a whole number"),
    ("NNSOLVE_MAX_DIGITS", "5", "at least 30"),
])
def test_a_malformed_override_is_refused_by_name(monkeypatch, variable, value, words):
    monkeypatch.setenv(variable, value)
    message = refusal(limits.check_environment)
    assert f"{variable}: " in message and words in message


def test_every_limit_is_in_the_table_of_the_documentation():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## 8. Errors and limits"):text.index("## 9.")]
    for limit in limits.LIMITS.values():
        assert re.search(rf"\| `{limit.name}` \| {re.escape(limit.shown)} \|", section), limit.name


# -- text reaches the reader as text ---------------------------------------------------------------------

def test_control_characters_are_written_out():
    assert printable("a\x1b]0;pwned\x07 \u202eb\u2069 \x9b\x7f\x00\r|\t|\n") == \
        "a\\x1b]0;pwned\\x07 \\u202eb\\u2069 \\x9b\\x7f\\x00\\x0d|\t|\n"
    assert printable("λ Σ |w| ✓ 日本") == "λ Σ |w| ✓ 日本"
    as_json = json.dumps({"t": "\x7f\x9b\u202e"}, ensure_ascii=False)
    assert json.loads(printable(as_json, json=True)) == {"t": "\x7f\x9b\u202e"}
    assert printable(as_json, json=True).isascii()


def test_text_of_a_file_or_a_dict_is_read_with_its_control_characters_written_out():
    doc = load_text('title: "\\e]0;pwned\\a"\n"\\u202ekey": 1\nplain: a\u202eb\n')
    assert doc.data == {"title": "\\x1b]0;pwned\\x07", "\\u202ekey": 1, "plain": "a\\u202eb"}
    assert load_data({"title": "\x1b[2J", "\x9bkey": ["\u2066"]}).data == {"title": "\\x1b[2J",
                                                                             "\\x9bkey": ["\\u2066"]}


def test_an_error_message_quoting_the_input_is_printable():
    message = refusal(load_text, 'problem: "\\e]0;x\\a"\n- broken')
    assert "\x1b" not in message and "\x07" not in message


# -- the deadline ----------------------------------------------------------------------------------------

def _busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_the_deadline_stops_a_busy_loop_and_leaves_no_timer_behind():
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as caught:
        with deadline(0.05):
            _busy(5)
    assert time.monotonic() - started < 2
    assert str(caught.value) == "stopped after 0.05 s, the time limit (raise it with timeout=)"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(signal.SIGALRM) is before
    with deadline(None), deadline(0):      # no limit
        _busy(0.01)


def test_an_inner_deadline_never_outlives_the_outer_one():
    with pytest.raises(DeadlineExceeded) as caught:
        with deadline(0.05):
            with deadline(30):
                _busy(5)
    assert caught.value.seconds == 0.05
    with deadline(30):
        with deadline(5):        # ample: a busy machine may pause this process for a moment
            _busy(0.01)
        assert 20 < signal.getitimer(signal.ITIMER_REAL)[0] <= 30      # the outer one is back in force
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_deadline_does_nothing_outside_the_main_thread():
    finished = []
    worker = threading.Thread(target=lambda: (deadline(0.01).__enter__(), _busy(0.05), finished.append(1)))
    worker.start()
    worker.join()
    assert finished == [1]


def test_the_python_api_takes_a_timeout():
    import nnsolve
    slow = ("problem: dense_network\nnetwork:\n  layout: in_out\n  layers: [&a {W: [[0.5, 0.1], [0.2, 0.3]], "
            "b: [0.1, 0.1], activation: tanh}" + ", *a" * 300 + "]\ndata: {x: [1, 2], target: [0, 1]}\n"
            "loss: {type: mse}\n")
    with pytest.raises(DeadlineExceeded):
        nnsolve.solve(slow, timeout=0.001)
    assert nnsolve.solve(VALID, timeout=60).value("u1") is not None
