"""The Keras-style summary of an analysed architecture: a table (layer, kind, output shape, params,
MACs, receptive field), the totals and the conventions in force; as text, Markdown or JSON."""
from __future__ import annotations

import json
from fractions import Fraction
from operator import itemgetter

from .analyze import GLOBAL, Analysis
from .settings import alias_statement

HEADERS = ("Layer", "Kind", "Output shape", "Params", "MACs", "Receptive field")


def field_text(field) -> str:
    if field == GLOBAL:
        return "whole input"
    if not field:
        return "—"
    sizes = "×".join([str(f.size) for f in field])
    first = field[0].jump
    jump = str(first) if all(f.jump == first for f in field) else "×".join([str(f.jump) for f in field])
    return f"{sizes} (jump {jump})"


def _rows(a: Analysis) -> tuple[list[tuple[str, ...]], list[tuple[str, str, str]]]:
    """One row of cells per layer, and the distinct (output shape, params, MACs) among them. A network
    repeats its layers (the analysis shares one effect between the repeats of a layer, and one receptive
    field between layers that pass it on), so each effect's and each field's cells are written once."""
    effect_cells: dict[int, tuple[str, str, str]] = {}      # id → cells: every effect and field lives in `a`
    field_cells: dict[int, str] = {}
    rows = []
    field = text = None
    for r in a.layers:
        e = r.effect
        cells = effect_cells.get(id(e))
        if cells is None:
            cells = effect_cells[id(e)] = ("(" + ", ".join(map(str, e.shape)) + ")",
                                           f"{e.trainable + e.non_trainable:,}", f"{e.macs:,}")
        if r.field is not field:                # mostly the field of the layer before
            field = r.field
            text = field_cells.get(id(field))
            if text is None:
                text = field_cells[id(field)] = field_text(field)
        rows.append((r.layer.name, r.layer.kind, cells[0], cells[1], cells[2], text))
    return rows, list(effect_cells.values())


def rounded(value: Fraction, places: int = 2) -> str:
    """`value` to `places` decimals, exactly (half to even, as Python's format of the float would mostly
    do): 11.689512 → 11.69."""
    scaled = round(value * 10 ** places)
    whole, part = divmod(abs(scaled), 10 ** places)
    return f"{'-' if scaled < 0 else ''}{whole}.{part:0{places}d}"


DECIMAL_UNITS = ((10 ** 12, "T"), (10 ** 9, "G"), (10 ** 6, "M"), (10 ** 3, "K"))


def with_unit(count: int) -> str:
    """11,689,512 → '11.69 M', 1,814,073,344 → '1.81 G'; below a thousand the number itself."""
    for size, unit in DECIMAL_UNITS:
        if count >= size:
            return f"{rounded(Fraction(count, size))} {unit}"
    return str(count)


def _total_lines(a: Analysis) -> list[str]:
    t = a.totals
    lines = [f"Total params: {t['params']:,} ({with_unit(t['params'])})", f"Trainable params: {t['trainable']:,}",
             f"Non-trainable params: {t['non_trainable']:,}"]
    if t["buffers"]:
        lines.append(f"Buffers (running statistics, not parameters): {t['buffers']:,}")
    lines += [f"Multiply-accumulates: {t['macs']:,} ({with_unit(t['macs'])})",
              f"FLOPs ({a.conventions.flops.name}): {t['flops']:,} ({with_unit(t['flops'])})"]
    return lines


def _heading(a: Analysis) -> str:
    arch = a.architecture
    return (f"{arch.name}: input {tuple(arch.input_shape)} ({arch.layout.replace('_', '-')}), "
            f"{len(a.layers)} layers")


def statements(a: Analysis) -> list[tuple[str, str]]:
    """The conventions in force, and the Keras/PyTorch spellings the layer list used, if any."""
    aliases = alias_statement(a.architecture.layers)
    return a.conventions.statements() + ([("aliases", aliases)] if aliases else [])


def passed_over(a: Analysis) -> list[str]:
    """What the snippet's reader passed over as not building the model (a print, a training loop), one line each."""
    return list(getattr(a.architecture, "notes", []) or [])


def taken_as_given(a: Analysis) -> list[str]:
    """What the snippet's reader took as given where the file leaves it open (an unknown size from
    --input-shape, Keras's default data format), one line each."""
    return list(getattr(a.architecture, "assumed", []) or [])


def note_sections(a: Analysis) -> list[tuple[str, list[str]]]:
    """The reader's notes under their headings, those that have any."""
    sections = (("Taken as given (the file leaves it open):", taken_as_given(a)),
                ("Passed over (not part of the model):", passed_over(a)))
    return [(heading, notes) for heading, notes in sections if notes]


def render_text(a: Analysis) -> str:
    layers, distinct = _rows(a)
    rows = [HEADERS, *layers]
    # the widths of the columns of names and kinds, and of the distinct cells of the others (the last,
    # the receptive field, is not padded)
    widths = [max(map(len, map(itemgetter(i), rows))) for i in (0, 1)]
    widths += [max(map(len, column)) for column in zip(HEADERS[2:5], *distinct)]
    # one printf-style template for every row (per-cell padding calls were a third of the summary's time,
    # and `%` pads in half the time of str.format); the last column, never empty, unpadded: no trailing spaces
    template = "  ".join(f"%{'' if i in (3, 4) else '-'}{w}s" for i, w in enumerate(widths)) + "  %s"
    lines = [template % row for row in rows]
    rule = "─" * len(lines[0])
    out = [_heading(a), rule, lines[0], rule, *lines[1:], rule, *_total_lines(a), "", "Conventions:"]
    out += [f"  {name}: {statement}" for name, statement in statements(a)]
    for heading, notes in note_sections(a):
        out += ["", heading, *(f"  {note}" for note in notes)]
    return "\n".join(out) + "\n"


def render_markdown(a: Analysis) -> str:
    out = [f"**{_heading(a)}**", "", "| " + " | ".join(HEADERS) + " |",
           "|" + "|".join("---:" if i in (3, 4) else "---" for i in range(len(HEADERS))) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in _rows(a)[0]]
    out += ["", *(f"- {line}" for line in _total_lines(a)), "", "Conventions:", ""]
    out += [f"- **{name}**: {statement}" for name, statement in statements(a)]
    for heading, notes in note_sections(a):
        out += ["", heading, "", *(f"- `{note}`" for note in notes)]
    return "\n".join(out) + "\n"


def _field_json(field):
    if field == GLOBAL or not field:
        return field or None
    return [{"size": f.size, "jump": str(f.jump), "start": str(f.start), "centre": str(f.centre)} for f in field]


def summary_json(a: Analysis) -> dict:
    return {
        "architecture": a.architecture.name, "input_shape": list(a.architecture.input_shape),
        "layout": a.architecture.layout,
        "layers": [{"name": r.name, "kind": r.layer.kind, "inputs": list(r.inputs), "output_shape": list(r.shape),
                    "params": r.params, "trainable": r.effect.trainable, "non_trainable": r.effect.non_trainable,
                    "buffers": r.effect.buffers, "macs": r.macs, "flops": r.flops,
                    "receptive_field": _field_json(r.field)} for r in a.layers],
        "totals": a.totals,
        "conventions": dict(statements(a)),
        "passed_over": passed_over(a),
        "taken_as_given": taken_as_given(a),
    }


def render_summary(a: Analysis, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(summary_json(a), indent=2) + "\n"
    return render_markdown(a) if fmt == "markdown" else render_text(a)
