"""Field types shared by every problem family: exact numbers, vectors, matrices, and the validation
that turns pydantic's errors into located `Issue`s (every error at once, unknown keys with a suggestion).

A bad entry inside a vector or matrix is reported at its own place (`data.x[1]`, `layers[0].W[1][2]`)
so that its line is the entry's, not the field's.
"""
from __future__ import annotations

import typing
from fractions import Fraction
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from .errors import SHOWN_ISSUES, Issue, ProblemError, format_path, suggestion
from .loader import Document, Literal, read_number

ENTRIES = "nnsolve_entries"     # the error type of a container whose entries are wrong, each at its place
WORDED_ISSUES = 2 * SHOWN_ISSUES  # errors worded one by one; past them only counted


def describe(value: Any) -> str:
    """A user's value in exam words: 'the number 3', 'the text 'abc'', 'a list of 2', 'a mapping'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Literal):
        return f"the number {value.text}"
    if isinstance(value, (int, float, Fraction)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "an empty list" if not value else f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping (key: value pairs)"
    if value is None:
        return "nothing (an empty value)"
    return type(value).__name__


def _number(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a number, got {describe(value)}")
    try:
        return read_number(repr(value) if isinstance(value, float) else value)
    except ValueError as e:
        plain = str(e).startswith("expected a number")      # not a size or infinity: say what it is
        raise ValueError(f"expected a number, got {describe(value)}" if plain else str(e)) from None


Number = Annotated[Any, BeforeValidator(_number)]


def _located(summary: str, entries: list[tuple[tuple, str]]):
    return PydanticCustomError(ENTRIES, "{summary}", {"summary": summary, "entries": tuple(entries)})


def _numbers(values: list, prefix: tuple = ()) -> tuple[list[Fraction], list[tuple[tuple, str]]]:
    out, bad = [], []
    for i, v in enumerate(values):
        try:
            out.append(_number(v))
        except ValueError as e:
            bad.append((prefix + (i,), str(e)))
    return out, bad


def _vector(value: Any) -> list[Fraction]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of numbers such as [1, 0.5], got {describe(value)}")
    if not value:
        raise ValueError("expected a list of numbers, got an empty list")
    out, bad = _numbers(value)
    if bad:
        raise _located("entries are not numbers", bad)
    return out


def _matrix(value: Any) -> list[list[Fraction]]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"expected a matrix (a list of rows such as [[1, 2], [3, 4]]), got {describe(value)}")
    if not any(isinstance(r, list) for r in value):
        raise ValueError(f"expected a matrix (a list of rows), got a list of {len(value)} numbers; "
                         f"write a single row as [[…]]")
    bad = [((i,), f"expected a row (a list of numbers), got {describe(r)}")
           for i, r in enumerate(value) if not isinstance(r, list)]
    rows = [r for r in value if isinstance(r, list)]
    lengths = [len(r) for r in rows]
    width = max(set(lengths), key=lengths.count)       # the length most rows have is the intended one
    if width == 0:
        raise ValueError("a matrix needs at least one column")
    out = []
    for i, row in enumerate(value):
        if not isinstance(row, list):
            continue
        if len(row) != width:
            bad.append(((i,), f"row has {len(row)} {'entry' if len(row) == 1 else 'entries'}, the other "
                              f"rows {width}: a matrix's rows must have equal lengths"))
            continue
        numbers, wrong = _numbers(row, (i,))
        bad += wrong
        out.append(numbers)
    if bad:
        raise _located("not a rectangular matrix of numbers", sorted(bad))
    return out


def _vector_or_matrix(value: Any):
    """One sample as a list, a batch as a list of rows, or a lone number (a one-unit sample)."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        return _matrix(value)
    if isinstance(value, list) and any(isinstance(v, list) for v in value):
        bad = [((i,), f"expected a number like entry [0], got {describe(v)}")
               for i, v in enumerate(value) if isinstance(v, list)]
        raise _located("mixes numbers and rows", bad)
    if isinstance(value, list):
        return _vector(value)
    if isinstance(value, dict) or value is None:
        raise ValueError(f"expected a list of numbers or a list of rows, got {describe(value)}")
    return [_number(value)]


def _text(value: Any):
    # `title: 2024` is meant as text; YAML made it a number
    return value.text if isinstance(value, Literal) else value


def _tensor(value: Any):
    """Nested lists of numbers of any depth, rectangular; a lone number is a 0-d tensor."""
    if not isinstance(value, list):
        return _number(value)
    if not value:
        raise ValueError("expected numbers, got an empty list")
    bad: list[tuple[tuple, str]] = []
    out = _nested(value, (), bad)
    if bad:
        raise _located("not a rectangular tensor of numbers", bad)
    return out


