"""Field types shared by every problem family: exact numbers, vectors, matrices, and the validation
that turns pydantic's errors into located `Issue`s (every error at once, unknown keys with a suggestion)."""
from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from ..engine.number import parse_number
from .errors import Issue, ProblemError, format_path, suggestion
from .loader import Document


def _number(value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Fraction)):
        raise ValueError(f"expected a number, got {_describe(value)}")
    if isinstance(value, Fraction):
        return value
    try:
        return parse_number(value)
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return repr(value)


Number = Annotated[Any, BeforeValidator(_number)]


def _vector(value: Any) -> list[Fraction]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of numbers, got {_describe(value)}")
    return [_element(v, i) for i, v in enumerate(value)]


def _element(v, i):
    try:
        return _number(v)
    except ValueError as e:
        raise ValueError(f"entry [{i}]: {e}") from None


def _matrix(value: Any) -> list[list[Fraction]]:
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise ValueError(f"expected a matrix (a list of rows), got {_describe(value)}")
    widths = {len(r) for r in value}
    if len(widths) != 1:
        raise ValueError(f"rows have different lengths {sorted(widths)}")
    if 0 in widths:
        raise ValueError("a matrix needs at least one column")
    return [[_element(v, (i, j)) for j, v in enumerate(row)] for i, row in enumerate(value)]


def _vector_or_matrix(value: Any):
    if isinstance(value, list) and value and all(isinstance(r, list) for r in value):
        return _matrix(value)
    if isinstance(value, list):
        return _vector(value)
    return [_number(value)]


Vector = Annotated[Any, BeforeValidator(_vector)]
Matrix = Annotated[Any, BeforeValidator(_matrix)]
VectorOrMatrix = Annotated[Any, BeforeValidator(_vector_or_matrix)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, populate_by_name=True)


def validate(model: type[Model], doc: Document) -> Model:
    """Validate the whole document; raise one ProblemError listing every issue with its line."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as e:
        raise ProblemError(issues_from(e, doc), doc.source) from None


def issues_from(error: ValidationError, doc: Document, prefix: tuple = ()) -> list[Issue]:
    issues = []
    for err in error.errors(include_url=False):
        loc = prefix + tuple(p for p in err["loc"] if not _is_union_tag(p))
        kind = err["type"]
        if kind == "extra_forbidden":
            key = loc[-1]
            allowed = _allowed_keys(error, err)
            message = f"unknown key {key!r}" + suggestion(str(key), allowed)
        elif kind == "missing":
            message = "is required"
        elif kind in ("literal_error", "enum"):
            got = err.get("input")
            expected = err.get("ctx", {}).get("expected", "")
            message = f"{got!r} is not one of {expected}" + suggestion(str(got), _literal_choices(expected))
        elif kind == "value_error":
            message = str(err["msg"]).removeprefix("Value error, ")
        else:
            message = err["msg"]
        issues.append(Issue(format_path(loc), message, doc.line_of(loc)))
    return _dedupe(issues)


def _is_union_tag(part) -> bool:
    # pydantic inserts the chosen union member (e.g. 'function-before[...]', 'str') into locations
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "list[...]", "dict[str,...]"})


def _literal_choices(expected: str) -> list[str]:
    return [c.strip(" '\"") for c in expected.replace(" or ", ",").split(",") if c.strip()]


def _allowed_keys(error: ValidationError, err) -> list[str]:
    model = _EXTRA_CONTEXT.get(error.title)
    if model is None:
        return []
    node = model
    for part in err["loc"][:-1]:
        node = _field_model(node, part)
        if node is None:
            return []
    return list(node.model_fields) if isinstance(node, type) and issubclass(node, BaseModel) else []


def _field_model(model, part):
    import typing
    if isinstance(part, int):
        return model
    if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
        return None
    annotation = model.model_fields[part].annotation
    for candidate in _unwrap(annotation, typing):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _unwrap(annotation, typing):
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    out = []
    for a in args:
        out.extend(_unwrap(a, typing))
    return out


_EXTRA_CONTEXT: dict[str, type] = {}


def register_model(model: type[Model]) -> type[Model]:
    """Remember a top-level model so unknown-key errors can suggest the keys it allows."""
    _EXTRA_CONTEXT[model.__name__] = model
    return model


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen, out = set(), []
    for i in issues:
        if (i.path, i.message) not in seen:
            seen.add((i.path, i.message))
            out.append(i)
    return out
