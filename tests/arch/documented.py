"""The Python example under a heading of docs/problem-format.md: the text the docs show, which tests read and
check against what the docs say of it (so an example and its stated numbers cannot drift apart)."""
from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "problem-format.md"


def documented_snippet(heading: str) -> str:
    """The first ```python block after `heading` (the heading's whole line, e.g. "### Model files: …")."""
    doc = DOC.read_text(encoding="utf-8")
    section = doc[doc.index(heading):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)
