"""The limits that need real worker processes: a request past its CPU time is stopped with a 422 and the worker
lives on; a worker stuck past the wall-clock backstop, or killed, is replaced; one slow problem does not hold up
another user; a full line of waiting requests gets 503; bodies and uploads over their size get 413."""
from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from nnsolve.web.app import create_app
from nnsolve.web.pool import InlinePool, WorkerPool
from nnsolve.web.storage import Storage
from tests.conftest import EXAMPLES

DEMO = (EXAMPLES / "demo-two-layer-tanh.yaml").read_text(encoding="utf-8")
# valid and within every input limit, but about a minute of exact arithmetic: 20,000 descent steps on a function
# with exp and tanh (each iterate carried to full precision)
SLOW = """problem: calculus
title: slow on purpose
function: x^2 + 3y^2 - 2x + exp(x*y/7) + tanh(x - y/3)
variables: [x, y]
descent: {type: sgd, start: [0.3, 1.1], lr: 0.01, steps: 20000}
"""


@pytest.fixture(scope="module")
def pool():
    """Two workers, one CPU second per request (the server's default is 30)."""
    workers = WorkerPool(2, cpu_seconds=1.0)
    yield workers
    workers.close()


def wait_until(condition, seconds: float = 20.0) -> None:
    """Until `condition()` holds (a request dispatched, say), however loaded the machine is."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def client_of(pool, tmp_path, **limits):
    return TestClient(create_app(pool, Storage(tmp_path), **limits), raise_server_exceptions=False)


def test_a_request_past_its_cpu_time_is_stopped_and_the_worker_serves_the_next(pool, tmp_path):
    client = client_of(pool, tmp_path)
    started = time.monotonic()
    reply = client.post("/api/solve", content=SLOW)
    assert reply.status_code == 422 and reply.json()["kind"] == "time", reply.text
    assert reply.json()["error"].startswith("stopped after 1 s of CPU time, the server's limit per request")
    assert time.monotonic() - started < 15
    for _ in range(3):                           # both workers still answer (none was replaced)
        assert client.post("/api/solve", content=DEMO).status_code == 200
    assert pool.replaced == 0


def test_one_slow_problem_does_not_hold_up_another_user(pool, tmp_path):
    client = client_of(pool, tmp_path)
    slow = threading.Thread(target=lambda: client.post("/api/solve", content=SLOW))
    slow.start()
    wait_until(lambda: pool._idle.qsize() == 1)          # the slow problem holds one worker
    assert client.post("/api/solve", content=DEMO).status_code == 200
    assert slow.is_alive()                      # answered by the other worker while the slow one still ran
    slow.join()


def test_a_stuck_worker_is_killed_at_the_backstop_and_replaced(tmp_path):
    stuck = WorkerPool(1, cpu_seconds=600, backstop=1.0)
    try:
        client = client_of(stuck, tmp_path)
        reply = client.post("/api/solve", content=SLOW)
        assert reply.status_code == 422 and reply.json()["kind"] == "time"
        assert "stopped: the work ended without an answer within 1 s" in reply.json()["error"]
        assert stuck.replaced == 1
        assert client.post("/api/solve", content=DEMO).status_code == 200       # its replacement works
    finally:
        stuck.close()


def test_a_killed_worker_is_replaced(tmp_path):
    single = WorkerPool(1, cpu_seconds=600)
    try:
        client = client_of(single, tmp_path)
        victim = single._idle.queue[0].process
        killer = threading.Timer(0.5, victim.kill)
        killer.start()
        reply = client.post("/api/solve", content=SLOW)
        killer.join()
        assert reply.status_code == 422 and "ended without an answer" in reply.json()["error"]
        assert single.replaced == 1 and not victim.is_alive()
        assert client.post("/api/solve", content=DEMO).status_code == 200
    finally:
        single.close()


def test_a_full_line_gets_503(tmp_path):
    narrow = WorkerPool(1, cpu_seconds=1.0, queue_size=0)
    try:
        client = client_of(narrow, tmp_path)
        slow = threading.Thread(target=lambda: client.post("/api/solve", content=SLOW))
        slow.start()
        wait_until(lambda: narrow._waiting == 1)
        reply = client.post("/api/solve", content=DEMO)
        slow.join()
        assert reply.status_code == 503 and reply.json()["kind"] == "busy"
        assert client.post("/api/solve", content=DEMO).status_code == 200          # once the line is free
    finally:
        narrow.close()


@pytest.fixture()
def small(tmp_path):
    """An app with small limits: 1,000-byte bodies, 5,000-byte uploads."""
    with TestClient(create_app(InlinePool(), Storage(tmp_path), max_body=1000, max_upload=5000),
                    raise_server_exceptions=False) as c:
        yield c


def test_a_body_over_its_limit_is_413_by_its_length(small):
    reply = small.post("/api/solve", content="# " + "x" * 1200 + "\n" + "problem: dense_network\n")
    assert reply.status_code == 413 and reply.json()["kind"] == "size"
    assert reply.json()["error"].startswith("the request body is 1,226 bytes; the server takes at most 1,000 bytes")


def test_a_body_without_a_length_is_counted_as_it_arrives(small):
    def chunks():
        for _ in range(30):
            yield b"# " + b"x" * 98 + b"\n"
    reply = small.post("/api/solve", content=chunks())
    assert reply.status_code == 413 and "the server takes at most 1,000 bytes" in reply.json()["error"]


def test_an_upload_over_its_limit_is_413_and_a_problem_in_a_form_is_held_to_the_body_limit(small):
    reply = small.post("/api/grade", data={"problem": "x"}, files={"submissions": ("class.csv", b"a," * 3000)})
    assert reply.status_code == 413 and reply.json()["error"].startswith("the upload is")
    reply = small.post("/api/grade", data={"problem": "#" * 1500}, files={"submissions": ("class.csv", b"s,h1\n")})
    assert reply.status_code == 413 and reply.json()["error"].startswith("problem is 1,500 bytes")
    reply = small.post("/api/check-answers", json={"problem": "#" * 2000, "answers": {}})
    assert reply.status_code == 413 and reply.json()["error"].startswith("the request body is")


def test_requests_whose_clients_left_are_not_worked_on(tmp_path):
    """An editor sends a request per pause in typing and drops the superseded ones; a script gives up. Such a request
    waiting for a worker is dropped when its turn comes, not solved for nobody (found by the load test: 1,039
    abandoned requests kept the server busy for 5 s and made it answer 503 to the next user)."""
    import socket

    import uvicorn
    single = WorkerPool(1, cpu_seconds=1.0)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(single, Storage(tmp_path)), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started)
        slow = threading.Thread(target=_post, args=(port, SLOW))
        slow.start()
        wait_until(lambda: single._idle.qsize() == 0)              # the slow problem holds the only worker
        for _ in range(5):                                          # five requests sent, and their clients gone
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(_request(DEMO))
        wait_until(lambda: single._waiting == 0)
        slow.join()
        assert single.dropped == 5 and single.replaced == 0
        assert _post(port, DEMO).startswith("HTTP/1.1 200")
    finally:
        server.should_exit = True
        thread.join(10)
        single.close()


def _request(body: str) -> bytes:
    data = body.encode()
    return (b"POST /api/solve HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/yaml\r\n"
            b"Content-Length: " + str(len(data)).encode() + b"\r\nConnection: close\r\n\r\n" + data)


def _post(port: int, body: str) -> str:
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(_request(body))
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")
