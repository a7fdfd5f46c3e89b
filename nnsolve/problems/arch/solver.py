"""The `architecture` problem family: a layer list (nnsolve/arch/layer_list.py) analysed by shapes, as
a Solution whose steps are each layer's quantities with the formula that gives them, so the printers
and the checker work unchanged. Quantity ids:
  NAME.output_shape, NAME.params, NAME.trainable_params, NAME.non_trainable_params, NAME.macs,
  NAME.flops, NAME.receptive_field, NAME.jump, NAME.start   each layer's counts
  NAME.weight_shape       its weight tensor (bias excluded) in the framework's order (stated)
  NAME.padding            for a layer given `padding: keep_size`: the padding solved for
  total.params, total.trainable_params, total.non_trainable_params, total.macs, total.flops
  sum(SELECTION).COUNT    a count summed over some layers (see quantities.py): sum(conv1+conv2).params,
                          sum(conv1..pool2).macs, sum(every batch_norm).trainable_params,
                          sum(first 3 batch_norm).non_trainable_params
  NAME.params_keras, NAME.params_pytorch   a recurrent layer's count under both conventions (recurrent.py)
  NAME.macs_per_step      a recurrent layer's multiply-accumulates per time step (NAME.macs: the sequence)
  hidden_size.coefficients, hidden_size.discriminant, hidden_size
                          with `hidden_size: {kind, total_params, …}`: the quadratic a·h² + b·h + c = 0
                          for the hidden size, its discriminant and its positive root
With `compare_input: {shape: …}` the same layers are analysed again on that input: every id above
prefixed `compare.` (compare.total.params), and change.total.COUNT = compare.total.COUNT − total.COUNT."""
from __future__ import annotations

import re
from dataclasses import replace

from typing import Any, Literal, Optional

from pydantic import Field

from ...arch.analyze import GLOBAL, Analysis, LayerReport, analyze
from ...arch.conventions import Conventions, parse_flops
from ...arch.layer_list import read_layers
from ...arch.rules import ArchitectureError
from ...arch.settings import alias_statement
from ...engine.formula import Formula
from ...engine.tensor import as_tensor
from ...solution import Solution, Step
from ..common import Common, solution_of
from ..fields import Model
from .padding import solve_paddings
from ...arch.kinds_sequence import recurrent_counts
from .recurrent import GATES, HiddenSize, HiddenSizeSpec
from .quantities import ORDER_STATEMENT, SelectionError, input_shape, is_sum, layer_sum, weight_order, weight_shape


class InputSpec(Model):
    shape: list[int] = Field(min_length=1, description="input shape without the batch axis, e.g. [224, 224, 3]")
    layout: Literal["channels_last", "channels_first"] = "channels_last"


class ConventionsSpec(Model):
    flops: str = Field(default="mac", description="mac, mac+bias, 2mac, 2mac+bias, then +activations, "
                                                  "+pooling, +normalization, +elementwise")
    output_size: Literal["floor", "ceil"] = "floor"
    receptive_field: Literal["input", "previous"] = "input"
    rnn: Optional[Literal["keras", "pytorch"]] = None
    running_stats: Optional[Literal["parameters", "buffers"]] = None


class CompareInput(Model):
    shape: list[int] = Field(min_length=1, description="a second input shape (same layout) to analyse the same "
                                                       "layers on")


class ArchitectureProblem(Common):
    framework: Literal["nnsolve", "keras", "pytorch"] = "nnsolve"
    input: InputSpec
    compare_input: Optional[CompareInput] = None
    layers: list[dict[str, Any]] = Field(default_factory=list,
                                         description="the layers, each {kind: …, name: …, inputs: […], settings}; "
                                                     "may be left out when only `hidden_size` is asked")
    hidden_size: Optional[HiddenSizeSpec] = Field(default=None, description="solve for a recurrent layer's hidden "
                                                  "size from a parameter total")
    conventions: ConventionsSpec = Field(default_factory=ConventionsSpec)


def _conventions(p: ArchitectureProblem) -> Conventions:
    c = p.conventions
    return Conventions.for_framework(p.framework, flops=c.flops, output_size=c.output_size,
                                     receptive_field=c.receptive_field, rnn=c.rnn, running_stats=c.running_stats)


def _architecture(p: ArchitectureProblem, shape: list[int] | None = None):
    data = {"input": {"shape": shape or p.input.shape, "layout": p.input.layout}, "layers": p.layers,
            "framework": p.framework}
    return read_layers(data, p.title or "architecture")


