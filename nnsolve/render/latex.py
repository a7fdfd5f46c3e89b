"""LaTeX for paper: a standalone `article` document, or a question for the `exam` class (`--latex-fragment`).

The math is the Markdown printer's (formulas.py, values.py, expansion.py): the same LaTeX, laid out for a
page. Each step is an `align*` block with one `=` per line, and a page may break between its lines. A value
too large for a line (a 300-entry vector, a 12-column matrix, a tensor of many channels) is cut into
pieces of at most ROWS × COLUMNS entries, one per line; the formula with numbers is then left out, as the
Markdown printer leaves it out for a tensor, because each quantity in it is shown in its own step. A line
that is still wider than the page is shrunk to fit by `\\nnsolvefit`.

Prose goes through latex_prose.py, so the file is plain ASCII and compiles under pdflatex and xelatex alike.
"""
from __future__ import annotations

import re

import numpy as np

from ..engine.notation import latex_symbol
from ..solution import Solution, Step
from .expansion import latex_sums
from .formulas import equation_parts, substituted
from .latex_prose import character, prose
from .markdown import BOLD, CODE, DISPLAY, MATH, statement_markdown, statement_paragraphs
from .tree import UNTITLED, Given, Printer
from ..engine.symbolic import Symbolic
from .values import grid_labels, latex_number, latex_value

ROWS = 16           # rows of numbers one line of a display may hold
COLUMNS = 10        # numbers side by side on one line (amsmath's default MaxMatrixCols)
PARTS = 26          # the exam class letters its parts a to z; more answers are listed in the one solution
LONG = 120          # a formula wider than this is cut into lines at its outermost spaces
WIDEST = 2500       # wider than ~16,000 pt TeX cannot even shrink a box
FIT = 60            # a line wider than this many characters may not fit: it goes through \nnsolvefit

# `\nnsolvefit{lhs}{piece}`: the piece as it is, or shrunk when it is wider than the line leaves beside
# `lhs =`; it typesets its argument twice, which costs nothing at the size of an exam question. Boxes 0 and 2
# are TeX's scratch boxes: nothing to allocate, so a fragment may define it again.
FIT_MACRO = (r"\providecommand{\nnsolvefit}[2]{\setbox2=\hbox{$\displaystyle #1 = {}$}%" "\n"
             r"  \setbox0=\hbox{$\displaystyle #2$}\edef\nnsolvewidth{\the\dimexpr\linewidth-\wd2-3em\relax}%" "\n"
             r"  \ifdim\wd0>\nnsolvewidth\resizebox{\nnsolvewidth}{!}{$\displaystyle #2$}\else\box0\fi}")

# what every document needs under pdflatex and xelatex alike (fonts and input encoding for pdflatex only)
PACKAGES = r"""\usepackage{iftex}
\ifPDFTeX
  \usepackage[utf8]{inputenc}
  \usepackage[T1]{fontenc}
  \usepackage{lmodern}
\fi
\usepackage{amsmath,amssymb,graphicx}
\usepackage[margin=2.5cm]{geometry}
\allowdisplaybreaks
"""
PREAMBLE = "\\documentclass[11pt]{article}\n" + PACKAGES + "\\setlength{\\parindent}{0pt}\n\\setlength{\\parskip}{0.5ex}\n"

FRAGMENT_NOTE = ("% An exam-class question written by nnsolve. The preamble needs \\usepackage{amsmath,amssymb,graphicx};\n"
                 "% \\printanswers (or \\documentclass[answers]{exam}) shows the solutions.")


def render_latex(solution: Solution, digits: int | None = None, fragment: bool = False, handout: bool = False,
                 marks: dict | None = None) -> str:
    """A standalone document, or with `fragment` a question for the `exam` class; with `handout`, the question
    alone (its statement or givens, and what is asked). `marks` (answer id → points, decided by the caller: the
    marking scheme) are the exam question's and parts' points."""
    printer = LatexPrinter(solution, digits, fragment, marks)
    return printer.print_handout() if handout else printer.print_document()


EXAM_PREAMBLE = ("\\documentclass[11pt,addpoints]{exam}\n" + PACKAGES +
                 "% \\printanswers prints every solution (the key); without it the questions alone (the paper)\n")


def exam_document(questions: list[str], title: str, answers: bool = True) -> str:
    """Exam-class questions (fragments) as one `exam` document; `answers` sets `\\printanswers` (the key) on."""
    head = EXAM_PREAMBLE + ("\\printanswers\n" if answers else "%\\printanswers\n")
    return ascii_only(head + "\n\\begin{document}\n\\begin{center}\\Large " + prose(title) + "\\end{center}\n"
                      "\\begin{questions}\n" + "\n".join(questions) + "\\end{questions}\n\\end{document}\n")


