"""The `architecture` problem family: a layer list (nnsolve/arch/layer_list.py) analysed by shapes, as
a Solution whose steps are each layer's quantities (`conv1.output_shape`, `conv1.params`, …, and
`total.params`) with the formula that gives them, so the printers and the checker work unchanged."""
from __future__ import annotations

import re

from typing import Any, Literal, Optional

from pydantic import Field

from ...arch.analyze import GLOBAL, Analysis, LayerReport, analyze
from ...arch.conventions import Conventions, parse_flops
from ...arch.layer_list import read_layers
from ...arch.rules import ArchitectureError
from ...engine.formula import Formula
from ...engine.tensor import as_tensor
from ...solution import Solution, Step
from ..common import Common
from ..fields import Model


class InputSpec(Model):
    shape: list[int] = Field(description="input shape without the batch axis, e.g. [224, 224, 3]")
    layout: Literal["channels_last", "channels_first"] = "channels_last"


class ConventionsSpec(Model):
    flops: str = Field(default="mac", description="mac, mac+bias, 2mac, 2mac+bias, then +activations, "
                                                  "+pooling, +normalization, +elementwise")
    output_size: Literal["floor", "ceil"] = "floor"
    receptive_field: Literal["input", "previous"] = "input"
    rnn: Optional[Literal["keras", "pytorch"]] = None
    running_stats: Optional[Literal["parameters", "buffers"]] = None


class ArchitectureProblem(Common):
    framework: Literal["nnsolve", "keras", "pytorch"] = "nnsolve"
    input: InputSpec
    layers: list[dict[str, Any]] = Field(description="the layers, each {kind: …, name: …, inputs: […], settings}")
    conventions: ConventionsSpec = Field(default_factory=ConventionsSpec)


def _conventions(p: ArchitectureProblem) -> Conventions:
    c = p.conventions
    return Conventions.for_framework(p.framework, flops=c.flops, output_size=c.output_size,
                                     receptive_field=c.receptive_field, rnn=c.rnn, running_stats=c.running_stats)


def _architecture(p: ArchitectureProblem):
    data = {"input": {"shape": p.input.shape, "layout": p.input.layout}, "layers": p.layers, "framework": p.framework}
    return read_layers(data, p.title or "architecture")


def consistency(p: ArchitectureProblem) -> list[tuple[tuple, str]]:
    try:
        parse_flops(p.conventions.flops)
    except ValueError as e:
        return [(("conventions", "flops"), str(e))]
    arch, issues = _architecture(p)
    if issues:
        return issues
    try:
        analyze(arch, _conventions(p))
    except ArchitectureError as e:
        index = arch.layers.index(e.layer) if e.layer in arch.layers else None
        loc = ("layers",) if index is None else ("layers", index) + ((e.setting,) if e.setting in p.layers[index] else ())
        return [(loc, f"{e.layer.name if e.layer else 'layer'}: {e}")]
    except (TypeError, ValueError) as e:
        return [(("layers",), f"cannot analyse the layers: {e}")]
    return []


def solve_architecture(p: ArchitectureProblem, policy=None) -> Solution:
    arch, _ = _architecture(p)
    analysis = analyze(arch, _conventions(p))
    return analysis_solution(analysis, asked=list(p.ask))


def _step(id_: str, value, section: str, text: str = "", note: str = "") -> Step:
    from ...render.values import latex_symbol     # the text formula in LaTeX: · → \cdot, γ → \gamma, ² → ^{2}
    latex = re.sub(r"\{(\d+)\}", r"{ \1 }", latex_symbol(text))    # σ^{2} is not a placeholder
    formula = Formula(latex, text) if text else None
    return Step(id_, id_, id_, as_tensor(value), section, formula, note)


def layer_steps(r: LayerReport) -> list[Step]:
    e, name = r.effect, r.name
    steps = [_step(f"{name}.output_shape", list(r.shape), name, note=f"{r.layer.kind}")]
    steps.append(_step(f"{name}.params", r.params, name, e.params_formula if r.params else ""))
    if e.non_trainable:
        steps += [_step(f"{name}.trainable_params", e.trainable, name),
                  _step(f"{name}.non_trainable_params", e.non_trainable, name)]
    steps.append(_step(f"{name}.macs", r.macs, name, e.macs_formula if r.macs else ""))
    steps.append(_step(f"{name}.flops", r.flops, name))
    if r.field and r.field != GLOBAL:
        steps += [_step(f"{name}.receptive_field", [f.size for f in r.field], name, note="size per spatial axis"),
                  _step(f"{name}.jump", [f.jump for f in r.field], name, note="effective stride per axis"),
                  _step(f"{name}.start", [f.start for f in r.field], name,
                        note="first input position seen by output 0 (negative: inside the padding)")]
    return steps


def analysis_solution(a: Analysis, asked: list[str] | None = None) -> Solution:
    steps = [s for r in a.layers for s in layer_steps(r)]
    t = a.totals
    steps += [_step("total.params", t["params"], "total", " + ".join(f"{r.params}" for r in a.layers if r.params)),
              _step("total.trainable_params", t["trainable"], "total"),
              _step("total.non_trainable_params", t["non_trainable"], "total"),
              _step("total.macs", t["macs"], "total"), _step("total.flops", t["flops"], "total")]
    default = ["total.params", "total.macs", "total.flops"]
    return Solution(a.architecture.name, "architecture", a.conventions.statements(), steps,
                    asked or default, digits=0)
