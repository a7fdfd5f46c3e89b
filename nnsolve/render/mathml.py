"""LaTeX math to MathML, for the HTML printer: the printers' own LaTeX (values.py, formulas.py, expansion.py)
converted by latex2mathml, so there is one notation and no second writer of it.

latex2mathml copies the argument of `\\text{…}` as it is, so `<` or `&` there (a symbol the problem file
wrote, a grid's label) would break the page; those are escaped here, and every fragment is checked to be
well-formed XML before it is used: a page is never broken silently.
"""
from __future__ import annotations

import re
from functools import lru_cache
from xml.etree import ElementTree

_MTEXT = re.compile(r"(<mtext[^>]*>)(.*?)(</mtext>)", re.S)
_TEXT_ESCAPE = re.compile(r"\\([&%$#_{}])")           # \& in \text{…} is an ampersand
_BARE_AMPERSAND = re.compile(r"&(?!#x?[0-9A-Fa-f]+;|[A-Za-z][A-Za-z0-9]*;)")
# a matrix with a script (`\begin{bmatrix}…\end{bmatrix}^\top`): latex2mathml makes the script's base only the
# opening bracket (an <msup> of four children), so the matrix is grouped first, as TeX sees it anyway
# a minus after an operator or an opening (`= −3`, `(−2)`) is a sign: TeX sets it so, but a MathML renderer
# takes any <mo> that is not first in its row as binary (`= − 3`) unless told its form
_SIGN = re.compile(r"((?:<mo[^>]*>([^<]*)</mo>)|<mrow>|<mstyle[^>]*>|<mtd>)<mo>&#x02212;</mo>")
_CLOSING = {"&#x00029;", "&#x0005D;", "&#x0007D;", "&#x0007C;", "&#x02016;", "&#x0230B;", "&#x02309;", "&#x02032;",
            "&#x00021;", ")", "]", "}", "|", "!"}      # after these a minus is binary: `(−2) − 1`
_SCRIPTED_MATRIX = re.compile(r"(\\begin\{(\w*matrix)\}(?:(?!\\begin).)*?\\end\{\2\})(?=\s*[\^_])", re.S)


@lru_cache(maxsize=4096)
def mathml(latex: str, display: bool = True) -> str:
    """One `<math>` element; `display` typesets fractions and sums at full size (as in a `$$` block) while
    the element stays inline, so it can sit in a table cell beside others."""
    from latex2mathml.converter import convert     # only here: the CLI's start-up must not pay for it

    latex = _SCRIPTED_MATRIX.sub(r"{\1}", latex)
    out = convert(r"\displaystyle " + latex if display else latex)
    out = _SIGN.sub(_sign, out)
    out = _MTEXT.sub(_escape_text, out)
    out = _BARE_AMPERSAND.sub("&amp;", out)
    try:
        ElementTree.fromstring(out)
    except ElementTree.ParseError as error:
        raise ValueError(f"the MathML of {latex!r} is not well-formed ({error}); please report this") from None
    return out


def _sign(match: re.Match) -> str:
    if match.group(2) is not None and match.group(2) in _CLOSING:
        return match.group(0)
    return match.group(1) + '<mo form="prefix">&#x02212;</mo>'


def _escape_text(match: re.Match) -> str:
    body = _TEXT_ESCAPE.sub(r"\1", match.group(2))
    body = _BARE_AMPERSAND.sub("&amp;", body).replace("<", "&lt;").replace(">", "&gt;")
    return match.group(1) + body + match.group(3)
