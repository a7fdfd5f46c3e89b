"""A small JSON Schema checker for the keywords pydantic writes (type, properties, required, additionalProperties,
items, prefixItems, $ref, anyOf, oneOf, allOf, const, enum, propertyNames, min/maxItems): `jsonschema` is not a
dependency of nnsolve, and this is enough to tell whether the schema accepts every example and rejects an
unknown key. Written for these tests; keywords it does not know are ignored (bounds such as `minimum`)."""
from __future__ import annotations

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def errors(schema: dict, value, root: dict | None = None, at: str = "") -> list[str]:
    root = root if root is not None else schema
    if schema is True or schema == {}:
        return []
    if schema is False:
        return [f"{at or '/'}: nothing is allowed here"]
    out: list[str] = []
    if "$ref" in schema:
        out += errors(_resolve(root, schema["$ref"]), value, root, at)
    if "type" in schema and not any(_is(value, t) for t in _listed(schema["type"])):
        return out + [f"{at or '/'}: expected {schema['type']}, got {type(value).__name__}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{at or '/'}: expected {schema['const']!r}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{at or '/'}: {value!r} is not one of {schema['enum']}")
    if "anyOf" in schema and all(errors(s, value, root, at) for s in schema["anyOf"]):
        out.append(f"{at or '/'}: matches none of anyOf")
    if "oneOf" in schema:
        passing = sum(not errors(s, value, root, at) for s in schema["oneOf"])
        if passing != 1:
            out.append(f"{at or '/'}: matches {passing} of oneOf, expected exactly 1")
    for sub in schema.get("allOf", []):
        out += errors(sub, value, root, at)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                out.append(f"{at}/{key}: is required")
        for key, item in value.items():
            if key in props:
                out += errors(props[key], item, root, f"{at}/{key}")
            elif "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                out += [f"{at}/{key}: unknown key"] if extra is False else errors(extra, item, root, f"{at}/{key}")
            if "propertyNames" in schema:
                out += errors(schema["propertyNames"], key, root, f"{at}/{key} (its name)")
    if isinstance(value, list):
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            sub = prefix[i] if i < len(prefix) else schema.get("items")
            if sub is not None:
                out += errors(sub, item, root, f"{at}/{i}")
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            out.append(f"{at or '/'}: {len(value)} items, outside minItems/maxItems")
    return out


def _listed(kind):
    return kind if isinstance(kind, list) else [kind]


def _is(value, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind]) and not (kind != "boolean" and isinstance(value, bool))


def _resolve(root: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node
