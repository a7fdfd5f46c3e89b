"""A formula is a template over named quantities, kept apart from numbers.

The same template prints as `tanh(u₁)` (symbols) and as `tanh([1.3, −4.7, 3.6])` (values):
printers fill the placeholders, so the engine never decides how a number looks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_PLACEHOLDER = re.compile(r"\{(\d+)\}")


@dataclass(frozen=True)
class Formula:
    """`latex` and `text` templates with placeholders {0}, {1}, … for the quantities named in `args`."""

    latex: str
    text: str
    args: tuple[str, ...] = field(default_factory=tuple)

    def fill(self, latex: bool, render) -> str:
        """Replace each placeholder with `render(arg_id)`."""
        template = self.latex if latex else self.text
        return _PLACEHOLDER.sub(lambda m: render(self.args[int(m.group(1))]), template)

    def shifted(self, by: int) -> "Formula":
        bump = lambda m: "{" + str(int(m.group(1)) + by) + "}"  # noqa: E731
        return Formula(_PLACEHOLDER.sub(bump, self.latex), _PLACEHOLDER.sub(bump, self.text), self.args)


def join(parts: list[Formula], latex_sep: str = " + ", text_sep: str = " + ") -> Formula:
    """Several formulas side by side, e.g. the contributions to a gradient used twice."""
    latex, text, args = [], [], []
    for part in parts:
        moved = part.shifted(len(args))
        latex.append(moved.latex)
        text.append(moved.text)
        args.extend(part.args)
    return Formula(latex_sep.join(latex), text_sep.join(text), tuple(args))


def wrap(inner: Formula, latex: str, text: str, extra_args: tuple[str, ...] = ()) -> Formula:
    """Put `inner` into an outer template whose `{inner}` marks where it goes; extra args follow it."""
    n = len(inner.args)
    moved_extra = lambda t: _PLACEHOLDER.sub(lambda m: "{" + str(int(m.group(1)) + n) + "}", t)  # noqa: E731
    return Formula(moved_extra(latex).replace("{inner}", inner.latex),
                   moved_extra(text).replace("{inner}", inner.text),
                   inner.args + tuple(extra_args))
