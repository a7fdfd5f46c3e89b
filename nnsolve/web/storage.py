"""The web page's storage: saved problems, keys and snippets, and grading runs, in one SQLite file in the user's
data folder (`nnsolve serve --data DIR` moves it), so that nothing is lost when the server restarts.

Every operation opens its own connection (the server's threads never share one) and commits before it returns. A
database that is corrupt, not a database, locked by another program or unwritable raises `StorageError`, which the
API answers with 503 and this message; the rest of the server (solving, checking, grading without saving) goes on.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

FILE_NAME = "nnsolve.sqlite3"
KINDS = ("problem", "key", "snippet")
SCHEMA = """
CREATE TABLE IF NOT EXISTS saved (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('problem', 'key', 'snippet')),
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    problem TEXT NOT NULL,
    submissions_name TEXT NOT NULL,
    result TEXT NOT NULL
);
"""
# the columns of `runs` added after its first form, to a new database and to an older one alike (whose runs keep no
# class to mark again)
ADDED_COLUMNS = {"submissions": "BLOB NOT NULL DEFAULT x''", "columns": "TEXT"}
LOCK_WAIT = 2.0          # seconds to wait for another writer before the database is reported locked


class StorageError(Exception):
    """The database cannot be used; the message says why and what to do."""


def data_folder() -> Path:
    """Where nnsolve keeps its data: NNSOLVE_DATA, else the platform's user data folder."""
    if os.environ.get("NNSOLVE_DATA"):
        return Path(os.environ["NNSOLVE_DATA"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "nnsolve"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "nnsolve"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "nnsolve"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Storage:
    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE_NAME
        self.problem: str | None = None      # why the database cannot be used, found when opened (None: it can)
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            with self._connection() as db:
                db.executescript(SCHEMA)
                present = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
                for name, kind in ADDED_COLUMNS.items():
                    if name not in present:
                        db.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
                found = db.execute("PRAGMA quick_check").fetchone()[0]
                if found != "ok":
                    raise sqlite3.DatabaseError(f"database disk image is malformed ({found})")
        except StorageError as e:
            self.problem = str(e)
        except OSError as e:
            self.problem = f"cannot use the folder {str(folder)!r}: {e.strerror or e}; start the server with --data DIR"

    def _connection(self):
        """A connection whose errors become StorageErrors; committed (or rolled back) and closed on leaving."""
        return _Connection(self.path)

    def _check(self) -> None:
        if self.problem:
            raise StorageError(self.problem)

    # -- saved problems, keys and snippets --------------------------------------------------------------
    def saved(self, kind: str | None = None) -> list[dict]:
        self._check()
        with self._connection() as db:
            rows = db.execute("SELECT id, kind, name, created, updated, length(text) FROM saved "
                              + ("WHERE kind = ? " if kind else "") + "ORDER BY updated DESC, id DESC",
                              (kind,) if kind else ()).fetchall()
        return [{"id": r[0], "kind": r[1], "name": r[2], "created": r[3], "updated": r[4], "size": r[5]} for r in rows]

    def get(self, item: int) -> dict | None:
        self._check()
        with self._connection() as db:
            r = db.execute("SELECT id, kind, name, text, created, updated FROM saved WHERE id = ?", (item,)).fetchone()
        return None if r is None else {"id": r[0], "kind": r[1], "name": r[2], "text": r[3], "created": r[4],
                                       "updated": r[5]}

    def save(self, kind: str, name: str, text: str, item: int | None = None) -> dict | None:
        """Save a new item, or replace item `item` (None when there is no such item)."""
        self._check()
        now = _now()
        with self._connection() as db:
            if item is None:
                cursor = db.execute("INSERT INTO saved (kind, name, text, created, updated) VALUES (?, ?, ?, ?, ?)",
                                    (kind, name, text, now, now))
                item = cursor.lastrowid
            elif not db.execute("UPDATE saved SET kind = ?, name = ?, text = ?, updated = ? WHERE id = ?",
                                (kind, name, text, now, item)).rowcount:
                return None
        return self.get(item)

    def delete(self, item: int) -> bool:
        self._check()
        with self._connection() as db:
            return db.execute("DELETE FROM saved WHERE id = ?", (item,)).rowcount > 0

    # -- grading runs -----------------------------------------------------------------------------------
    def save_run(self, title: str, problem: str, submissions_name: str, result: dict, submissions: bytes = b"",
                 columns: str | None = None) -> int:
        """A grading run: the problem, the class as uploaded (to mark it again for the students' feedback) and the
        column mapping it was read with, and what the marking gave."""
        self._check()
        with self._connection() as db:
            return db.execute("INSERT INTO runs (title, created, problem, submissions_name, result, submissions, "
                              "columns) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (title, _now(), problem, submissions_name, json.dumps(result, ensure_ascii=False),
                               submissions, columns)).lastrowid

    def runs(self) -> list[dict]:
        self._check()
        with self._connection() as db:
            rows = db.execute("SELECT id, title, created, submissions_name FROM runs ORDER BY id DESC").fetchall()
        return [{"id": r[0], "title": r[1], "created": r[2], "submissions": r[3]} for r in rows]

    def run(self, run: int, with_class: bool = False) -> dict | None:
        """A grading run; `with_class` adds the class as uploaded and its column mapping."""
        self._check()
        with self._connection() as db:
            r = db.execute("SELECT id, title, created, problem, submissions_name, result, submissions, columns "
                           "FROM runs WHERE id = ?", (run,)).fetchone()
        if r is None:
            return None
        found = {"id": r[0], "title": r[1], "created": r[2], "problem": r[3], "submissions": r[4],
                 "result": json.loads(r[5])}
        if with_class:
            found["class"], found["columns"] = bytes(r[6]), r[7]
        return found


class _Connection:
    def __init__(self, path: Path):
        self.path = path
        self.db = None

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.db = sqlite3.connect(self.path, timeout=LOCK_WAIT)
            return self.db
        except sqlite3.Error as e:
            raise StorageError(_why(e, self.path)) from None

    def __exit__(self, kind, error, trace) -> bool:
        with closing(self.db):
            try:
                if kind is None:
                    self.db.commit()
                else:
                    self.db.rollback()
            except sqlite3.Error as e:
                if kind is None:
                    raise StorageError(_why(e, self.path)) from None
        if kind is not None and issubclass(kind, sqlite3.Error):
            raise StorageError(_why(error, self.path)) from None
        return False


def _why(error: sqlite3.Error, path: Path) -> str:
    text = str(error)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return (f"the database {str(path)!r} is locked by another program ({text}); close it, or start the server "
                f"with --data DIR")
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return (f"the database {str(path)!r} is damaged ({text}); move it away (nnsolve starts a new one), or start "
                f"the server with --data DIR")
    if "readonly" in lowered or "unable to open" in lowered or "disk" in lowered:
        return f"cannot write the database {str(path)!r} ({text}); start the server with --data DIR"
    return f"the database {str(path)!r} cannot be used ({text})"
