"""The storage of saved problems and grading runs: it survives a restart, and a damaged, locked or unwritable
database is reported (503 with the reason, and a warning from `nnsolve serve`) while everything else works."""
from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from nnsolve.web import storage as storage_module
from nnsolve.web.app import create_app
from nnsolve.web.pool import InlinePool
from nnsolve.web.storage import FILE_NAME, Storage, StorageError, data_folder
from tests.conftest import EXAMPLES

DEMO = (EXAMPLES / "demo-two-layer-tanh.yaml").read_text(encoding="utf-8")
GRADING = EXAMPLES / "grading"


def app_on(folder):
    return TestClient(create_app(InlinePool(), Storage(folder)), raise_server_exceptions=False)


def test_items_and_runs_survive_a_restart(tmp_path):
    first = Storage(tmp_path)
    item = first.save("problem", "demo", DEMO)["id"]
    run = first.save_run("quiz", DEMO, "class.csv", {"gradebook": "student,total\n"})
    again = Storage(tmp_path)
    assert again.get(item)["text"] == DEMO and again.saved("problem")[0]["name"] == "demo"
    assert again.run(run)["result"] == {"gradebook": "student,total\n"} and again.runs()[0]["id"] == run
    assert again.saved("key") == []


def test_a_damaged_database_is_reported_and_the_rest_works(tmp_path):
    (tmp_path / FILE_NAME).write_bytes(b"this is not a database" * 100)
    damaged = Storage(tmp_path)
    assert "is damaged" in damaged.problem and "--data DIR" in damaged.problem
    with pytest.raises(StorageError):
        damaged.saved()
    with app_on(tmp_path) as client:
        reply = client.get("/api/saved")
        assert reply.status_code == 503 and reply.json()["kind"] == "storage" and "damaged" in reply.json()["error"]
        assert client.post("/api/saved", json={"name": "x", "text": DEMO}).status_code == 503
        assert client.get("/api/runs/1").status_code == 503
        assert client.get("/api/runs/1/report.md").status_code == 503
        assert client.post("/api/solve", content=DEMO).status_code == 200
        graded = client.post("/api/grade", data={"problem": (GRADING / "problem.yaml").read_text(encoding="utf-8")},
                             files={"submissions": ("class.csv", (GRADING / "class.csv").read_bytes())})
        assert graded.status_code == 200 and graded.json()["run"] is None
        assert graded.json()["saved"].startswith("not saved: the database")
        assert "damaged" in client.get("/api/health").json()["storage_problem"]


def test_a_locked_database_is_reported_not_waited_on_forever(tmp_path, monkeypatch):
    monkeypatch.setattr(storage_module, "LOCK_WAIT", 0.1)
    kept = Storage(tmp_path)
    holder = sqlite3.connect(tmp_path / FILE_NAME)
    holder.execute("BEGIN EXCLUSIVE")          # another program writing
    try:
        with pytest.raises(StorageError, match="is locked by another program"):
            kept.save("problem", "demo", DEMO)
        with app_on(tmp_path) as client:
            reply = client.get("/api/saved")
            assert reply.status_code == 503 and "locked" in reply.json()["error"]
    finally:
        holder.rollback()
        holder.close()
    assert kept.save("problem", "demo", DEMO)["name"] == "demo"     # once released, it works again


def test_an_unusable_folder_is_reported(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "cannot use the folder" in Storage(blocker / "data").problem


def test_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("NNSOLVE_DATA", str(tmp_path))
    assert data_folder() == tmp_path
    monkeypatch.delenv("NNSOLVE_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_folder() == tmp_path / "xdg" / "nnsolve"


def test_a_database_of_the_first_form_gains_the_new_columns_and_keeps_its_runs(tmp_path):
    """Runs kept before a run kept its class: they stay readable, and their feedback says it cannot be made."""
    with sqlite3.connect(tmp_path / FILE_NAME) as old:
        old.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, title TEXT NOT NULL, created TEXT NOT NULL, "
                    "problem TEXT NOT NULL, submissions_name TEXT NOT NULL, result TEXT NOT NULL)")
        old.execute("INSERT INTO runs VALUES (1, 'quiz', '2026-12-01', 'problem: x', 'class.csv', "
                    "'{\"gradebook\": \"student,total\\n\", \"report\": \"# r\"}')")
    kept = Storage(tmp_path)
    assert kept.problem is None and kept.run(1)["result"]["report"] == "# r"
    assert kept.run(1, with_class=True)["class"] == b""
    with app_on(tmp_path) as client:
        reply = client.get("/api/runs/1/feedback.zip")
        assert reply.status_code == 404 and "kept without its class" in reply.json()["error"]
        assert client.get("/api/runs/1/gradebook.csv").text == "student,total\n"
