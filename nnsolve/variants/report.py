"""What `nnsolve vary` writes: each variant as a problem file with its key (and, when asked, its worked solution),
and the stress report — acceptance rate, the range of each answer over the accepted variants, and which constraint
rejected most (as R/exams' stresstest_exercise reports an exercise's)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from ..engine.number import format_number, to_fraction
from .givens import SPACE_SHOWN
from .writer import problem_text

SUFFIXES = {"text": ".solution.txt", "markdown": ".solution.md", "json": ".solution.json", "html": ".solution.html",
            "latex": ".solution.tex"}
SHOWN_ENTRIES = 6          # entries of one answer whose ranges the report lists; the rest are counted


def header(run, variant) -> list[str]:
    how = "from the seed and the student's id" if run.by_student else f"with seed {run.seed}"
    return [f"Variant {variant.name} of {run.source}, drawn by `nnsolve vary` {how}.",
            "The answers are the exact solution as the worked solution shows it."]


def variant_text(run, variant) -> str:
    return problem_text(variant.data, header(run, variant))


def write_variants(run, folder: Path, solutions: str | None = None) -> list[Path]:
    """Each variant as `folder/NAME.yaml` (and `NAME.solution.*` in the `solutions` format); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for variant in run.variants:
        path = folder / f"{variant.name}.yaml"
        path.write_text(variant_text(run, variant), encoding="utf-8")
        written.append(path)
        if solutions is not None:
            from ..render import render
            worked = folder / f"{variant.name}{SUFFIXES.get(solutions, '.solution.' + solutions)}"
            text = render(variant.solution, solutions)
            worked.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return written


def stress_report(run, ranges: dict | None = None) -> str:
    ranges = answer_ranges(run) if ranges is None else ranges
    accepted = len(run.variants)
    rate = f"{100 * accepted / run.tries:.1f}%" if run.tries else "—"
    lines = [f"Variants of {run.source} (seed {run.seed})",
             f"  accepted: {accepted:,} of {run.tries:,} tries ({rate}); asked for {run.asked:,}",
             "  different variants the varied givens can make: "
             + (f"{run.space:,}" if run.space < SPACE_SHOWN else f"more than {SPACE_SHOWN:,}")]
    if run.rejected:
        lines.append("  rejected (a try can break several constraints):")
        for reason, count in sorted(run.rejected.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"    {count:>8,}  {reason}")
        most = max(run.rejected.items(), key=lambda kv: (kv[1], kv[0]))
        lines.append(f"  rejected most: {most[0]}")
        for message, count in sorted(run.refusals.items(), key=lambda kv: (-kv[1], kv[0]))[:3]:
            lines.append(f"    refused {count:,}×: {message}")
    else:
        lines.append("  rejected: none")
    for label in run.labels if run.tries else ():
        if label not in run.rejected:
            lines.append(f"  never broken: {label}")
    if ranges:
        lines.append("  range of each answer over the accepted variants:")
        for qid, entries in ranges.items():
            for index, (low, high) in list(entries.items())[:SHOWN_ENTRIES]:
                lines.append(f"    {qid}{''.join(f'[{i}]' for i in index)}: {format_number(low, 4)} … "
                             f"{format_number(high, 4)}")
            if len(entries) > SHOWN_ENTRIES:
                lines.append(f"    {qid}: … and {len(entries) - SHOWN_ENTRIES} more entries")
    if run.stopped:
        lines.append(f"  stopped: {run.stopped}")
    return "\n".join(lines) + "\n"


def answer_ranges(run) -> dict[str, dict[tuple, tuple]]:
    """answer id → entry index → (smallest, largest) over the accepted variants' keys, read exactly from the keys'
    text."""
    out: dict[str, dict[tuple, tuple]] = {}
    for variant in run.variants:
        for qid, value in variant.key.items():
            entries = out.setdefault(qid, {})
            for index, text in _entries(value, ()):
                x = _exact(text)
                if x is None:
                    continue
                low, high = entries.get(index, (x, x))
                entries[index] = (min(low, x), max(high, x))
    return out


def _entries(value, at: tuple):
    if isinstance(value, list):
        for i, v in enumerate(value):
            yield from _entries(v, at + (i,))
    else:
        yield at, value


def _exact(text) -> Fraction | None:
    from ..problems.loader import read_number
    try:
        return to_fraction(read_number(text))
    except (ValueError, ZeroDivisionError):
        return None
