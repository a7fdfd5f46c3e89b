"""`nnsolve schema`: the JSON Schema of problem files accepts every example as written and rejects unknown keys.
Checked with tests/authoring/minischema.py (jsonschema is not installed with nnsolve)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cli_runner import invoke
from minischema import errors
from nnsolve.authoring.schema import family_schema, problem_schema
from nnsolve.problems import REGISTRY, families

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.yaml") if not p.name.endswith(".expect.yaml"))


def plain(value):
    """YAML data as JSON has it: keys are text (a YAML date or number key is read by nnsolve as text too)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return str(value) if hasattr(value, "isoformat") else value


def problem_files():
    out = []
    for path in EXAMPLES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "problem" in data:
            out.append((path, plain(data)))
    return out


SCHEMA = problem_schema()
FILES = problem_files()


def test_the_examples_cover_every_family():
    assert len(FILES) > 100
    assert {data["problem"] for _, data in FILES} == set(REGISTRY)


@pytest.mark.parametrize("path, data", FILES, ids=[str(p.relative_to(ROOT)) for p, _ in FILES])
def test_the_schema_accepts_every_example(path, data):
    assert errors(SCHEMA, data) == []


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_template_is_accepted_by_its_family_schema(name):
    data = plain(yaml.safe_load(families()[name].template))
    assert errors(family_schema(name), data) == []


def test_unknown_keys_are_rejected_at_the_top_and_inside():
    data = dict(next(d for p, d in FILES if p.name == "demo-two-layer-tanh.yaml"))
    assert errors(SCHEMA, data) == []
    assert errors(SCHEMA, {**data, "titel": "x"}) != []
    inner = json.loads(json.dumps(data))
    inner["network"]["layers"][0]["Weights"] = [[1]]
    assert "/network/layers/0/Weights: unknown key" in errors(family_schema("dense_network"), inner)
    assert errors(SCHEMA, {**data, "problem": "dense_netwrk"}) != []
    assert errors(SCHEMA, {**data, "problem": "conv_network"}) != []     # dense keys under another family


def test_both_spellings_of_a_key_are_accepted():
    optimizer = family_schema("dense_network")["$defs"]["Optimizer"]["properties"]
    assert "lr" in optimizer and "learning_rate" in optimizer


def test_cli_prints_the_schema_of_all_or_one_family(tmp_path):
    run = invoke("schema")
    assert run.exit_code == 0
    data = json.loads(run.stdout)
    assert data["$schema"].startswith("https://json-schema.org/") and len(data["oneOf"]) == len(REGISTRY)
    one = json.loads(invoke("schema", "conv_network").stdout)
    assert one["properties"]["problem"]["const"] == "conv_network"
    out = tmp_path / "schema.json"
    assert invoke("schema", "-o", out).exit_code == 0 and json.loads(out.read_text())["oneOf"]
    refused = invoke("schema", "dense")
    assert refused.exit_code == 2 and "did you mean 'dense_network'?" in refused.stderr and refused.stdout == ""