def join_latex(documents: list[tuple[str, str]], fragment: bool = False) -> str:
    """Several files' LaTeX as one: standalone documents as one document (the preamble, which never varies,
    once; each solution on a new page), fragments one after the other; each under a comment naming its file."""
    if fragment:
        return "\n".join(f"% ==> {prose(name)} <==\n{text}" for name, text in documents)
    begin, end = "\\begin{document}\n", "\\end{document}\n"
    bodies = [f"% ==> {prose(name)} <==\n" + text[text.index(begin) + len(begin):text.rindex(end)].strip()
              for name, text in documents]
    head = documents[0][1][:documents[0][1].index(begin) + len(begin)] if documents else PREAMBLE + begin
    return head + "\n\\clearpage\n\n".join(bodies) + "\n\n" + end


class LatexPrinter(Printer):
    def __init__(self, solution: Solution, digits: int | None = None, fragment: bool = False,
                 marks: dict | None = None):
        super().__init__(solution, digits)
        self.fragment = fragment
        self.marks = marks
        self.column = solution.vectors != "row"
        _check_symbols(solution)

    # -- the document ------------------------------------------------------------------------------
    def _print_Document(self, doc) -> str:
        if self.fragment:
            return self._question(doc)
        body = [self.doprint(doc.header)] + [self.doprint(section) for section in doc.sections]
        if doc.answers is not None:
            body.append(self.doprint(doc.answers))
        return ascii_only(PREAMBLE + FIT_MACRO + "\n\n\\begin{document}\n\n" + "\n\n".join(body)
                          + "\n\n\\end{document}\n")

    def _question(self, doc) -> str:
        """`\\question` (the title), the givens, then the worked solution; several answers are the
        question's parts, each with its value as its solution."""
        header = doc.header
        rows = doc.answers.rows if doc.answers is not None else ()
        as_parts = 1 < len(rows) <= PARTS
        lines = [FRAGMENT_NOTE, FIT_MACRO, "", self._points(r"\question", [i for i, _ in rows]) + " "
                 + prose(header.title or UNTITLED)]
        if header.source or header.source_note:
            source = " -- ".join(s for s in (header.source, header.source_note) if s)
            lines.append(r"{\small\raggedright(" + prose(source) + r")\par}")
        if header.statement is not None:
            lines.append(self.doprint(header.statement))
        givens = [block for section in doc.sections for block in section.blocks if isinstance(block, Given)]
        lines += self._blocks(givens)
        if as_parts:
            lines.append(r"\begin{parts}")
            for quantity_id, step in rows:
                lines += [self._points(r"\part", [quantity_id]) + rf" Find ${latex_symbol(step.latex_symbol)}$.",
                          r"\begin{solution}",
                          self._equation(step, [], tag=quantity_id), r"\end{solution}"]
            lines.append(r"\end{parts}")
        elif rows:
            lines.append("Find " + ", ".join(f"${latex_symbol(step.latex_symbol)}$" for _, step in rows) + ".")
        worked = [self._conventions(header.conventions)]
        for section in doc.sections:
            if not all(isinstance(block, Given) for block in section.blocks):
                worked.append(self._section(section, skip_givens=True))
        if rows and not as_parts:
            worked.append(self.doprint(doc.answers))
        lines += [r"\begin{solution}", "\n\n".join(w for w in worked if w), r"\end{solution}"]
        return ascii_only("\n".join(lines) + "\n")

    def _points(self, command: str, answers: list[str]) -> str:
        """`\\question[3]` / `\\part[1.5]` with the marks given for these answers (with parts, the question's
        points are the parts'); `\\question{}` without."""
        if self.marks is None:
            return command + "{}"
        scored = command == r"\part" or not (1 < len(answers) <= PARTS)     # a question with parts: theirs
        if not scored:
            return command + "{}"
        total = sum((self.marks.get(a, 0) for a in answers), 0)
        return f"{command}[{_decimal(total)}]"

    def _print_Header(self, header) -> str:
        lines = [rf"\section*{{{prose(header.title or UNTITLED)}}}"]
        if header.source:
            lines.append(rf"{{\raggedright\textbf{{Source:}} {prose(header.source)}\par}}")     # file names: no hyphens
        if header.source_note:
            lines.append(rf"{{\raggedright\textbf{{Note:}} {prose(header.source_note)}\par}}")
        if header.statement is not None:
            lines.append(self.doprint(header.statement))
        return "\n".join(lines + [self._conventions(header.conventions)])

    # -- the question alone -----------------------------------------------------------------------
    def _print_Statement(self, statement) -> str:
        """The author's Markdown (markdown.statement_paragraphs): prose written as LaTeX, the math as written, the
        placeholders filled in as the printer writes values."""
        text = statement_markdown(statement, self.digits, self.column)

        def span(kind: str, content: str) -> str:
            if kind == MATH:
                return f"${content.strip()}$"
            if kind == DISPLAY:
                return rf"\[{content.strip()}\]"
            if kind == BOLD:
                return rf"\textbf{{{prose(content)}}}"
            if kind == CODE:
                return rf"\texttt{{{prose(content)}}}"
            return prose(content)
        paragraphs = ["".join(span(*s) for s in spans).strip() for spans in statement_paragraphs(text)]
        heading = [] if self.fragment else [r"\subsection*{Problem}"]
        return "\n\n".join(heading + paragraphs)

    def _print_Questions(self, questions) -> str:
        items = [rf"  \item ${latex_symbol(step.latex_symbol)}$ (\texttt{{{prose(quantity_id)}}})"
                 for quantity_id, step in questions.rows]
        heading = r"\paragraph*{Find}" if self.fragment else r"\subsection*{Find}"
        return "\n".join([heading, r"\begin{enumerate}"] + items + [r"\end{enumerate}"])

    def _print_Handout(self, handout) -> str:
        header = handout.header
        if self.fragment:
            lines = [FRAGMENT_NOTE, FIT_MACRO, "", r"\question{} " + prose(header.title or UNTITLED)]
            if header.statement is not None:
                lines.append(self.doprint(header.statement))
            lines.append(self._conventions(header.conventions))
            lines += self._blocks(list(handout.givens)) + [self.doprint(handout.questions)]
            return ascii_only("\n".join(line for line in lines if line) + "\n")
        body = [self.doprint(header)]
        if handout.givens:
            body.append("\n".join([r"\subsection*{Given}"] + self._blocks(list(handout.givens))))
        body.append(self.doprint(handout.questions))
        return ascii_only(PREAMBLE + FIT_MACRO + "\n\n\\begin{document}\n\n" + "\n\n".join(body)
                          + "\n\n\\end{document}\n")

    def _conventions(self, conventions) -> str:
        if not conventions:
            return ""
        items = [rf"  \item[--] \textbf{{{prose(name)}:}} {prose(statement)}" for name, statement in conventions]
        # ragged: a convention names code (`DepthwiseConv2D (kh, kw, in, multiplier)`) that TeX cannot hyphenate
        return "\n".join([r"\textbf{Conventions}", r"{\raggedright", r"\begin{itemize}"] + items
                         + [r"\end{itemize}", r"\par}"])

    def _print_Section(self, section) -> str:
        return self._section(section, skip_givens=False)

    def _section(self, section, skip_givens: bool) -> str:
        heading = rf"\paragraph*{{{prose(section.title)}}}" if self.fragment \
            else rf"\subsection*{{{prose(section.title)}}}"
        return "\n".join([heading] + self._blocks([b for b in section.blocks
                                                    if not (skip_givens and isinstance(b, Given))]))

    def _blocks(self, blocks) -> list[str]:
        """Each block printed, a run of stated quantities (givens without a note) as one display."""
        out, givens = [], []
        for block in blocks:
            if isinstance(block, Given) and not block.note:
                givens += self._rows(block.step, [])
                continue
            if givens:
                out.append(_align(givens))
                givens = []
            out.append(self.doprint(block))
        return out + ([_align(givens)] if givens else [])

    def _print_Given(self, block) -> str:
        return self._equation(block.step, []) + self._note(block.note)

    def _print_Derivation(self, block) -> str:
        return self._equation(block.step, self._parts(block.step)) + self._sums(block.step) + self._note(block.note)

    def _print_Answers(self, answers) -> str:
        heading = r"\paragraph*{Answers}" if self.fragment else r"\subsection*{Answers}"
        return "\n".join([heading, _align([row for i, step in answers.rows for row in self._rows(step, [], tag=i)])])

    # -- the math --------------------------------------------------------------------------------
    def _parts(self, step: Step) -> list[str]:
        """The Markdown printer's middle parts, without the formula with numbers when a quantity in it
        would not fit on a line."""
        parts = equation_parts(self.solution, step, True, self.digits)
        if any(not fits(self.solution.value(i), self.column) for i in step.formula.args):
            numbers = substituted(self.solution, step, True, self.digits)
            parts = [part for part in parts if part != numbers]
        return parts

    def _equation(self, step: Step, parts: list[str], tag: str | None = None) -> str:
        return _align(self._rows(step, parts, tag))

    def _rows(self, step: Step, parts: list[str], tag: str | None = None) -> list[str]:
        """`symbol &= part`, `&= …`, `&= value`: the value's pieces one per line."""
        symbol = latex_symbol(step.latex_symbol)
        pieces = value_lines(step.value, self.digits, self.column, step.axes)
        # a symbol wider than half a line (θ with a 300-digit position) is shrunk to the line
        narrow = width(symbol) <= FIT // 2
        rows = []
        for i, piece in enumerate(parts + pieces):
            first, *rest = _lines(symbol if narrow else "", piece)
            rows.append(("&= " if i <= len(parts) else r"&\phantom{{}={}} ") + first)
            rows += [r"&\qquad " + line for line in rest]          # one expression continued
        if narrow:
            rows[0] = symbol + " " + rows[0]
        else:       # on a line of its own, right of the alignment, so that it does not push the lines below right
            rows.insert(0, rf"&\nnsolvefit{{}}{{{symbol}}}")
        if tag is not None:
            rows[0] += rf" \tag*{{\texttt{{{prose(tag)}}}}}"
        return rows

    def _sums(self, step: Step) -> str:
        """The entries written out, one line each (a page may break between them)."""
        name = lambda i: latex_symbol(self.solution.step(i).latex_symbol)  # noqa: E731
        rows = latex_sums(latex_symbol(step.latex_symbol), step.expansion, self.digits, name)
        if not rows:
            return ""
        rows = [head + "&= " + _fit(head, rest) for head, _, rest in (row.partition("&= ") for row in rows)]
        return "\n" + _align(rows)

    @staticmethod
    def _note(note: str) -> str:
        # ragged: a note may name a setting (NNSOLVE_MAX_WEIGHT_SEARCH) that TeX cannot hyphenate
        return f"\n{{\\small\\raggedright\\emph{{({prose(note)})}}\\par}}" if note else ""


