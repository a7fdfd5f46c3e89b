"""The hostile-input corpus as data: tests/hostile/manifest.yaml names each case, the file it reads (a file
under tests/hostile/cases/, a file generated from a few parts, a named pipe, or none), what nnsolve must
answer, and whether it runs as a real process or in-process. `Case.command(folder)` puts the case's file
in `folder` and gives the command line to run.

The manifest's format is described at its top."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CASES = HERE / "cases"
MANIFEST = HERE / "manifest.yaml"
KEYS = {"file", "generate", "fifo", "suffix", "args", "exit", "says"}


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple                       # strings, "{file}" for the case's file, lists of parts for built ones
    exits: tuple[int, ...]
    says: dict[int, tuple[str, ...]]  # exit code → fragments the message must contain
    file: Path | None = None
    generate: tuple | None = None
    fifo: bool = False
    suffix: str = ".yaml"
    in_process: bool = False

    def command(self, folder: Path) -> list[str]:
        """The arguments after `nnsolve`, with the case's file made in `folder` (when it has one)."""
        path = None
        if self.file is not None:
            path = self.file
        elif self.generate is not None:
            path = folder / f"{self.name}{self.suffix}"
            path.write_text(build(self.generate), encoding="utf-8")
        elif self.fifo:
            path = folder / f"{self.name}{self.suffix}"
            os.mkfifo(path)
        return [str(path) if arg == "{file}" else build(arg) if isinstance(arg, list)
                else arg.replace("{root}", str(ROOT)) for arg in self.args]

    def fragments(self, exit_code: int) -> tuple[str, ...]:
        return self.says.get(exit_code, ())


def build(parts) -> str:
    """Text from parts: a string, or [string, times] repeated (`<i>` in it is the repetition's index)."""
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
        else:
            text, times = part
            pieces.append("".join(text.replace("<i>", str(i)) for i in range(times)) if "<i>" in text
                          else text * times)
    return "".join(pieces)


def load_cases(manifest: Path = MANIFEST) -> list[Case]:
    sections = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    assert set(sections) == {"processes", "in_process"}, "the manifest has two sections: processes, in_process"
    return [_case(name, entry, in_process=section == "in_process")
            for section, entries in sections.items() for name, entry in entries.items()]


def _case(name: str, entry: dict, in_process: bool) -> Case:
    unknown = set(entry) - KEYS
    assert not unknown, f"{name}: unknown keys {sorted(unknown)} in the manifest"
    assert sum(k in entry for k in ("file", "generate", "fifo")) <= 1, f"{name}: one of file, generate, fifo"
    file = CASES / entry["file"] if "file" in entry else None
    assert file is None or file.is_file(), f"{name}: no file {file}"
    suffix = entry.get("suffix", file.suffix if file else ".yaml")
    has_file = file is not None or "generate" in entry or entry.get("fifo", False)
    args = entry.get("args") or ["summary" if suffix == ".py" else "solve", "{file}"]
    assert has_file == ("{file}" in args), f"{name}: args name the file exactly when the case has one"
    exits = tuple(entry["exit"]) if isinstance(entry["exit"], list) else (entry["exit"],)
    assert 3 not in exits, f"{name}: exit code 3 is a bug, never an expectation"
    assert not (in_process and entry.get("fifo")), f"{name}: a named pipe is read by a real process only"
    return Case(name=name, args=tuple(args), exits=exits, says=_says(entry.get("says"), exits), file=file,
                generate=tuple(entry["generate"]) if "generate" in entry else None,
                fifo=entry.get("fifo", False), suffix=suffix, in_process=in_process)


def _says(says, exits: tuple[int, ...]) -> dict[int, tuple[str, ...]]:
    if says is None:
        return {}
    if isinstance(says, dict):
        return {int(code): tuple(v) if isinstance(v, list) else (v,) for code, v in says.items()}
    fragments = tuple(says) if isinstance(says, list) else (says,)
    return {code: fragments for code in exits}
