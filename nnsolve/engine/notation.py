"""Symbols as the exam writes them (ŷ, η, W₁, ∂L/∂w) made plain ASCII LaTeX (\\hat{y}, \\eta, W_{1}).

Notation, not printing: solvers that write a formula in text use it to give its LaTeX form too, and every
printer uses it for symbols."""
from __future__ import annotations

import re
import unicodedata


_ACCENTS = {"\u0302": r"\hat", "\u0304": r"\bar", "\u0303": r"\tilde", "\u0307": r"\dot", "\u0308": r"\ddot"}


def latex_symbol(symbol: str) -> str:
    """A symbol from the problem's notation made plain ASCII LaTeX: ŷ → \\hat{y}, η → \\eta."""
    if symbol.isascii():
        return symbol
    symbol = _SCRIPT_RUN.sub(_script, symbol)
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", symbol):
        if ch in _ACCENTS and out:
            out[-1] = f"{_ACCENTS[ch]}{{{out[-1]}}}"
        elif ch.isascii():
            out.append(ch)
        else:
            out.append(_OTHER.get(ch) or _greek(ch) or rf"\text{{{ch}}}")
    # m_W₁ is m sub W₁: m_{W_{1}}, not the double subscript m_W_{1}
    return _NESTED_SUBSCRIPT.sub(r"_{\1_{\2}}", "".join(out))


_SUBSCRIPTS, _SUPERSCRIPTS = "₀₁₂₃₄₅₆₇₈₉₍₎", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾"
_NESTED_SUBSCRIPT = re.compile(r"_([A-Za-z])_\{([^{}]*)\}")
_SCRIPT_RUN = re.compile(f"[{_SUBSCRIPTS}]+|[{_SUPERSCRIPTS}]+")
_OTHER = {"∂": r"{\partial}", "∇": r"{\nabla}", "·": r"{\cdot}", "−": "-", "ᵀ": r"^{\top}",
          "⌊": r"{\lfloor}", "⌋": r"{\rfloor}", "⌈": r"{\lceil}", "⌉": r"{\rceil}"}


def _script(match: re.Match) -> str:
    run = match.group(0)
    table = _SUBSCRIPTS if run[0] in _SUBSCRIPTS else _SUPERSCRIPTS
    plain = "".join("0123456789()"[table.index(c)] for c in run)
    return ("_{" if table is _SUBSCRIPTS else "^{") + plain + "}"


def _greek(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for prefix, capital in (("GREEK SMALL LETTER ", False), ("GREEK CAPITAL LETTER ", True)):
        if not name.startswith(prefix):
            continue
        letter = name[len(prefix):].replace("LAMDA", "LAMBDA")   # Unicode's spelling
        if capital:
            # LaTeX has commands only for the capitals that differ from a Latin letter
            return "{\\" + letter.capitalize() + "}" if letter in _GREEK_CAPITALS else _LATIN_LOOKALIKE.get(letter)
        if letter in _GREEK_SPECIAL:
            return _GREEK_SPECIAL[letter]
        return "{\\" + letter.lower() + "}"
    return None


_GREEK_CAPITALS = {"GAMMA", "DELTA", "THETA", "LAMBDA", "XI", "PI", "SIGMA", "UPSILON", "PHI", "PSI", "OMEGA"}
_GREEK_SPECIAL = {"FINAL SIGMA": "{\\varsigma}", "OMICRON": "o"}
_LATIN_LOOKALIKE = {"ALPHA": "A", "BETA": "B", "EPSILON": "E", "ZETA": "Z", "ETA": "H", "IOTA": "I", "KAPPA": "K",
                    "MU": "M", "NU": "N", "OMICRON": "O", "RHO": "P", "TAU": "T", "CHI": "X"}