def _nested(value, at: tuple, bad: list):
    if not isinstance(value, list):
        try:
            return _number(value)
        except ValueError as e:
            bad.append((at, str(e)))
            return None
    kinds = {isinstance(v, list) for v in value}
    if len(kinds) > 1:
        bad.append((at, "mixes numbers and lists"))
        return None
    items = [_nested(v, at + (i,), bad) for i, v in enumerate(value)]
    if True in kinds and len({_depth_shape(v) for v in value}) > 1:
        bad.append((at, "its entries have different shapes: a tensor must be rectangular"))
    return items


def _depth_shape(v) -> tuple:
    shape = []
    while isinstance(v, list):
        shape.append(len(v))
        v = v[0] if v else None
    return tuple(shape)


Tensor = Annotated[Any, BeforeValidator(_tensor)]


Vector = Annotated[Any, BeforeValidator(_vector)]
Matrix = Annotated[Any, BeforeValidator(_matrix)]
VectorOrMatrix = Annotated[Any, BeforeValidator(_vector_or_matrix)]
Text = Annotated[str, BeforeValidator(_text)]


def at_most(limit) -> AfterValidator:
    """A whole-number key bounded by a limit of nnsolve/limits.py, read when the file is validated (so
    NNSOLVE_<NAME> raises it): refused as pydantic's `le` would be, with how to raise it."""
    def check(value: int) -> int:
        most = limit.value
        if value > most:
            raise ValueError(f"must be at most {most}, got {describe(value)} {limit.hint}")
        return value
    return AfterValidator(check)


class Model(BaseModel):
    # validate_default: defaults written as decimal text ("0.01") become exact numbers like typed values
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, populate_by_name=True,
                              validate_default=True)


def validate(model: type[Model], doc: Document) -> Model:
    """Validate the whole document; raise one ProblemError listing every issue with its line (the first few
    hundred worded, the rest counted: a suggestion for each of 400,000 unknown keys takes minutes)."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as e:
        worded = issues_from(e, doc, model=model, most=WORDED_ISSUES)
        raise ProblemError(worded, doc.source, unlisted=max(e.error_count() - WORDED_ISSUES, 0)) from None


def issues_from(error: ValidationError, doc: Document, prefix: tuple = (), model: type | None = None,
                most: int | None = None) -> list[Issue]:
    model = model or _REGISTERED.get(error.title)
    issues = []
    for err in error.errors(include_url=False)[:most]:
        loc = prefix + _real_location(doc.data, prefix, err["loc"], keep_last=err["type"] == "missing")
        if err["type"] == ENTRIES:
            issues += [Issue(format_path(loc + sub), message, doc.line_of(loc + sub))
                       for sub, message in err["ctx"]["entries"]]
            continue
        issues.append(Issue(format_path(loc), _message(err, model, loc[len(prefix):]), doc.line_of(loc)))
    return _dedupe(issues)


def _message(err: dict, model, loc: tuple) -> str:
    kind, ctx, got = err["type"], err.get("ctx", {}), err.get("input")
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}" + suggestion(str(loc[-1]), _allowed_keys(model, loc[:-1]), True)
    if kind == "missing":
        info = _field_info(model, loc)
        return "is required" + (f" — {info.description}" if info is not None and info.description else "")
    if kind in ("literal_error", "enum"):
        choices = _literal_choices(ctx.get("expected", ""))
        return (f"expected one of {', '.join(choices)}; got {describe(got)}"
                + suggestion(str(got), choices))
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    words = {
        "int_parsing": "expected a whole number", "int_type": "expected a whole number",
        "int_from_float": "expected a whole number", "bool_type": "expected true or false",
        "bool_parsing": "expected true or false", "string_type": "expected text",
        "list_type": "expected a list", "dict_type": "expected a mapping (key: value pairs)",
        "model_type": "expected a mapping (key: value pairs)",
        "model_attributes_type": "expected a mapping (key: value pairs)",
    }
    if kind in words:
        return f"{words[kind]}, got {describe(got)}"
    bounds = {"less_than_equal": ("le", "at most"), "greater_than_equal": ("ge", "at least"),
              "less_than": ("lt", "less than"), "greater_than": ("gt", "greater than")}
    if kind in bounds:
        key, phrase = bounds[kind]
        return f"must be {phrase} {ctx.get(key)}, got {describe(got)}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"expected at least {least} entr{'y' if least == 1 else 'ies'}, got {describe(got)}"
    if kind == "too_long":
        return f"expected at most {ctx.get('max_length')} entries, got {describe(got)}"
    return str(err["msg"])


def _real_location(data, prefix: tuple, loc: tuple, keep_last: bool) -> tuple:
    """Drop the parts pydantic inserts into a location (the union member tried, e.g. 'function-before[…]',
    "literal['e']", 'int') by following the location through the data the user wrote."""
    node = data
    for part in prefix:
        node = _child(node, part)
    out: list = []
    for i, part in enumerate(loc):
        child = _child(node, part)
        if child is not _ABSENT:
            out.append(part)
            node = child
        elif i == len(loc) - 1 and (keep_last or not _is_union_tag(part)):
            out.append(part)        # a missing key, or an unknown one the data does hold under an alias
        elif not _is_union_tag(part):
            out.append(part)
            node = _ABSENT
    return tuple(out)


_ABSENT = object()


def _child(node, part):
    if isinstance(node, dict) and isinstance(part, str) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _is_union_tag(part) -> bool:
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "bool", "none"})


def _literal_choices(expected: str) -> list[str]:
    return [c.strip(" '\"") for c in expected.replace(" or ", ",").split(",") if c.strip()]


def _model_of(annotation):
    """The pydantic model inside Optional[...], list[...], Annotated[...], or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _walk(model, loc: tuple):
    """The model that holds the last part of `loc` (list indices step into the item model)."""
    node = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = _field_by_key(node, part)
        node = _model_of(info.annotation) if info is not None else None
        if node is None:
            return None
    return node


