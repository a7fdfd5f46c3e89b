"""One self-contained HTML page: the header and conventions, the family's picture, a section per part of the
solution with each step as `symbol = formula = numbers = value` (one `=` per row, aligned), the answers table.

The math is the Markdown printer's LaTeX (values.py, formulas.py, expansion.py) converted to MathML (mathml.py):
no JavaScript, no network, nothing to install to read it. A matrix is a real array; a tensor of three or more
axes is a row of labelled grids, one per channel, that wraps on a narrow page. Prose is escaped. The page is
well-formed XML as well as HTML, so it can be read back by any XML parser.
"""
from __future__ import annotations

import re
from html import escape

import numpy as np

from ..engine.notation import latex_symbol
from ..solution import Solution, Step
from .expansion import latex_sums
from .markdown import BOLD, CODE, DISPLAY, MATH, statement_markdown, statement_paragraphs
from .formulas import equation_parts
from .mathml import mathml
from .tree import UNTITLED, Printer
from .values import grid_labels, latex_compact_value, latex_value

# `= …` at the start of a cell, with an empty atom before it as `&=` has in LaTeX: the sign then spaces as a
# relation on both sides (alone it would be a prefix operator, run into a following word: `=not stationary`)
EQUALS = "{} = "
NO_DOT = ("The picture of this problem is not drawn: Graphviz's <code>dot</code> program is not installed "
          "(Debian: <code>apt-get install graphviz</code>).")


def render_html(solution: Solution, digits: int | None = None, picture: bool = True, handout: bool = False) -> str:
    """The page; `picture=False` leaves the family's picture out (its SVG depends on the Graphviz version); with
    `handout`, the question alone (its statement or givens, and what is asked)."""
    printer = HtmlPrinter(solution, digits, picture and not handout)
    return printer.print_handout() if handout else printer.print_document()


