"""The JSON Schema of a problem file, from each family's pydantic model, for editors (VS Code's YAML extension
completes keys from it and marks unknown ones).

pydantic writes a field read through a `BeforeValidator` as the type it becomes, but a file writes what the
validator reads: `0.1`, `"1/3"` or `1e-9` for a number, `activation: tanh` for an activation mapping,
`ask: forward` for a list. So the generator below writes the numbers' fields as what they accept, and any other
such field as its mapping form or a shorthand scalar or list, so the schema never rejects a file nnsolve reads;
unknown keys of a mapping are rejected, as the loader rejects them.
"""
from __future__ import annotations

from pydantic.json_schema import GenerateJsonSchema

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# a number as a file may write it: 0.5, "1/3", "-0.2", "1e-9"
NUMBER = {"type": ["number", "string"]}
VECTOR = {"type": "array", "items": NUMBER}
MATRIX = {"type": "array", "items": VECTOR}
TENSOR = {"anyOf": [NUMBER, {"type": "array"}]}
# what a shorthand is written as, when it is not the mapping the field becomes
SHORTHAND = {"type": ["string", "number", "boolean", "array", "null"]}


def _reads() -> dict:
    """The field readers of nnsolve.problems.fields → the schema of what they accept."""
    from ..problems import fields
    return {fields._number: NUMBER, fields._vector: VECTOR, fields._matrix: MATRIX,
            fields._vector_or_matrix: {"anyOf": [NUMBER, VECTOR, MATRIX]}, fields._tensor: TENSOR,
            fields._text: {"type": ["string", "number"]}}


class ProblemSchema(GenerateJsonSchema):
    def function_before_schema(self, schema):
        function = schema.get("function", {}).get("function")
        known = _reads().get(function)
        if known is not None:
            return dict(known)
        inner = super().function_before_schema(schema)
        return {"anyOf": [inner, SHORTHAND]}


def family_schema(name: str) -> dict:
    """One family's problem file: every key under both its spellings (`lr` and `learning_rate`), as the files may
    write either."""
    from ..problems import family
    model = family(name).schema
    schema = _both(model.model_json_schema(schema_generator=ProblemSchema),
                   model.model_json_schema(by_alias=False, schema_generator=ProblemSchema))
    return {"$schema": DIALECT, **_closed_inside(schema), "title": f"nnsolve problem file: {name}"}


def _both(aliased, named):
    """Two schemas of one model, by alias and by field name, made one whose mappings accept either key."""
    if isinstance(aliased, list) and isinstance(named, list) and len(aliased) == len(named):
        return [_both(a, n) for a, n in zip(aliased, named)]
    if not (isinstance(aliased, dict) and isinstance(named, dict)):
        return aliased
    out = {key: _both(value, named.get(key)) for key, value in aliased.items()
           if key not in ("properties", "required")}
    if "properties" in aliased:
        props: dict = {}
        for (a_key, a_value), (n_key, n_value) in zip(aliased["properties"].items(), named["properties"].items()):
            props[a_key] = props[n_key] = _both(a_value, n_value)
        out["properties"] = props
    if "required" in aliased:       # either spelling may be written: only a key with one spelling is required
        out["required"] = [key for key in aliased["required"] if key in named.get("required", [])]
    return out


def _closed_inside(node):
    """pydantic sets `additionalProperties: false` beside the `anyOf` our shorthands make of a model read through
    a before-validator, where it would forbid every key: it belongs to the mapping form inside."""
    if isinstance(node, list):
        return [_closed_inside(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _closed_inside(value) for key, value in node.items()}
    numeric = [_as_number(v) for v in node.get("enum", []) if isinstance(v, str) and _as_number(v) is not None]
    if numeric:       # a choice such as "0" may be written as the number 0 (the file's numbers are read as text)
        node["enum"] = node["enum"] + numeric
        if node.get("type") == "string":
            node["type"] = ["string", "number"]
    if "anyOf" in node and "additionalProperties" in node and "properties" not in node:
        closed = node.pop("additionalProperties")
        node["anyOf"] = [{**form, "additionalProperties": closed} if "properties" in form else form
                         for form in node["anyOf"]]
    return node


def problem_schema() -> dict:
    """Every family's problem file: a `oneOf` told apart by the constant `problem:` of each, their definitions
    kept apart under the family's name (two families may both call a model `Layer`)."""
    from ..problems import REGISTRY
    defs: dict = {}
    choices = []
    for name in REGISTRY:
        schema = family_schema(name)
        inner = schema.pop("$defs", {})
        schema.pop("$schema")
        for key, value in inner.items():
            defs[f"{name}.{key}"] = _prefixed(value, name)
        defs[name] = _prefixed(schema, name)
        choices.append({"$ref": f"#/$defs/{name}"})
    return {"$schema": DIALECT, "title": "nnsolve problem file", "type": "object", "required": ["problem"],
            "properties": {"problem": {"enum": list(REGISTRY), "description": "the problem family"}},
            "oneOf": choices, "$defs": defs}


def _prefixed(node, family: str):
    """`#/$defs/X` → `#/$defs/family.X` throughout a schema."""
    if isinstance(node, dict):
        return {key: (f"#/$defs/{family}." + value.removeprefix("#/$defs/")
                      if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                      else _prefixed(value, family)) for key, value in node.items()}
    if isinstance(node, list):
        return [_prefixed(item, family) for item in node]
    return node


def _as_number(text: str):
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else \
        number if number == number and abs(number) != float("inf") else None


def schema_text(name: str | None = None) -> str:
    import json
    return json.dumps(family_schema(name) if name else problem_schema(), indent=2, ensure_ascii=False) + "\n"