def _field_by_key(model, key: str):
    if model is None:
        return None
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def _field_info(model, loc: tuple):
    return _field_by_key(_walk(model, loc[:-1]), loc[-1]) if loc and isinstance(loc[-1], str) else None


def _allowed_keys(model, loc: tuple) -> list[str]:
    """Every key the model at `loc` accepts, aliases included (`lambda` as well as `strength`)."""
    node = _walk(model, loc)
    if node is None:
        return []
    keys = []
    for name, info in node.model_fields.items():
        keys += [name] + ([info.alias] if info.alias else [])
    return keys


_REGISTERED: dict[str, type] = {}


def register_model(model: type[Model]) -> type[Model]:
    """Remember a top-level model so unknown-key errors can suggest the keys it allows."""
    _REGISTERED[model.__name__] = model
    return model


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen, out = set(), []
    for i in issues:
        if (i.path, i.message) not in seen:
            seen.add((i.path, i.message))
            out.append(i)
    return out


def replaced(model, path: str, value):
    """A copy of a pydantic model with the field at a dotted path replaced (`loss.half`,
    `network.layers.0.W`: a number steps into a list)."""
    head, _, rest = path.partition(".")
    if isinstance(model, list):
        i = int(head)
        return model[:i] + [value if not rest else replaced(model[i], rest, value)] + model[i + 1:]
    inner = value if not rest else replaced(getattr(model, head), rest, value)
    return model.model_copy(update={head: inner})


def as_written(loc: tuple, doc: Document) -> tuple:
    """A place under the key the file wrote: a check names a field (`optimizer.momentum`), and the file may have
    used its alias (`beta:`); a place the file has, or one whose last key has no other spelling, is kept."""
    if not loc or loc in doc.lines or not isinstance(loc[-1], str):
        return loc
    for spelling in _spellings().get(loc[-1], ()):
        if loc[:-1] + (spelling,) in doc.lines:
            return loc[:-1] + (spelling,)
    return loc


_SPELLINGS: dict[str, set[str]] = {}
_SPELLINGS_OF: list[int] = [0]          # how many registered models the table covers (families load lazily)


def _spellings() -> dict[str, set[str]]:
    """Each field name with an alias, and each alias, mapped to the other spelling (over every registered model)."""
    if _SPELLINGS_OF[0] != len(_REGISTERED):
        _SPELLINGS_OF[0] = len(_REGISTERED)
        seen: set[type] = set()

        def walk(model) -> None:
            if not isinstance(model, type) or not issubclass(model, BaseModel) or model in seen:
                return
            seen.add(model)
            for name, info in model.model_fields.items():
                if info.alias and info.alias != name:
                    _SPELLINGS.setdefault(name, set()).add(info.alias)
                    _SPELLINGS.setdefault(info.alias, set()).add(name)
                for inner in typing.get_args(info.annotation) or (info.annotation,):
                    for deeper in typing.get_args(inner) or (inner,):
                        walk(deeper)

        for model in list(_REGISTERED.values()):
            walk(model)
    return _SPELLINGS
