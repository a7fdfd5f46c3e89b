"""The outcome of a check as plain data, and its text, Markdown and JSON forms."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..engine.number import decimal_string, format_number


@dataclass
class AnswerResult:
    name: str                        # as written under `answers:`
    target: str                      # the quantity (aliases resolved) and element it names
    line: int | None
    decimals: int | None             # the precision the answer claims; None = exact
    key: np.ndarray                  # Literals, as given
    computed: np.ndarray             # exact value of the quantity (or element)
    ok: bool = False
    rule: str = ""                   # why it agrees ("exact to 2 dp", …)
    reason: str = ""                 # why it does not ("differs by …", "shape: …")
    shape_note: str = ""
    first_divergence: bool = False
    follows: list[str] = field(default_factory=list)       # the key's earlier answers it follows from, as written
    follow_rule: str = ""            # the rule under which it follows from them
    places: list = field(default_factory=list)             # the decimals each number claims
    alternatives: list[str] = field(default_factory=list)  # conventions under which it agrees
    aligned_key: np.ndarray | None = None

    @property
    def shown_decimals(self) -> int:
        """The computed value is shown two decimals finer than the key writes it."""
        return (self.decimals if self.decimals is not None and self.decimals >= 0 else 2) + 2

    def verdict(self) -> str:
        if self.ok:
            parts = [f"agree: {self.rule}"] + ([self.shape_note] if self.shape_note else [])
            return "; ".join(parts)
        parts = ["WRONG" + (" (first divergence)" if self.first_divergence else ""), self.reason]
        if self.alternatives:
            parts.append("matches if: " + "; or: ".join(self.alternatives))
        return "; ".join(p for p in parts if p)


@dataclass
class Report:
    title: str
    source: str | None
    tolerance: Fraction | None
    results: list[AnswerResult]
    digits: int = 4
    declared: tuple[int, ...] = ()     # the intermediate rounding the key says it used

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def agree(self) -> int:
        return sum(r.ok for r in self.results)

    @property
    def wrong(self) -> int:
        return len(self.results) - self.agree

    @property
    def first_divergence(self) -> str | None:
        return next((r.name for r in self.results if r.first_divergence), None)

    def result(self, name: str) -> AnswerResult:
        """The result of the answer written under `name`."""
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def summary(self) -> str:
        n = len(self.results)
        return f"{n} answer{'s' if n != 1 else ''}: {self.agree} agree, {self.wrong} wrong"


def render_report(report: Report, fmt: str = "text", color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(report)
    if fmt == "text":
        return _text(report, color)
    raise ValueError(f"unknown format {fmt!r}")


def failure_json(source: str, error: BaseException | None, code: int) -> dict:
    """A file that could not be checked (exit 2, or 3 for a bug), as data: each located problem's place, line and
    message — what stderr says in words."""
    issues = getattr(error, "issues", None)
    if issues is not None:
        errors = [{"place": i.path or None, "line": i.line, "message": i.message} for i in issues]
        unlisted = getattr(error, "unlisted", 0)
        if unlisted:
            errors.append({"place": None, "line": None, "message": f"… and {unlisted:,} more"})
    else:
        errors = [{"place": None, "line": None, "message": str(error) if error is not None else "not checked"}]
    return {"source": source, "ok": False, "exit_code": code, "errors": errors}


def render_failure(source: str, error: BaseException | None, code: int) -> str:
    return json.dumps(failure_json(source, error, code), indent=2, ensure_ascii=False) + "\n"


def render_reports(reports: list[tuple[str, Report | None]], fmt: str = "text", failures: dict | None = None) -> str:
    """Several files checked at once: one line per file (None: the file could not be checked, and its
    messages went to stderr; `failures` gives, by file, the error and exit code for the JSON form) and a total."""
    checked = [r for _, r in reports if r is not None]
    answers, agree = sum(len(r.results) for r in checked), sum(r.agree for r in checked)
    unchecked = len(reports) - len(checked)
    total = {"files": len(reports), "files_wrong": sum(not r.ok for r in checked), "files_not_checked": unchecked,
             "answers": answers, "agree": agree, "wrong": answers - agree}
    if fmt == "json":
        failures = failures or {}
        files = [{"file": name, "report": report_json(r)} if r is not None else
                 {"file": name, "report": None, **_failed(name, failures.get(name))} for name, r in reports]
        return json.dumps({"files": files, "total": total}, indent=2, ensure_ascii=False) + "\n"
    total_line = (f"total: {len(reports)} file{'s' if len(reports) != 1 else ''}, {answers} answer"
                  f"{'s' if answers != 1 else ''}: {agree} agree, {answers - agree} wrong"
                  + (f"; {unchecked} file{'s' if unchecked != 1 else ''} not checked" if unchecked else ""))
    if fmt == "markdown":
        lines = ["| file | answers | agree | wrong | first divergence |", "|---|---|---|---|---|"]
        lines += [f"| `{name}` | not checked | | | |" if r is None else
                  f"| `{name}` | {len(r.results)} | {r.agree} | {r.wrong} | "
                  f"{'`' + r.first_divergence + '`' if r.first_divergence else ''} |" for name, r in reports]
        return "\n".join(lines + ["", f"**{total_line}**"]) + "\n"
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}")
    lines = [f"{name}: not checked (its problems are on stderr)" if r is None else
             f"{name}: {r.summary()}" + (f"; first divergence: {r.first_divergence}" if r.first_divergence else "")
             for name, r in reports]
    return "\n".join(lines + [total_line]) + "\n"


def _failed(name: str, failure: tuple | None) -> dict:
    error, code = failure if failure is not None else (None, 2)
    found = failure_json(name, error, code)
    return {"exit_code": found["exit_code"], "errors": found["errors"]}


def _rows(report: Report) -> list[tuple[str, str, str, str, bool]]:
    return [(r.name, _shown(r.key, None), _shown(r.computed, r.shown_decimals), r.verdict(), r.ok)
            for r in report.results]


def _text(report: Report, color: bool) -> str:
    paint = (lambda text, ok: f"\x1b[{32 if ok else 31}m{text}\x1b[0m") if color else (lambda text, ok: text)
    lines = [f"Check: {report.title or report.source or 'problem'}", _rule_line(report), ""]
    rows = _rows(report)
    if rows:
        header = ("id", "key", "computed", "verdict")
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header[:3])]
        fmt_row = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths))  # noqa: E731
        lines.append(fmt_row(header[:3]) + "  " + header[3])
        lines += [fmt_row(row[:3]) + "  " + paint(row[3], row[4]) for row in rows]
        lines.append("")
    else:
        lines += ["no answers given", ""]
    lines.append(paint(report.summary(), report.ok))
    if report.first_divergence:
        lines.append(f"First divergence: {report.first_divergence}")
    return "\n".join(lines) + "\n"


def _markdown(report: Report) -> str:
    lines = [f"### Check: {report.title or report.source or 'problem'}", "", _rule_line(report), ""]
    if report.results:
        lines += ["| id | key | computed | verdict |", "|---|---|---|---|"]
        lines += [f"| `{n}` | {k} | {c} | {'✅' if ok else '❌'} {v.replace('|', '/')} |"
                  for n, k, c, v, ok in _rows(report)]
        lines.append("")
    lines.append(f"**{report.summary()}**")
    if report.first_divergence:
        lines.append(f"First divergence: `{report.first_divergence}`")
    return "\n".join(lines) + "\n"


def _rule_line(report: Report) -> str:
    if report.tolerance is not None:
        return f"Tolerance: ±{decimal_string(report.tolerance)} (absolute)"
    rounding = ", ".join(map(str, report.declared)) if report.declared else "2–5"
    return ("Tolerance: each number's own decimals (rounded or truncated), or the values with "
            f"intermediates rounded to {rounding} dp, or what follows from the key's own earlier answers")


def report_json(report: Report) -> dict:
    return {
        "title": report.title,
        "source": report.source,
        "ok": report.ok,
        "tolerance": None if report.tolerance is None else decimal_string(report.tolerance),
        "summary": {"answers": len(report.results), "agree": report.agree, "wrong": report.wrong},
        "first_divergence": report.first_divergence,
        "results": [_result_json(r) for r in report.results],
    }


def _result_json(r: AnswerResult) -> dict:
    return {
        "id": r.name,
        "quantity": r.target,
        "line": r.line,
        "ok": r.ok,
        "key": _nested(r.key, lambda v: v.text),
        "decimals": r.decimals,
        "decimals_each": r.places or None,
        "computed": _nested(r.computed, decimal_string),
        "computed_rounded": _nested(r.computed, lambda v: format_number(v, r.shown_decimals)),
        "rule": r.rule or None,
        "reason": r.reason or None,
        "shape_note": r.shape_note or None,
        "first_divergence": r.first_divergence,
        "consistent_with": r.follows,
        "follow_through_rule": r.follow_rule or None,
        "matches_if": r.alternatives,
        "verdict": r.verdict(),
    }


def _nested(value: np.ndarray, fn):
    if value.ndim == 0:
        return fn(value[()])
    return [_nested(v if isinstance(v, np.ndarray) else _scalar(v), fn) for v in value]


def _shown(value: np.ndarray, places: int | None) -> str:
    """A key as it was written, or a computed value at `places` decimals."""
    one = (lambda v: v.text) if places is None else (lambda v: format_number(v, places))
    if value.ndim == 0:
        return one(value[()])
    return "[" + ", ".join(_shown(v if isinstance(v, np.ndarray) else _scalar(v), places) for v in value) + "]"


def _scalar(v) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = v
    return out
