"""A small LaTeX math linter for the printers' output (not a TeX engine).

It finds the mistakes a template filler makes: unbalanced braces, \\begin/\\end or \\left/\\right
that do not pair up, a double superscript or subscript (`W_{1}^{[1]}^\\top` is an error in TeX and
KaTeX), a control word run into the letters after it (`\\etaW`, caught when it starts with a known
command), and non-ASCII characters (MathJax and KaTeX disagree on them; the printers map ŷ to
\\hat{y} and η to \\eta).
"""
from __future__ import annotations

import re

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_]|\s+|.", re.S)
_KNOWN_COMMANDS = {
    "begin", "inf", "sup", "det", "mathit", "end", "left", "right", "frac", "tfrac", "dfrac", "sqrt", "sum", "prod", "top", "odot", "cdot",
    "times",
    "ln", "log", "exp", "tanh", "sigma", "tau", "eta", "alpha", "beta", "gamma", "delta", "epsilon", "lambda",
    "mu", "rho", "theta", "omega", "Omega", "Lambda", "Sigma", "Delta", "partial", "nabla", "hat", "bar",
    "tilde", "dot", "ddot", "mathrm", "mathbb", "operatorname", "text", "textstyle", "lVert", "rVert", "quad",
    "max", "min", "sign", "varsigma", "nu", "xi", "pi", "phi", "psi", "chi", "zeta", "kappa", "iota", "upsilon",
    "Gamma", "Theta", "Xi", "Pi", "Upsilon", "Phi", "Psi", "leftarrow", "to", "in", "le", "ge", "neq", "approx",
    "mathbf", "boldsymbol", "vec", "prime", "infty", "varepsilon", "sqrt", "cdots", "ldots", "vdots", "ddots",
    "sgn", "odot", "oslash", "circ", "lvert", "rvert", "mid", "vert", "Vert", "big", "Big", "bigl", "bigr",
}


def latex_problems(math: str) -> list[str]:
    problems: list[str] = []
    if not math.isascii():
        problems.append(f"non-ASCII characters {sorted({c for c in math if not c.isascii()})}")
    tokens = _TOKEN.findall(math)
    depth = 0
    environments: list[str] = []
    lefts = 0
    # per brace group: does the current atom already carry a superscript / a subscript?
    scripts: list[dict] = [{"^": False, "_": False}]
    expecting_argument = False      # the token after ^ or _ is that script's argument
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isspace():
            i += 1
            continue
        if tok.startswith("\\") and tok[1:].isalpha():
            name = tok[1:]
            if name not in _KNOWN_COMMANDS and any(name.startswith(k) for k in _KNOWN_COMMANDS if len(k) > 1):
                problems.append(f"control word {tok} runs into the letters after it")
            if name in ("begin", "end"):
                env = _group_text(tokens, i + 1)
                if name == "begin":
                    environments.append(env)
                elif not environments or environments.pop() != env:
                    problems.append(rf"\end{{{env}}} without its \begin")
            elif name == "left":
                lefts += 1
            elif name == "right":
                lefts -= 1
                if lefts < 0:
                    problems.append(r"\right without \left")
        if tok == "{":
            depth += 1
            scripts.append({"^": False, "_": False, "argument": expecting_argument})
            expecting_argument = False
        elif tok == "}":
            depth -= 1
            if depth < 0:
                problems.append("a } closes nothing")
                depth = 0
            group = scripts.pop() if len(scripts) > 1 else {"argument": False}
            if not group.get("argument"):
                scripts[-1].update({"^": False, "_": False})     # a closed group is a new atom
        elif tok in "^_" and len(tok) == 1:
            if expecting_argument:
                problems.append(f"{tok} where a script argument was expected")
            if scripts[-1][tok]:
                problems.append(f"double {'superscript' if tok == '^' else 'subscript'} near "
                                f"{''.join(tokens[max(0, i - 8):i + 3])!r}")
            scripts[-1][tok] = True
            expecting_argument = True
        elif expecting_argument:
            expecting_argument = False      # a one-token argument such as ^2 or ^\top
        else:
            scripts[-1].update({"^": False, "_": False})     # any other token starts a new atom
        i += 1
    if depth:
        problems.append(f"{depth} unclosed {{")
    if environments:
        problems.append(f"unclosed environments {environments}")
    if lefts:
        problems.append(r"\left without \right")
    return problems


def _group_text(tokens: list[str], start: int) -> str:
    if start < len(tokens) and tokens[start] == "{":
        end = tokens.index("}", start)
        return "".join(tokens[start + 1:end])
    return ""


def math_spans(markdown: str) -> list[str]:
    """The contents of every `$$ … $$` block and every inline `$…$` in a Markdown text."""
    blocks = re.findall(r"^\$\$\n(.*?)\n\$\$$", markdown, re.S | re.M)
    rest = re.sub(r"^\$\$\n.*?\n\$\$$", "", markdown, flags=re.S | re.M)
    inline = re.findall(r"(?<![\\$])\$([^$\n]+)\$", rest)
    return blocks + inline
