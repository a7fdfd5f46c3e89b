"""Prose (titles, conventions, notes, section names) as LaTeX text that is plain ASCII.

The printers' prose speaks the exam's notation in Unicode (`u = Wᵀx + b`, `η·∂L/∂w`, `½ Σ (ŷ − t)²`);
pdflatex with inputenc knows few of those characters, and a file that is pure ASCII compiles alike under
pdflatex and xelatex whatever fonts are installed. So every character goes through one table here:
LaTeX's special characters escaped, symbols written as commands, sub- and superscripts through their Unicode
decomposition, accented letters as TeX accents. A character nothing here knows is written as its code
point (`U+4E2D`) rather than dropped: visible, never a compile error.
"""
from __future__ import annotations

import unicodedata

_MATH = {
    "−": "-", "×": r"\times", "·": r"\cdot", "÷": r"\div", "±": r"\pm", "°": r"^\circ", "½": r"\tfrac{1}{2}",
    "‖": r"\Vert", "′": "'", "″": "''", "←": r"\leftarrow", "→": r"\rightarrow", "⇒": r"\Rightarrow",
    "↔": r"\leftrightarrow", "∂": r"\partial", "∇": r"\nabla", "√": r"\surd", "∞": r"\infty", "≈": r"\approx",
    "≠": r"\neq", "≤": r"\leq", "≥": r"\geq", "⊙": r"\odot", "⊗": r"\otimes", "⋆": r"\star", "∗": r"\ast",
    "∘": r"\circ", "⌈": r"\lceil", "⌉": r"\rceil", "⌊": r"\lfloor", "⌋": r"\rfloor", "∑": r"\sum", "∏": r"\prod",
    "∈": r"\in", "∉": r"\notin", "∀": r"\forall", "∃": r"\exists", "≡": r"\equiv", "∝": r"\propto",
    "ℝ": r"\mathbb{R}", "ᵀ": r"^\top", "ŷ": r"\hat{y}", "ŝ": r"\hat{s}", "ϵ": r"\epsilon", "ϑ": r"\vartheta",
    "ϕ": r"\phi", "ς": r"\varsigma", "⟨": r"\langle", "⟩": r"\rangle", "≔": ":=", "∓": r"\mp",
    "⋮": r"\vdots", "⋯": r"\cdots",
}
_TEXT = {
    "\\": r"\ensuremath{\backslash}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
    "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"\ensuremath{<}", ">": r"\ensuremath{>}",
    "|": r"\ensuremath{|}", '"': "''", "\n": " ", "\t": " ", "\u00a0": "~",
    "–": "--", "—": "---", "…": r"\ldots{}", "‘": "`", "’": "'", "“": "``", "”": "''", "•": r"\ensuremath{\bullet}",
}
# Greek letters LaTeX has a command for; a capital it has none for is its Latin twin (Α is A)
_GREEK = {name.upper(): "\\" + name for name in (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon "
    "phi chi psi omega").split()}
_GREEK["LAMDA"] = r"\lambda"                  # Unicode spells it so
_GREEK_CAPITALS = {"GAMMA", "DELTA", "THETA", "LAMDA", "XI", "PI", "SIGMA", "UPSILON", "PHI", "PSI", "OMEGA"}
_LATIN_TWINS = {"ALPHA": "A", "BETA": "B", "EPSILON": "E", "ZETA": "Z", "ETA": "H", "IOTA": "I", "KAPPA": "K",
                "MU": "M", "NU": "N", "OMICRON": "O", "RHO": "P", "TAU": "T", "CHI": "X"}
# a combining accent over the letter before it: in this notation a hat or bar is math (m̂, x̄)
_MATH_ACCENTS = {"\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar", "\u0307": r"\dot", "\u0308": r"\ddot",
                 "\u20d7": r"\vec"}
# an accented letter of a word (é, ü, ç): a TeX accent, so the file stays ASCII
_TEXT_ACCENTS = {"\u0300": "\\`", "\u0301": "\\'", "\u0302": "\\^", "\u0303": "\\~", "\u0304": "\\=",
                 "\u0306": "\\u", "\u0307": "\\.", "\u0308": '\\"', "\u030a": "\\r", "\u030b": "\\H",
                 "\u030c": "\\v", "\u0327": "\\c", "\u0328": "\\k"}


def prose(text: str) -> str:
    """`text` as LaTeX text: ASCII only, every special character escaped."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        accent = _MATH_ACCENTS.get(text[i + 1]) if i + 1 < len(text) else None
        if accent is not None and not unicodedata.combining(ch):
            out.append(rf"\ensuremath{{{accent}{{{_math_atom(ch)}}}}}")
            i += 2
            continue
        out.append(character(ch))
        i += 1
    return "".join(out)


def character(ch: str) -> str:
    if ch in _TEXT:
        return _TEXT[ch]
    if " " <= ch <= "~":
        return ch
    if ch in _MATH:
        return rf"\ensuremath{{{_MATH[ch]}}}"
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK "):
        letter = name.split(" LETTER ")[-1]
        if "CAPITAL" in name and letter in _LATIN_TWINS:
            return _LATIN_TWINS[letter]
        if letter in _GREEK and ("SMALL" in name or letter in _GREEK_CAPITALS):
            command = _GREEK[letter]
            if "CAPITAL" in name:
                command = "\\" + command[1:].capitalize()
            return rf"\ensuremath{{{command}}}"
        if letter == "OMICRON":
            return "o"
    decomposition = unicodedata.decomposition(ch)
    if decomposition.startswith(("<super>", "<sub>")):
        kind, code = decomposition.split()
        inner = prose(chr(int(code, 16)))
        return (r"\textsuperscript{" if kind == "<super>" else r"\textsubscript{") + inner + "}"
    base, *marks = unicodedata.normalize("NFD", ch)
    if marks and base.isascii() and base.isalpha() and all(m in _TEXT_ACCENTS for m in marks):
        word = base if base not in "ij" else "\\" + base     # a dotless i or j under an accent
        for mark in marks:
            word = f"{_TEXT_ACCENTS[mark]}{{{word}}}"
        return word
    return rf"\texttt{{U+{ord(ch):04X}}}"


def _math_atom(ch: str) -> str:
    """A letter under a math accent: itself, or its command (σ̂ is \\hat{\\sigma})."""
    if ch.isascii() and ch.isalnum():
        return ch
    text = character(ch)
    return text[len(r"\ensuremath{"):-1] if text.startswith(r"\ensuremath{") else rf"\text{{{text}}}"
