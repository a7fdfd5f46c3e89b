"""The bytes of a problem file or of standard input, safely: a path is refused by its kind before it is
opened (a FIFO would block, /dev/zero never end), at most the size limit is read, and what is read must be
UTF-8 text."""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from ..limits import MAX_FILE_BYTES
from .errors import Issue, ProblemError

STDIN = "-"                   # the file name that stands for standard input, as in most commands
STDIN_NAME = "<stdin>"        # standard input's name in messages


def read_text(path: str | Path) -> tuple[str, str]:
    """(the text, its name for messages) of a file, or of standard input for `-`."""
    from_stdin = str(path) == STDIN
    source = STDIN_NAME if from_stdin else str(path)
    raw = _read_stdin(source) if from_stdin else read_file_bytes(Path(path), source)
    return text_of(raw, source), source


def text_of(raw: bytes, source: str) -> str:
    """Bytes read as a problem (a file, standard input, a request's body) as text: UTF-8 without a NUL byte, else
    refused at the line of the first byte that is not."""
    nul = raw.find(b"\0")
    if nul >= 0:        # binary data, or text saved as UTF-16
        line = raw.count(b"\n", 0, nul) + 1
        raise _refusal(source, "not a text file: it holds a NUL byte", line)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise _refusal(source, f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start}); save the file "
                               f"as UTF-8", line) from None


def _refusal(source: str, message: str, line: int | None = None) -> ProblemError:
    return ProblemError([Issue("", message, line)], source)


def _refuse_unless_regular(mode: int, source: str) -> None:
    """A directory, FIFO, device or socket is refused by its kind: reading one could block or never end."""
    if stat.S_ISREG(mode):
        return
    what = ("a directory" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else
            "not a regular file")
    raise _refusal(source, f"is {what}, not a problem file")


def read_file_bytes(path: Path, source: str) -> bytes:
    """The bytes of a regular file, at most the size limit. Its kind is checked before it is opened
    (opening a FIFO blocks until a writer comes) and again once it is open (it may have been replaced)."""
    limit = MAX_FILE_BYTES.value
    try:
        _refuse_unless_regular(os.stat(path).st_mode, source)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            _refuse_unless_regular(info.st_mode, source)
            if info.st_size > limit:
                raise _refusal(source, MAX_FILE_BYTES.refusal(f"the file is {info.st_size:,} bytes"))
            raw = file.read(limit + 1)        # a file that grows, or a /proc file that says it is empty
    except FileNotFoundError:
        raise _refusal(source, "file not found") from None
    except OSError as e:
        raise _refusal(source, f"cannot read the file: {e.strerror or e}") from None
    if len(raw) > limit:
        raise _refusal(source, MAX_FILE_BYTES.refusal())
    return raw


def _read_stdin(source: str) -> bytes:
    """Standard input up to the size limit (+1 byte to tell that it goes on)."""
    limit = MAX_FILE_BYTES.value
    stream = sys.stdin
    if stream is None:
        raise _refusal(source, "there is no standard input to read")
    try:
        raw = getattr(stream, "buffer", stream).read(limit + 1)
    except OSError as e:
        raise _refusal(source, f"cannot read standard input: {e.strerror or e}") from None
    raw = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(raw) > limit:
        raise _refusal(source, MAX_FILE_BYTES.refusal())
    return raw


