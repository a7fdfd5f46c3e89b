"""The family registry is the only place that lists families: each family's package defines its
FAMILY, and each passes the same self-test on its golden examples (nnsolve/problems/selftest.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from nnsolve.problems import REGISTRY, families
from nnsolve.problems.selftest import selftest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = [(name, path) for name, family in sorted(families().items()) for path in family.golden]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_registered_family_defines_itself(name):
    family = families()[name]
    assert family.name == name
    assert family.golden, f"{name} has no golden example to test itself on"
    assert family.default_ask, f"{name} asks nothing by default"


@pytest.mark.parametrize("name, path", GOLDEN, ids=[f"{n}:{Path(p).stem}" for n, p in GOLDEN])
def test_family_passes_its_self_test(name, path):
    assert selftest(families()[name], ROOT / path) == []
