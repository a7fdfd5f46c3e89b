"""`nnsolve serve` as a user starts it: a real process that prints its address, answers on 127.0.0.1 only, keeps
its data where --data says, and stops cleanly on Ctrl-C (SIGINT); a port in use is refused with exit 2."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from tests.cli_runner import invoke
from tests.conftest import EXAMPLES, ROOT

DEMO = EXAMPLES / "demo-two-layer-tanh.yaml"


def _started(process) -> str:
    """The address the server prints on stderr once it listens."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        if line.startswith("nnsolve serving "):
            return line.split()[2]
    raise AssertionError(f"the server did not start: {process.stderr.read()}")


def test_serve_answers_keeps_its_data_and_stops_on_ctrl_c(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "nnsolve", "serve", "--port", "0", "--data", str(tmp_path),
                                "--workers", "1"], stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        url = _started(process)
        assert url.startswith("http://127.0.0.1:")
        request = urllib.request.Request(url + "api/solve", data=DEMO.read_bytes(), method="POST")
        with urllib.request.urlopen(request, timeout=60) as reply:
            assert json.load(reply)["kind"] == "dense_network"
        save = urllib.request.Request(url + "api/saved", data=json.dumps({"name": "demo", "text": "x"}).encode(),
                                      headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(save, timeout=30) as reply:
            assert reply.status == 201
        with urllib.request.urlopen(url + "api/health", timeout=30) as reply:
            assert json.load(reply)["workers"] == 1
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (tmp_path / "nnsolve.sqlite3").is_file()


def test_a_port_in_use_is_refused(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = invoke("serve", "--port", str(port), "--data", str(tmp_path), "--workers", "0")
    assert run.exit_code == 2
    assert f"--port: cannot listen on 127.0.0.1:{port}" in run.stderr


def test_serve_is_documented_in_the_help():
    run = invoke("serve", "--help")
    assert run.exit_code == 0
    for option in ("--port", "--host", "--open", "--data", "--cpu-seconds", "--max-body-mb", "--max-upload-mb"):
        assert option in run.stdout