def fits(value: np.ndarray, column: bool = True) -> bool:
    """Whether `latex_value(value)` is small enough to stand on one line of a page."""
    if value.ndim == 0:
        return True
    if value.ndim == 1:
        return value.size <= (ROWS if column else COLUMNS)
    grids = int(np.prod(value.shape[:-2])) if value.ndim > 2 else 1
    return value.shape[-2] <= ROWS and value.shape[-1] * grids <= COLUMNS


def value_lines(value: np.ndarray, digits: int, column: bool = True, axes: tuple[str, ...] = ()) -> list[str]:
    """A value as LaTeX pieces, one per line: the Markdown printer's `latex_value` when it fits; otherwise a
    long vector as a row broken across lines (transposed when the solution's vectors are columns), a large
    matrix as labelled blocks of at most ROWS × COLUMNS entries (a single column or row as a long vector), a
    tensor as one labelled grid per line."""
    if value.ndim and any(isinstance(v, Symbolic) and width(v.latex) > LONG for v in value.flat):
        # entries that are long formulas (a gradient in symbols): one entry a line, named by its index
        return [rf"\text{{{''.join(f'[{i}]' for i in index)}: }}" + latex_number(value[index], digits)
                for index in np.ndindex(*value.shape)]
    if fits(value, column):
        return [latex_value(value, digits, column, axes)]
    if value.ndim == 2 and 1 in value.shape:
        # one column (or one row) of many numbers: the long vector's layout, `[w0 … w299]ᵀ` over 30 lines
        return value_lines(value.reshape(-1), digits, value.shape[1] == 1)
    if value.ndim == 1:
        chunks = [" & ".join(latex_number(v, digits) for v in value[start:start + COLUMNS])
                  for start in range(0, value.size, COLUMNS)]
        lines = [rf"\left.\begin{{matrix}} {chunk} \end{{matrix}}\right." for chunk in chunks]
        lines[0] = r"\left[" + lines[0][len(r"\left."):]
        lines[-1] = lines[-1][:-len(r"\right.")] + r"\right]" + (r"^\top" if column else "")
        return lines
    if value.ndim == 2:
        rows, cols = value.shape
        lines = []
        for r in range(0, rows, ROWS):
            for c in range(0, cols, COLUMNS):
                block = value[r:r + ROWS, c:c + COLUMNS]
                where = ([f"rows {r}--{r + block.shape[0] - 1}"] if rows > ROWS else []) + \
                    ([f"columns {c}--{c + block.shape[1] - 1}"] if cols > COLUMNS else [])
                label = rf"\text{{{', '.join(where)}: }}"
                lines.append(label + latex_value(block, digits))
        return lines
    lines = []
    for index, label in grid_labels(value, axes):
        grid = value_lines(value[index], digits, column)
        lines += [rf"\text{{{prose(label)}: }}" + grid[0]] + grid[1:]
    return lines