def _analyses(p: ArchitectureProblem) -> list[tuple[str, Analysis, list]]:
    """(id prefix, analysis, solved paddings) for the input and, when given, the compared input."""
    shapes = [("", p.input.shape)] + ([("compare.", p.compare_input.shape)] if p.compare_input else [])
    out = []
    for prefix, shape in shapes:
        arch, _ = _architecture(p, shape)
        try:
            arch, paddings = solve_paddings(arch, _conventions(p))
            out.append((prefix, analyze(arch, _conventions(p)), paddings))
        except ArchitectureError as e:
            if not prefix:
                raise
            raise ArchitectureError(f"on the compared input {tuple(shape)}: {e}", e.layer, e.setting) from None
    return out


def _requested(p: ArchitectureProblem) -> list[str]:
    return list(dict.fromkeys([*p.ask, *p.answers]))


def _layers_only_for_hidden_size(p: ArchitectureProblem) -> bool:
    return p.hidden_size is not None and not p.layers


def _hidden_size(p: ArchitectureProblem) -> HiddenSize:
    return HiddenSize(p.hidden_size, p.hidden_size.input_size or p.input.shape[-1], _conventions(p).rnn)


def consistency(p: ArchitectureProblem) -> list[tuple[tuple, str]]:
    try:
        parse_flops(p.conventions.flops)
    except ValueError as e:
        return [(("conventions", "flops"), str(e))]
    if p.hidden_size is not None and p.hidden_size.exact and _hidden_size(p).integer is None:
        n = p.hidden_size.total_params
        return [(("hidden_size", "total_params"), f"no integer hidden size gives {n} parameters "
                 f"({_hidden_size(p).equation()}; the positive root is {_hidden_size(p).root_text()})")]
    if _layers_only_for_hidden_size(p):
        return []
    arch, issues = _architecture(p)
    if issues:
        return issues
    if p.compare_input is not None:
        compared = [message for loc, message in _architecture(p, p.compare_input.shape)[1] if loc == ("input", "shape")]
        if compared:
            return [(("compare_input", "shape"), compared[0].replace("the input shape", "a second input shape"))]
    try:
        analyses = _analyses(p)
    except ArchitectureError as e:
        return [layer_issue(p, arch, e)]
    except (TypeError, ValueError) as e:
        return [(("layers",), f"cannot analyse the layers: {e}")]
    issues = []
    for id_ in _requested(p):
        prefix = "compare." if id_.startswith("compare.") and len(analyses) > 1 else ""
        if is_sum(id_.removeprefix(prefix)):
            try:
                layer_sum(analyses[1 if prefix else 0][1], id_.removeprefix(prefix))
            except SelectionError as e:
                issues.append((("ask", p.ask.index(id_)) if id_ in p.ask else ("answers", id_), str(e)))
    return issues


def layer_issue(p: ArchitectureProblem, arch, e: ArchitectureError) -> tuple[tuple, str]:
    """The analysis's refusal at the layer (and the key) of the file it concerns."""
    index = next((i for i, layer in enumerate(arch.layers) if e.layer and layer.name == e.layer.name), None)
    key = e.layer.key(e.setting) if e.layer and e.setting else None
    loc = ("layers",) if index is None else ("layers", index) + ((key,) if key in p.layers[index] else ())
    return loc, f"{e.layer.name if e.layer else 'layer'}: {e}"


def solve_architecture(p: ArchitectureProblem, policy=None) -> Solution:
    analyses = [] if _layers_only_for_hidden_size(p) else _analyses(p)
    order = weight_order(p.framework, p.input.layout)
    steps = []
    for prefix, analysis, paddings in analyses:
        sums = [i.removeprefix(prefix) for i in _requested(p) if i.startswith(prefix) and is_sum(i.removeprefix(prefix))]
        steps += [replace(s, id=prefix + s.id, latex_symbol=prefix + s.id, text_symbol=prefix + s.id)
                  for s in analysis_steps(analysis, order, paddings, sums)]
    if len(analyses) > 1:
        steps += _change_steps(analyses[0][1], analyses[1][1])
    if p.hidden_size is not None:
        steps += _hidden_size_steps(_hidden_size(p))
    if analyses:
        conventions = analyses[0][1].conventions.statements() + [("weight tensor shape", ORDER_STATEMENT[order])]
        aliases = alias_statement(analyses[0][1].architecture.layers)
        conventions += [("aliases", aliases)] if aliases else []
        name, default_ask = analyses[0][1].architecture.name, ["total.params", "total.macs", "total.flops"]
    else:
        conventions, name, default_ask = [], p.title or "hidden size", ["hidden_size"]
    if p.hidden_size is not None:
        conventions.append(("hidden size", _hidden_size_statement(_hidden_size(p))))
    halves = any(pad.denominator != 1 for _, _, paddings in analyses for _, pads, _, _ in paddings for pad in pads)
    irrational = p.hidden_size is not None and _hidden_size(p).integer is None
    if policy is not None and policy.round_places is not None:
        steps = [replace(s, value=policy.settle(s.id, s.value)) for s in steps]
    return solution_of(p, "architecture", conventions, steps, policy=policy, title=name,
                       digits=4 if irrational else 1 if halves else 0, groups={"totals": default_ask})


