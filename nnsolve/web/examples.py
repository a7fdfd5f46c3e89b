"""The problems the web page offers to start from: a commented template per family (always installed), and the
repository's examples, snippets and grading class when nnsolve runs from its source tree (`make demo`)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TEMPLATE = "template/"           # a template's name: template/dense_network
_FIELD = re.compile(r"^(problem|title):\s*(.+?)\s*$", re.M)


@lru_cache(maxsize=1)
def catalogue() -> dict:
    """{"templates": [...], "examples": [...], "snippets": [...], "classes": [...]}, each entry {name, family,
    title}; read once (the first line of each file that names them, not the whole file)."""
    from ..problems import REGISTRY
    templates = [{"name": TEMPLATE + family, "family": family, "title": f"template: {family}"}
                 for family in sorted(REGISTRY)]
    examples, snippets, classes = [], [], []
    if EXAMPLES.is_dir():
        for path in sorted(EXAMPLES.rglob("*")):
            name = path.relative_to(EXAMPLES).as_posix()
            if path.suffix == ".py":
                snippets.append({"name": name, "family": "snippet", "title": path.stem})
            elif path.suffix == ".csv":
                classes.append({"name": name, "family": "class", "title": name})
            elif path.suffix == ".yaml" and not path.name.endswith(".expect.yaml"):
                fields = dict(_FIELD.findall(path.read_text(encoding="utf-8", errors="replace")[:4000]))
                if "problem" in fields:
                    examples.append({"name": name, "family": fields["problem"].strip("'\""),
                                     "title": fields.get("title", path.stem).strip("'\"")})
    return {"templates": templates, "examples": examples, "snippets": snippets, "classes": classes}


def example_text(name: str) -> str | None:
    """The text of a catalogue entry by its name; None for any other name (never a path outside the examples)."""
    from ..problems import REGISTRY, family
    if name.startswith(TEMPLATE):
        found = name[len(TEMPLATE):]
        return family(found).template if found in REGISTRY else None
    known = {entry["name"] for group in catalogue().values() for entry in group}
    if name not in known:
        return None
    return (EXAMPLES / name).read_text(encoding="utf-8")
