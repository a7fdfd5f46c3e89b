"""nnsolve's own architecture format, a YAML layer list, read into an `Architecture`:

    input: {shape: [224, 224, 3], layout: channels_last}
    framework: pytorch            # optional: sets the counting defaults (RNN biases, BN statistics)
    layers:
      - {kind: conv2d, name: conv1, filters: 64, kernel: 7, stride: 2, padding: 3, bias: false}
      - {kind: add, inputs: [conv1, shortcut]}

Unnamed layers are called like Keras does (conv2d, conv2d_1, …). Every key is a setting its kind takes
(kinds.py) or a Keras/PyTorch spelling of one (settings.py: `strides`, `kernel_size`, …), read as it and
remembered on the layer so the solution can say so; any other key, a missing required setting or a value
of the wrong sort is a problem. Problems are returned as (location, message) pairs so the caller can
attach lines.
"""
from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from ..limits import MAX_INPUT_AXES, MAX_LAYERS, MAX_SIZE, MAX_TENSOR_ELEMENTS, count_text
from .ir import Architecture, Layer, too_many_layers
from .kinds import KINDS
from .settings import ALIASES, SETTINGS, SettingError, alias_target, dims, reader

LAYER_KEYS = ("kind", "name", "inputs")


def _plain(value):
    if isinstance(value, Fraction):                   # the loader's exact numbers: 3 → 3, 0.5 → 1/2
        return int(value) if value.denominator == 1 else value
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def read_settings(kind: str, raw: dict, at: tuple, issues: list) -> tuple[dict, tuple]:
    """The settings of one layer under their canonical names, and the aliases read; problems appended."""
    from ..problems.errors import suggestion
    takes = KINDS[kind].takes
    settings, aliases, written_as = {}, [], {}
    for key, value in raw.items():
        if key in LAYER_KEYS:
            continue
        setting = key if key in takes else alias_target(str(key), takes)
        if setting is None:
            spellings = [a for a in ALIASES if alias_target(a, takes)]
            issues.append((at + (key,), f"{kind} has no setting {key!r}"
                           + suggestion(str(key), [*takes, *spellings], True)))
            continue
        if setting in written_as:
            issues.append((at + (key,), f"{key!r} and {written_as[setting]!r} both give the {setting}: keep one"))
            continue
        written_as[setting] = key
        try:
            settings[setting] = reader(kind, setting)(_plain(value))
        except SettingError as e:
            issues.append((at + (key,), str(e)))
            continue
        if setting != key:
            aliases.append((key, setting))
    for setting in KINDS[kind].required:
        if setting not in written_as:
            issues.append((at, f"{kind} needs {setting} ({SETTINGS[setting][1]})"))
    return settings, tuple(aliases)


def read_layers(data: dict, name: str = "architecture", source: str | None = None
                ) -> tuple[Architecture | None, list[tuple[tuple, str]]]:
    issues: list[tuple[tuple, str]] = []
    given = data.get("input") or {}
    shape = given.get("shape") if isinstance(given, dict) else None
    wrong = "expected the input shape without the batch axis, sizes ≥ 1, e.g. [224, 224, 3]"
    try:
        shape = dims(_plain(shape)) if isinstance(shape, (list, tuple)) else None
    except SettingError as e:
        shape, wrong = None, str(e) if MAX_SIZE.variable in str(e) else wrong
    if not shape:
        issues.append((("input", "shape"), wrong))
    elif len(shape) > MAX_INPUT_AXES.value:
        issues.append((("input", "shape"), MAX_INPUT_AXES.refusal(f"{len(shape):,} sizes")))
    elif math.prod(shape) > MAX_TENSOR_ELEMENTS.value:
        issues.append((("input", "shape"), f"holds {count_text(math.prod(shape))} values; at most "
                                           f"{MAX_TENSOR_ELEMENTS.shown} in any tensor {MAX_TENSOR_ELEMENTS.hint}"))
    layout = given.get("layout", "channels_last") if isinstance(given, dict) else "channels_last"
    if layout not in ("channels_last", "channels_first"):
        issues.append((("input", "layout"), f"expected channels_last or channels_first, got {layout!r}"))
    layers, counts = [], {}
    raw_layers = data.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        issues.append((("layers",), "expected a list of layers, e.g. [{kind: dense, units: 10}]"))
        raw_layers = []
    if len(raw_layers) > MAX_LAYERS.value:                  # before reading one: each costs a validation and a report
        return None, issues + [(("layers",), too_many_layers(len(raw_layers)))]
    seen = set()
    for i, raw in enumerate(raw_layers):
        if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str):
            issues.append((("layers", i), "expected a mapping with a `kind`, e.g. {kind: conv2d, filters: 8, kernel: 3}"))
            continue
        kind = raw["kind"]
        if kind not in KINDS:
            from ..problems.errors import suggestion
            issues.append((("layers", i, "kind"), f"unknown layer kind {kind!r}" + suggestion(kind, KINDS, True)))
            continue
        n = counts.get(kind, 0)
        counts[kind] = n + 1
        layer_name = str(raw.get("name") or (kind if n == 0 else f"{kind}_{n}"))
        if layer_name in seen:
            issues.append((("layers", i, "name"), f"a layer named {layer_name!r} already exists"))
        seen.add(layer_name)
        inputs = raw.get("inputs", ())
        inputs = (inputs,) if isinstance(inputs, str) else inputs
        if not isinstance(inputs, (list, tuple)) or not all(isinstance(v, str) for v in inputs):
            issues.append((("layers", i, "inputs"), f"expected a layer's name or a list of names, got {inputs!r}"))
            inputs = ()
        settings, aliases = read_settings(kind, raw, ("layers", i), issues)
        layers.append(Layer(layer_name, kind, settings, inputs, aliases=aliases))
    if issues:
        return None, issues
    return Architecture(name, tuple(int(v) for v in shape), layout, layers,
                        framework=data.get("framework", "nnsolve"), source=source), []


BUNDLED = Path(__file__).resolve().parent.parent / "bundled"


def bundled_names() -> list[str]:
    return sorted(p.stem for p in BUNDLED.glob("*.yaml"))


def load_bundled(name: str) -> Architecture:
    """A bundled architecture, read once per process; each call gets its own layer list."""
    arch = _read_bundled(name)
    return replace(arch, layers=list(arch.layers))


@lru_cache(maxsize=None)
def _read_bundled(name: str) -> Architecture:
    data = _parse_bundled((BUNDLED / f"{name}.yaml").read_text())
    arch, issues = read_layers(data, name, f"bundled:{name}")
    if issues:
        raise ValueError(f"bundled architecture {name} is malformed: {issues}")
    return arch


def _parse_bundled(text: str) -> dict:
    """generate.py writes one layer per line as a JSON mapping (a YAML flow mapping too): reading those
    lines with json is ~50× faster than the pure-Python YAML scanner on ResNet-152's 500 layers. The
    few header lines go through YAML; a file edited by hand into other YAML falls back to YAML."""
    import json

    import yaml
    head, marker, rest = text.partition("\nlayers:\n")
    lines = [line for line in rest.splitlines() if line.strip()]
    if not marker or not all(line.startswith("  - {") for line in lines):
        return yaml.safe_load(text)
    data = yaml.safe_load(head) or {}
    data["layers"] = [json.loads(line[4:]) for line in lines]
    return data