def _hidden_size_statement(q: HiddenSize) -> str:
    biases = {"keras": "Keras: one bias vector per gate" + (" (GRU reset_after: two)" if q.spec.kind == "gru" else ""),
              "pytorch": "PyTorch: two bias vectors (b_ih, b_hh) per gate", "none": "no biases"}[q.convention]
    out = f", plus a dense output layer of {q.spec.output_units} units" if q.spec.output_units else ""
    return f"{q.spec.kind} reading {q.d} features, {biases}{out}; the total counts these layers only"


def _hidden_size_steps(q: HiddenSize) -> list[Step]:
    return [_step("hidden_size.coefficients", [q.a, q.b, q.c], "hidden size",
                  note=f"a, b, c of a·h² + b·h + c = 0: {q.equation()}"),
            _step("hidden_size.discriminant", q.discriminant, "hidden size", q.discriminant_text(),
                  "b² − 4ac"),
            _step("hidden_size", q.root, "hidden size", q.root_text(), q.verdict())]


def _recurrent_steps(r: LayerReport, features: int) -> list[Step]:
    # one count for both conventions, stacked and bidirectional layers included (arch/kinds_sequence.py)
    counts = {c: recurrent_counts(r.layer, features, c) for c in ("keras", "pytorch")}
    steps = [_step(f"{r.name}.params_{c}", n["params"], r.name, n["params_formula"], f"{c} convention")
             for c, n in counts.items()]
    n = counts["keras"]
    return steps + [_step(f"{r.name}.macs_per_step", n["macs_per_step"], r.name, n["macs_per_step_formula"],
                          "one time step")]


def _change_steps(original: Analysis, compared: Analysis) -> list[Step]:
    a, b = original.totals, compared.totals
    return [_step(f"change.total.{name}", b[key] - a[key], "change", f"{b[key]} − {a[key]}",
                  "compared input minus the given input")
            for name, key in TOTALS]


def _step(id_: str, value, section: str, text: str = "", note: str = "") -> Step:
    from ...engine.notation import latex_symbol     # the text formula in LaTeX: · → \cdot, γ → \gamma, ² → ^{2}
    latex = re.sub(r"\{(\d+)\}", r"{ \1 }", latex_symbol(text))    # σ^{2} is not a placeholder
    formula = Formula(latex, text) if text else None
    return Step(id_, id_, id_, as_tensor(value), section, formula, note)


def layer_steps(r: LayerReport) -> list[Step]:
    e, name = r.effect, r.name
    steps = [_step(f"{name}.output_shape", list(r.shape), name,
                   e.shape_formula.text() if e.shape_formula else "", note=f"{r.layer.kind}")]
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


TOTALS = (("params", "params"), ("trainable_params", "trainable"), ("non_trainable_params", "non_trainable"),
          ("macs", "macs"), ("flops", "flops"))


def analysis_steps(a: Analysis, order: str, paddings: list, sums: list[str]) -> list[Step]:
    solved = {name: (pads, text, note) for name, pads, text, note in paddings}
    steps = []
    for r in a.layers:
        if r.name in solved:
            pads, text, note = solved[r.name]
            steps.append(_step(f"{r.name}.padding", pads, r.name, text, note))
        steps += layer_steps(r)
        if r.layer.kind in GATES:
            steps += _recurrent_steps(r, input_shape(r, a)[-1])
        shape = weight_shape(r, a, order)
        if shape is not None:
            steps.append(_step(f"{r.name}.weight_shape", list(shape), r.name, note=f"{order} order, bias excluded"))
    t = a.totals
    steps += [_step("total.params", t["params"], "total", " + ".join(f"{r.params}" for r in a.layers if r.params))]
    steps += [_step(f"total.{name}", t[key], "total") for name, key in TOTALS[1:]]
    for id_ in sums:
        value, text = layer_sum(a, id_)
        steps.append(_step(id_, value, "sums", text))
    return steps
