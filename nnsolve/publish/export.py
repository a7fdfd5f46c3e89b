"""`nnsolve export FILES|DIR --to moodle|qti|latex-exam|html -o PATH`: problem files solved and written as quiz questions
(or, for HTML, as one page of their worked solutions).

A folder is searched for problem files (YAML/JSON with a `problem:` key); other files in it (a grading class's CSV,
a test's `.expect.yaml`, model snippets) are skipped and counted. The problems of one folder form one category (the
variants `nnsolve vary` writes to a folder become one pool a quiz draws a random question from). A file that does
not load or solve stops the export with its located message (exit 2): nothing half-written is left behind.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..problems.errors import Issue, ProblemError
from .questions import Question, question_of

TARGETS = ("moodle", "qti", "latex-exam", "html")
PROBLEM_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Export:
    questions: list[Question]
    skipped: list[str] = field(default_factory=list)      # files of a folder that are not problem files
    unreadable: list[str] = field(default_factory=list)   # YAML/JSON files of a folder that do not parse
    notes: list[str] = field(default_factory=list)        # what the target could not do as asked

    def report(self) -> list[str]:
        lines = [f"{len(self.questions)} problem{'s' if len(self.questions) != 1 else ''}, "
                 f"{sum(len(q.blanks) for q in self.questions)} numbers asked"]
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} file{'s' if len(self.skipped) != 1 else ''} that are not "
                         f"problem files")
        lines += [f"skipped {file}: not readable as YAML or JSON" for file in self.unreadable]
        lines += [f"{q.source}: {note}" for q in self.questions for note in q.notes] + self.notes
        return lines


def collect(paths: list[Path]) -> Export:
    """Every problem file named or found in the folders named, solved, as questions (in a stable order)."""
    from ..api import load, solve
    from ..problems import parse_document
    from ..problems.loader import load_file

    found, skipped, unreadable = [], [], []
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                kind, document = _kind(load_file, file)
                if kind == PROBLEM:
                    found.append((file, _category(path, file), document))
                else:
                    (unreadable if kind == UNREADABLE else skipped).append(str(file))
        elif path.is_file():
            found.append((path, _category(path.parent, path), None))
        else:
            raise ProblemError([Issue(str(path), "no such file or folder")])
    if not found:
        raise ProblemError([Issue(", ".join(map(str, paths)), "no problem files to export")])
    questions, names, notes = [], set(), []
    for file, category, document in found:
        loaded = parse_document(document) if document is not None else load(file)     # a folder's: read once
        solution = solve(loaded)
        question = question_of(loaded, solution, _unique(file.stem, names), category)
        if question.blanks:
            questions.append(question)
        else:
            notes.append(f"{file}: asks for no number or formula: not exported")
    if not questions:
        raise ProblemError([Issue(", ".join(map(str, paths)), "no problem asks for anything to export")])
    return Export(questions, skipped, unreadable, notes)


PROBLEM, OTHER, UNREADABLE = "problem", "other", "unreadable"


def _kind(load_file, file: Path) -> tuple[str, object]:
    """(kind, the parsed document of a problem file). A problem file is a YAML/JSON mapping with a `problem:` key; a
    YAML/JSON file that does not parse is said by name (it may be a problem file with a typo); anything else in a
    folder is skipped and counted."""
    if file.suffix.lower() not in PROBLEM_SUFFIXES:
        return OTHER, None
    try:
        document = load_file(file)
    except ProblemError:
        return UNREADABLE, None
    data = document.data
    return (PROBLEM, document) if isinstance(data, dict) and "problem" in data else (OTHER, None)


def _category(root: Path, file: Path) -> str:
    folder = file.parent.resolve().relative_to(root.resolve()) if file.parent.resolve() != root.resolve() else None
    name = root.resolve().name if folder is None else f"{root.resolve().name}/{folder.as_posix()}"
    return name


def _unique(stem: str, names: set) -> str:
    name, n = stem, 2
    while name in names:
        name, n = f"{stem}-{n}", n + 1
    names.add(name)
    return name


def export(paths: list[Path], target: str, output: Path) -> Export:
    """Write the questions of `paths` as `target` to `output` (Moodle: one XML file; QTI: one zip; latex-exam: one
    document of the `exam` class, its key printed; HTML: one page of every worked solution)."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    done = collect(paths)
    if target == "qti":
        from .qti import multipart_variants, zeros_read_exactly
        zeros = zeros_read_exactly(done.questions)
        if zeros:
            done.notes.append(f"{zeros} answer{'s are' if zeros > 1 else ' is'} 0 with a tolerance under 10^-4: Canvas "
                              f"reads such a range as [0, 0], so only 0 itself is right there")
        done.notes += [f"{category}: variants with several numbers each; Canvas Classic Quizzes cannot draw one of "
                       f"them as a whole, so each is its own section (choose among them in Canvas)"
                       for category in multipart_variants(done.questions)]
    if target == "moodle":
        from .moodle import moodle_xml
        data = moodle_xml(done.questions).encode("utf-8")
    elif target == "latex-exam":
        from ..render.latex import exam_document, render_latex
        questions = [render_latex(q.solution, fragment=True, marks=q.marks) for q in done.questions]
        data = exam_document(questions, output.stem).encode("utf-8")
    elif target == "html":
        from ..render.html import render_html_pages
        data = render_html_pages([q.solution for q in done.questions], output.stem).encode("utf-8")
    else:
        from .qti import qti_zip
        data = qti_zip(done.questions, output.stem)
    output.write_bytes(data)
    return done