def _decimal(x) -> str:
    from fractions import Fraction
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    from ..engine.number import format_number
    return format_number(x, 4)


def ascii_only(tex: str) -> str:
    """The last guard of the file's ASCII: a character that reached the math without a LaTeX name (a solver's
    `\\text{⋮}`) is written as the prose table writes it, in a \\text box, which math and text both accept."""
    return tex if tex.isascii() else re.sub(r"[^\x00-\x7f]", lambda m: rf"\text{{{character(m.group())}}}", tex)


_UNWRITABLE = re.compile(r"(?<!\\)[#$%&~]|[^\x20-\x7e]")


def _check_symbols(solution: Solution) -> None:
    """A symbol the file's `notation:` chose that TeX cannot typeset (`W#`, `中`, `{W`) is refused here, by
    its notation key, rather than left to fail in the engine."""
    for step in solution.steps:
        symbol = latex_symbol(step.latex_symbol)
        plain = re.sub(r"\\[{}]", "", symbol)
        depth = 0
        for ch in plain:
            depth += (ch == "{") - (ch == "}")
            if depth < 0:
                break
        if _UNWRITABLE.search(symbol) or depth != 0:
            from ..problems.errors import Issue, ProblemError
            raise ProblemError([Issue("notation", f"the symbol {step.text_symbol!r} of {step.id!r} cannot be "
                                                  "written in LaTeX: use letters, digits, _ ^ { } and LaTeX "
                                                  "commands (\\alpha)")])


