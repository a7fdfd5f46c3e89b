"""The limits table of docs/problem-format.md §8 is the list of nnsolve.limits.LIMITS: every limit documented
with its value, and nothing documented that the code does not have."""
import re
from pathlib import Path

from nnsolve.limits import LIMITS

DOCS = Path(__file__).parent.parent / "docs" / "problem-format.md"


def documented() -> dict[str, str]:
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]+) \|", DOCS.read_text(encoding="utf-8"), re.M)
    return {name: value.strip() for name, value in rows if name.startswith(("MAX_", "TIMEOUT"))}


def test_every_limit_is_in_the_table_with_its_value():
    table = documented()
    assert list(table) == list(LIMITS), "the table lists the limits in the order nnsolve/limits.py declares them"
    for name, limit in LIMITS.items():
        assert float(table[name].replace(",", "")) == limit.default, name


def test_the_table_states_how_to_raise_a_limit():
    text = DOCS.read_text(encoding="utf-8")
    assert "NNSOLVE_<NAME>=<number>" in text
