"""The class report (`nnsolve grade … --report DIR`): `report.md` — the totals' mean, median and spread, each
answer's facility and verdicts, the commonest slips, error carried forward, the rows not read — and two charts,
a histogram of the totals and a bar chart of the facility per answer, each as PNG and SVG.

Every figure comes from `statistics.class_statistics`, as the stdout summary's do; this module lays them out.
matplotlib is imported only here, when a report is asked for (it is the optional extra `nnsolve[report]`), and
drawn without pyplot (no global backend state): a Figure on the Agg canvas. The same class gives the same bytes:
the SVG's ids are salted with a fixed string and it carries no date, the PNG no software version."""
from __future__ import annotations

from pathlib import Path

from .gradebook import CARRIED, FORMAT, RIGHT, WRONG, Gradebook
from .outputs import marks_text, percent_text
from .statistics import Bar, ClassStatistics, class_statistics

CHARTS = {"totals": "histogram of the totals", "facility": "facility per answer"}
CHART_FORMATS = ("png", "svg")
_FIXED_SVG_SALT = "nnsolve-grade-report"


class ReportUnavailable(Exception):
    """matplotlib is not installed: the charts cannot be drawn (nothing is written)."""


def write_report(book: Gradebook, folder: Path) -> list[Path]:
    """report.md and the charts in `folder` (created if need be); the paths written."""
    stats = class_statistics(book)
    figures = _figures(stats)                  # before anything is written: without matplotlib, nothing is
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, figure in figures.items():
        for fmt in CHART_FORMATS:
            path = folder / f"{name}.{fmt}"
            _save(figure, path, fmt)
            written.append(path)
    path = folder / "report.md"
    path.write_text(report_markdown(stats), encoding="utf-8")
    return [path, *written]


def chart_svgs(stats: ClassStatistics) -> dict[str, str]:
    """The charts as `write_report` draws them, as SVG elements to place in a page (no XML prolog); raises
    ReportUnavailable without matplotlib."""
    import io
    charts = {}
    for name, figure in _figures(stats).items():
        buffer = io.BytesIO()
        _save(figure, buffer, "svg")
        svg = buffer.getvalue().decode("utf-8")
        charts[name] = svg[svg.find("<svg"):]
    return charts


def bar_label(bar: Bar) -> str:
    """'4' for the bar of totals 4 ≤ t < 5; '[5, 10)' for a wider one."""
    return marks_text(bar.low) if bar.high - bar.low == 1 else f"[{marks_text(bar.low)}, {marks_text(bar.high)})"


def report_markdown(stats: ClassStatistics) -> str:
    def number(value) -> str:
        return "—" if value is None else marks_text(round(value, 4))

    lines = [f"# Class report: {_cell(stats.title)}", "",
             f"{stats.students} student{'s' if stats.students != 1 else ''}; the problem is marked out of "
             f"{marks_text(stats.out_of)}. Rows that could not be read are in every figure, with 0 marks.", "",
             "## Totals", "", "| | marks |", "|---|---|",
             f"| mean | {number(stats.mean_total)} |", f"| median | {number(stats.median_total)} |",
             f"| standard deviation | {number(stats.standard_deviation)} |",
             f"| lowest | {number(stats.lowest)} |", f"| highest | {number(stats.highest)} |", "",
             f"![{CHARTS['totals']}](totals.svg)", "",
             "| total | students |", "|---|---|"]
    lines += [f"| {bar_label(bar)} | {bar.count} |" for bar in stats.histogram]
    lines += ["", "## Facility per answer", "",
              "Facility: the mean marks over the marks the answer is worth.", "",
              "| answer | marks | mean marks | facility | right | carried forward (ECF) | wrong | not read |",
              "|---|---|---|---|---|---|---|---|"]
    for q in stats.questions:
        v = q.verdicts
        lines.append(f"| `{_cell(q.answer)}` | {marks_text(q.out_of)} | {number(q.mean)} | "
                     f"{percent_text(q.facility)} | {v[RIGHT]} | {v[CARRIED]} | {v[WRONG]} | {v[FORMAT]} |")
    lines += ["", f"![{CHARTS['facility']}](facility.svg)", "", "## Most common slips", ""]
    if stats.slips:
        lines += ["| slip | students |", "|---|---|"] + [f"| {_cell(slip)} | {count} |" for slip, count in stats.slips]
    else:
        lines.append("No named slip reproduces any student's numbers.")
    lines += ["", "## Error carried forward", "",
              f"{stats.ecf} answer{'s' if stats.ecf != 1 else ''} credited as carried forward from the students' "
              f"own earlier answers" + (": " + ", ".join(f"`{_cell(a)}` {n}" for a, n in stats.ecf_by_answer.items()
                                                         if n) if stats.ecf else "") + "."]
    lines += ["", "## What could not be read", "",
              f"{stats.format_errors} cell{'s' if stats.format_errors != 1 else ''} could not be read (marked 0)."]
    for student, line, why in stats.malformed_rows:
        lines.append(f"- {'line ' + str(line) + ': ' if line else ''}{_cell(student) or '(no id)'}: {_cell(why)} "
                     f"— marked 0")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _figures(stats: ClassStatistics) -> dict:
    try:
        from matplotlib import rc_context
    except ImportError:
        raise ReportUnavailable("the class report's charts need matplotlib: pip install 'nnsolve[report]'") \
            from None
    # answer ids and titles are text, never TeX: a `$` in one is drawn as written
    with rc_context({"text.parse_math": False}):
        return _drawn(stats)


def _drawn(stats: ClassStatistics) -> dict:
    from matplotlib.figure import Figure

    totals = Figure(figsize=(6.4, 3.6))
    ax = totals.add_subplot()
    ax.bar(range(len(stats.histogram)), [bar.count for bar in stats.histogram], color="#4c72b0")
    ax.set_xticks(range(len(stats.histogram)), [bar_label(bar) for bar in stats.histogram],
                  rotation=0 if len(stats.histogram) <= 12 else 60)
    ax.set_xlabel(f"total (out of {marks_text(stats.out_of)})")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"Totals of {stats.students} students")
    totals.tight_layout()

    facility = Figure(figsize=(max(4.0, 0.9 * len(stats.questions) + 1.5), 3.6))
    ax = facility.add_subplot()
    shares = [float(q.facility) * 100 if q.facility is not None else 0.0 for q in stats.questions]
    ax.bar(range(len(stats.questions)), shares, color="#55a868")
    ax.set_xticks(range(len(stats.questions)), [q.answer for q in stats.questions],
                  rotation=0 if len(stats.questions) <= 6 else 45, ha="center" if len(stats.questions) <= 6 else "right")
    for x, (share, q) in enumerate(zip(shares, stats.questions)):
        ax.annotate(percent_text(q.facility), (x, share), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_ylabel("facility (%)")
    ax.set_title("Facility per answer")
    facility.tight_layout()
    return {"totals": totals, "facility": facility}


def _save(figure, path, fmt: str) -> None:
    """`figure` written to `path` (a file name or a binary file object) in `fmt`."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    # the SVG's element ids are drawn from a random salt, and both formats stamp a date or version: fixed here
    metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    with rc_context({"svg.hashsalt": _FIXED_SVG_SALT}):
        figure.savefig(path, format=fmt, dpi=100, metadata=metadata)