def _align(rows: list[str]) -> str:
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


_MATRIX = re.compile(r"\\begin\{(b?matrix)\}(.*?)\\end\{\1\}", re.S)
_COMMAND = re.compile(r"\\[A-Za-z]+|\\\\|\\.|[{}&^_ ]")


def width(latex: str) -> int:
    """About how many characters wide `latex` prints: a command or a bracket counts as one, braces and
    spaces as none, a matrix as its widest row. It overestimates (a subscript is as wide as a letter)."""
    latex = _MATRIX.sub(lambda m: "xx" + "x" * max(width(row) for row in m.group(2).split(r"\\")), latex)
    return len(_COMMAND.sub(lambda m: "x" if m.group()[0] == "\\" and len(m.group()) > 1 else "", latex))


def _lines(symbol: str, piece: str) -> list[str]:
    """The piece on one line, or when wider than LONG on several, cut at its outermost spaces; each line fitted
    to the page. A part that cannot be cut and is too wide for TeX even to shrink is replaced by a sentence
    saying so (the text and JSON printers write it in full)."""
    lines = [piece] if width(piece) <= LONG else _cut(piece)
    return [_fit(symbol, line if width(line) <= WIDEST else rf"\text{{[a formula of {len(line)} characters, too long "
                                                             r"to typeset; the text and JSON formats print it]}")
            for line in lines]


_TOKEN = re.compile(r"\\(?:left|right)(?![A-Za-z])|\\(?:begin|end)\{[^}]*\}|\\[A-Za-z]+|\\.|.", re.S)


def _cut(piece: str) -> list[str]:
    """`piece` cut at spaces outside every brace, \\left…\\right pair and environment (never before a `^` or
    `_`), into lines about LONG characters wide."""
    lines, start, depth, run = [], 0, 0, 0
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(piece)]
    for k, (at, token) in enumerate(tokens):
        following = tokens[k + 1][1] if k + 1 < len(tokens) else ""
        if token == " " and depth == 0 and run >= LONG and following not in ("^", "_", " ", ""):
            lines.append(piece[start:at])
            start, run = at + 1, 0
            continue
        if token in ("{", r"\left") or token.startswith(r"\begin{"):
            depth += 1
        elif token in ("}", r"\right") or token.startswith(r"\end{"):
            depth -= 1
        run += token not in ("{", "}", " ", "^", "_", "&")
    return lines + [piece[start:]]


def _fit(symbol: str, piece: str) -> str:
    """The piece, through \\nnsolvefit when it may not fit beside `symbol =`; \\nnsolvefit shrinks only what
    is too wide, so an overestimate costs nothing on paper."""
    return rf"\nnsolvefit{{{symbol}}}{{{piece}}}" if width(symbol) + width(piece) > FIT else piece