def page(title: str, main: str) -> str:
    """A self-contained page around `main` (the style once, inline)."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n'
            f'<meta name="generator" content="nnsolve"/>\n<title>{escape(title)}</title>\n<style>{CSS}</style>\n'
            "</head>\n<body>\n<main>\n" + main + "\n</main>\n</body>\n</html>\n")


def render_html_pages(solutions: list[Solution], title: str, digits: int | None = None,
                      picture: bool = True) -> str:
    """Several worked solutions on one page (a problem set's solution sheet): a list of contents, then each
    solution as an <article> with its own anchor."""
    from .tree import build
    articles, contents = [], []
    for k, solution in enumerate(solutions, 1):
        printer = HtmlPrinter(solution, digits, picture)
        name = escape(solution.title or UNTITLED)
        contents.append(f'<li><a href="#problem-{k}">{name}</a></li>')
        articles.append(f'<article id="problem-{k}">\n{printer.body(build(solution))}\n</article>')
    head = f"<h1>{escape(title)}</h1>\n<nav><ol>{''.join(contents)}</ol></nav>"
    return page(title, "\n".join([head] + articles))


class HtmlPrinter(Printer):
    def __init__(self, solution: Solution, digits: int | None = None, picture: bool = True):
        super().__init__(solution, digits)
        self.picture = picture

    @property
    def column(self) -> bool:
        return self.solution.vectors != "row"

    def _print_Document(self, doc) -> str:
        return page(doc.header.title or UNTITLED, self.body(doc))

    def body(self, doc) -> str:
        """What the page's <main> holds: the header, the picture, the sections, the answers."""
        blocks = [self.doprint(doc.header)]
        if self.picture:
            blocks.append(picture_html(self.solution))
        blocks += [self.doprint(section) for section in doc.sections]
        if doc.answers is not None:
            blocks.append(self.doprint(doc.answers))
        return "\n".join(b for b in blocks if b)

    def _print_Header(self, header) -> str:
        lines = ["<header>", f"<h1>{escape(header.title or UNTITLED)}</h1>"]
        if header.source or header.source_note:
            source = " — ".join(escape(s) for s in (header.source, header.source_note) if s)
            lines.append(f'<p class="source"><strong>Source:</strong> {source}</p>')
        if header.statement is not None:
            lines.append(self.doprint(header.statement))
        if header.conventions:
            lines += ['<section class="conventions">', "<h2>Conventions</h2>", "<ul>"]
            lines += [f"<li><strong>{escape(name)}:</strong> {escape(statement)}</li>"
                      for name, statement in header.conventions]
            lines += ["</ul>", "</section>"]
        return "\n".join(lines + ["</header>"])

    def _print_Statement(self, statement) -> str:
        """The author's Markdown: paragraphs of escaped text, its `$…$` and `$$…$$` math (placeholders filled in
        as the printer writes values) as MathML."""
        text = statement_markdown(statement, self.digits, self.column)
        return '<section class="statement">\n<h2>Problem</h2>\n' + markdown_paragraphs(text) + "\n</section>"

    def _print_Handout(self, handout) -> str:
        blocks = [self.doprint(handout.header)]
        if handout.givens:
            blocks.append("\n".join(["<section>", "<h2>Given</h2>"] + [self.doprint(b) for b in handout.givens]
                                     + ["</section>"]))
        blocks.append(self.doprint(handout.questions))
        return page(handout.header.title or UNTITLED, "\n".join(blocks))

    def _print_Questions(self, questions) -> str:
        items = [f"<li>{mathml(latex_symbol(step.latex_symbol))} (<code>{escape(quantity_id)}</code>)</li>"
                 for quantity_id, step in questions.rows]
        return "\n".join(['<section class="questions">', "<h2>Find</h2>", "<ol>"] + items + ["</ol>", "</section>"])

    def _print_Section(self, section) -> str:
        blocks = [self.doprint(block) for block in section.blocks]
        return "\n".join(["<section>", f"<h2>{escape(section.title)}</h2>"] + blocks + ["</section>"])

    def _print_Given(self, block) -> str:
        return self._step(block.step, [], block.note, "step given")

    def _print_Derivation(self, block) -> str:
        parts = equation_parts(self.solution, block.step, True, self.digits)
        return self._step(block.step, parts, block.note)

    def _print_Answers(self, answers) -> str:
        rows = [f"<tr><td><code>{escape(quantity_id)}</code></td>"
                f"<td>{mathml(latex_symbol(step.latex_symbol))}</td>"
                f"<td>{self._value(step, compact=True)}</td></tr>" for quantity_id, step in answers.rows]
        return "\n".join(['<section class="answers">', "<h2>Answers</h2>", "<table>",
                          "<thead><tr><th>Quantity</th><th>Symbol</th><th>Value</th></tr></thead>", "<tbody>"]
                         + rows + ["</tbody>", "</table>", "</section>"])

    # -- pieces --------------------------------------------------------------------------------
    def _step(self, step: Step, parts: list[str], note: str, kind: str = "step") -> str:
        """`symbol = part = … = value`, a row per `=`; then the entries written out, then the note. A given is
        `class="step given"` (a page revealing the solution a step at a time shows the givens at once); `data-id` is
        the quantity's id, where a page puts a key's verdict on it."""
        symbol = mathml(latex_symbol(step.latex_symbol))
        cells = [mathml(EQUALS + part) for part in parts] + [self._value(step, EQUALS)]
        html = [f'<div class="{kind}" data-id="{escape(step.id)}">', equation_table([(symbol, cells[0])] + [("", cell) for cell in cells[1:]])]
        html += self._sums(step)
        if note:
            html.append(f'<p class="note">({escape(note)})</p>')
        return "\n".join(html + ["</div>"])

    def _value(self, step: Step, lead: str = "", compact: bool = False) -> str:
        """`lead` and the value as MathML; a tensor of three or more axes as its grids side by side, each
        labelled underneath (`channel 0`), wrapping on a narrow page."""
        value = step.value
        if value.ndim >= 3 and value.size:
            grids = tensor_grids(value, self.digits, self.column, step.axes)
            return f"{mathml(lead)} {grids}" if lead else grids
        shown = latex_compact_value if compact else latex_value
        return mathml(lead + shown(value, self.digits, self.column, step.axes))

    def _sums(self, step: Step) -> list[str]:
        """The entries written out, one aligned row each."""
        name = lambda i: latex_symbol(self.solution.step(i).latex_symbol)  # noqa: E731
        rows = latex_sums(latex_symbol(step.latex_symbol), step.expansion, self.digits, name)
        if not rows:
            return []
        pairs = [row.split(" &= ", 1) for row in rows]
        return [equation_table([(mathml(head), mathml(EQUALS + rest)) for head, rest in pairs], "sums")]


def markdown_paragraphs(text: str) -> str:
    """A statement's Markdown as HTML (markdown.statement_paragraphs): paragraphs of escaped text, math as MathML,
    **bold** and `code`. Math that MathML cannot take is shown as its LaTeX in <code>, not dropped."""
    def span(kind: str, content: str) -> str:
        if kind in (MATH, DISPLAY):
            return _math_or_source(content, display=kind == DISPLAY)
        if kind == BOLD:
            return f"<strong>{escape(content)}</strong>"
        if kind == CODE:
            return f"<code>{escape(content)}</code>"
        return escape(content)
    return "\n".join("<p>" + "".join(span(*s) for s in spans).strip() + "</p>"
                     for spans in statement_paragraphs(text))


def _math_or_source(latex: str, display: bool) -> str:
    try:
        return mathml(latex.strip(), display)
    except Exception:       # the author's own LaTeX, beyond what the converter reads: shown as written
        return f"<code>{escape(latex)}</code>"


def equation_table(rows: list[tuple[str, str]], kind: str = "equation") -> str:
    """Rows of (left side, `= right side`), the `=` signs aligned in one column as in LaTeX's `aligned`."""
    cells = [f'<tr><td class="lhs">{lhs}</td><td class="rhs">{rhs}</td></tr>' for lhs, rhs in rows]
    return f'<table class="{kind}">' + "".join(cells) + "</table>"


def tensor_grids(value: np.ndarray, digits: int, column: bool, axes: tuple[str, ...]) -> str:
    figures = [f'<figure class="grid">{mathml(latex_value(value[index], digits, column))}'
               f"<figcaption>{escape(label)}</figcaption></figure>" for index, label in grid_labels(value, axes)]
    return '<span class="grids">' + "".join(figures) + "</span>"


def picture_html(solution: Solution) -> str:
    """The family's picture as inline SVG; a line saying why when Graphviz is missing; nothing for a family
    without a picture."""
    from ..problems import families
    from .picture import run_dot, to_dot

    family = families().get(solution.kind)
    if family is None or family.picture is None:
        return ""
    import shutil
    if shutil.which("dot") is None:
        return f'<p class="missing">{NO_DOT}</p>'
    svg = run_dot(to_dot(solution), "svg").decode("utf-8")
    # the XML declaration, DOCTYPE and Graphviz's comments belong to a file, not to a page
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    return f'<figure class="picture">\n{svg.strip()}\n</figure>'


CSS = """
body { font-family: "DejaVu Serif", Georgia, serif; line-height: 1.45; color: #111; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #333; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #bbb; margin-top: 2rem; }
.source, .missing { color: #444; }
.conventions ul { padding-left: 1.2rem; }
math { font-family: "STIX Two Math", "Latin Modern Math", "DejaVu Math TeX Gyre", math; font-size: 1.1em; }
.step { margin: .9rem 0; overflow-x: auto; }
table.equation, table.sums { border-collapse: collapse; }
table.equation td, table.sums td { padding: .2rem .25rem; vertical-align: middle; }
td.lhs { text-align: right; white-space: nowrap; }
td.rhs { text-align: left; }
table.sums { margin-left: 2rem; font-size: .9em; color: #333; }
.note { margin: .2rem 0 0 2rem; font-style: italic; color: #555; }
.grids { display: inline-flex; flex-wrap: wrap; gap: .4rem 1.2rem; vertical-align: middle; }
figure.grid { margin: 0; text-align: center; }
figure.grid figcaption { font-size: .8em; color: #555; }
figure.picture { margin: 1rem 0; text-align: center; }
figure.picture svg { max-width: 100%; height: auto; }
.answers table { border-collapse: collapse; }
.answers th, .answers td { border: 1px solid #999; padding: .3rem .6rem; text-align: left; vertical-align: middle; }
.answers th { background: #eee; }
article + article { border-top: 3px double #333; margin-top: 2.5rem; }
nav ol { columns: 2; }
@media print {
  body { font-size: 10.5pt; }
  article + article { break-before: page; border-top: none; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .step, figure, tr { break-inside: avoid; }
  .step { overflow: visible; }
  .answers th { background: none; }
}
"""
