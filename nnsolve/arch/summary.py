"""`nnsolve summary FILE|NAME`: analyse an architecture file or a bundled architecture and print its table."""
from __future__ import annotations

from fractions import Fraction

from pathlib import Path

from .analyze import Analysis, analyze
from ..problems.errors import format_path
from .conventions import Conventions, parse_flops
from .layer_list import bundled_names, load_bundled
from .rules import ArchitectureError, DeclaredSizeError
from .table import render_summary


MODEL_SPEC_LENGTH = 1000        # a class and its arguments; more is not a model choice


def given_values(texts: list[str]) -> dict:
    """`--set NAME=VALUE`, repeatable: a value for a name the snippet's top level sets from what is known
    only when run (`num_classes = len(np.unique(y_train))`, `vocab_size = len(corpus.dictionary)`). VALUE is
    a literal — a number, a text, True/False/None, or a tuple/list of them — parsed with `ast` and read as the
    snippet reader reads its own constants (0.1 is 1/10), never evaluated."""
    import ast
    import keyword

    from ..problems.errors import Issue, ProblemError
    from ..limits import MAX_SNIPPET_DIGITS
    from .snippets.common import SnippetError, _constant, reading

    def refuse(message: str):
        raise ProblemError([Issue("--set", message)])

    def literal(node, name: str, text: str):
        if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float, str)) or \
                isinstance(node, ast.Constant) and node.value is None:
            far = f"{name}: a number far beyond any model's size {MAX_SNIPPET_DIGITS.hint}"
            if type(node.value) is int and len(str(abs(node.value))) > MAX_SNIPPET_DIGITS.value:
                refuse(far)
            try:
                value = _constant(node)
            except SnippetError as e:
                refuse(f"{name}: {e.message}")
            if isinstance(value, (int, Fraction)) and not isinstance(value, bool) and \
                    max(len(str(abs(value.numerator))), len(str(value.denominator))) > MAX_SNIPPET_DIGITS.value:
                refuse(far)
            return value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) and \
                isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float):
            value = literal(node.operand, name, text)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [literal(e, name, text) for e in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, (ast.Set, ast.Dict)) or isinstance(node, ast.Constant):
            kind = {ast.Set: "set", ast.Dict: "dict"}.get(type(node), type(getattr(node, "value", None)).__name__)
            refuse(f"{name}: a {kind} is no value a model file sets its sizes from")
        refuse(f"{name}: expected a literal value (a number, a text in quotes, True/False/None, or a tuple/list "
               f"of them), got {text[:40]!r}")

    given: dict = {}
    for text in texts:
        name, equals, value = text.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier() or keyword.iskeyword(name):
            refuse(f"expected NAME=VALUE with NAME a Python name, e.g. num_classes=10, got {text[:40]!r}")
        if name in given:
            refuse(f"{name} is given twice")
        if len(value) > 1000:
            refuse(f"the value of {name} is {len(value):,} characters long, at most 1,000")
        try:
            tree = ast.parse(value.strip(), mode="eval").body
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            refuse(f"{name}: expected a literal value (a number, a text in quotes, True/False/None, or a tuple/list "
                   f"of them), got {value[:40]!r}")
        with reading(value.strip()):               # numbers read from their typed text, as in a snippet
            given[name] = literal(tree, name, value)
    return given


def model_spec(text: str) -> str:
    """`--model SPEC` checked by its syntax alone (`ast`, never evaluated): a class of the file (`Net`) or
    a call of one with literal arguments, names of the file and arithmetic on sizes
    (`ResNet(BasicBlock, [2, 2, 2, 2], num_classes=10)`). The reader evaluates it; anything else —
    attribute access on a call, subscripts, lambdas, comprehensions, star-arguments — is refused here with
    its column, so a SPEC can never do more than build the model."""
    import ast

    from ..problems.errors import Issue, ProblemError

    def refuse(why: str, node: ast.AST | None = None):
        at = f" (column {node.col_offset + 1})" if node is not None and hasattr(node, "col_offset") else ""
        raise ProblemError([Issue("--model", f"expected a class of the file or a call of one, such as Net or "
                                             f"'ResNet(BasicBlock, [2, 2, 2, 2])': {why}{at}")])

    text = text.strip()
    if not text:
        refuse("it is empty")
    if len(text) > MODEL_SPEC_LENGTH:
        refuse(f"it is {len(text):,} characters long, at most {MODEL_SPEC_LENGTH:,}")
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        refuse(f"{e.msg} (column {e.offset or 1})")

    def dotted(node) -> bool:
        """A name of the file or a dotted one (`models.ResNet`); Python's own `__…__` names are not."""
        while isinstance(node, ast.Attribute) and not node.attr.startswith("__"):
            node = node.value
        return isinstance(node, ast.Name) and not node.id.startswith("__")

    def name(node):
        if node.id.startswith("__"):
            refuse(f"the name {node.id} is not a class of the file", node)

    def argument(node) -> None:
        if isinstance(node, ast.Constant) and not isinstance(node.value, (bytes, type(...))):
            return
        if isinstance(node, ast.Name):
            return name(node)
        if isinstance(node, ast.Attribute) and dotted(node):
            return
        parts = None
        if isinstance(node, (ast.List, ast.Tuple)):
            parts = node.elts
        elif isinstance(node, ast.Dict) and None not in node.keys:
            parts = [*node.keys, *node.values]
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            parts = [node.operand]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv,
                                                                    ast.Div, ast.Pow)):
            parts = [node.left, node.right]
        elif isinstance(node, ast.Call):
            return call(node)
        if parts is not None:
            for part in parts:
                argument(part)
            return
        refuse(f"{ast.unparse(node)!r} is not an argument a model is built from (a number, text, a list, a "
               f"name of the file or a call of one)", node)

    def call(node: ast.Call) -> None:
        if not dotted(node.func):
            refuse(f"{ast.unparse(node.func)!r} is not a class name", node.func)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                refuse("star-arguments are not read", arg)
            argument(arg)
        for kw in node.keywords:
            if kw.arg is None:
                refuse("keyword unpacking (**) is not read", kw.value)
            argument(kw.value)

    if isinstance(tree, ast.Name):
        name(tree)
    elif isinstance(tree, ast.Attribute) and dotted(tree):
        pass
    elif isinstance(tree, ast.Call):
        call(tree)
    else:
        refuse(f"{text!r} is neither a class name nor a call", tree)
    return text


def analysis_of(source: str, flops: str | None = None, input_shape: tuple[int, ...] | None = None,
                model: str | None = None, trace: bool = False, given: dict | None = None) -> Analysis:
    """A bundled architecture by name (`resnet50`), an `architecture` problem file, or a Keras/PyTorch
    snippet (`.py`, parsed, never run; a PyTorch snippet needs `input_shape` or a `# input: 3x224x224`
    comment). `model` chooses the snippet's model (`model_spec`), for a file that defines several or
    builds none. Malformed input raises the located ProblemError every command reports: a bad `flops`
    convention at --flops, a bad SPEC at --model, anything else at the snippet's line or the file's layer.
    `given`: values for names the snippet sets from its data (the CLI's --set, `given_values`).
    `trace` builds a PyTorch snippet's model by running it (nnsolve.arch.trace: opt-in, the CLI's --trace
    only) instead of reading it."""
    from ..problems.errors import Issue, ProblemError, suggestion

    path = Path(source)
    if trace and path.suffix != ".py":
        raise ProblemError([Issue("--trace", f"builds the model of a PyTorch file (.py); {source!r} is not one")])
    if given and (path.suffix != ".py" or trace):
        raise ProblemError([Issue("--set", "gives values to names a Keras/PyTorch snippet (.py) sets from its data, "
                                           "for the reader: " + ("--trace runs the file as it is" if trace else
                                                                 f"{source!r} describes one architecture"))])
    if model is not None:
        if path.suffix != ".py":
            raise ProblemError([Issue("--model", f"chooses the model of a Keras/PyTorch snippet (.py); "
                                                 f"{source!r} describes one architecture")])
        model = model_spec(model)
    if flops is not None:
        try:
            parse_flops(flops)
        except ValueError as e:
            raise ProblemError([Issue("--flops", str(e))]) from None
    if path.suffix == ".py":
        from .snippets import load_snippet
        from .snippets.common import SnippetIssue
        if trace:
            from .trace import traced_architecture
            arch = traced_architecture(path, input_shape, model)
        else:
            arch = load_snippet(path, input_shape=input_shape, model=model, given=given)
        try:
            return analyze(arch, Conventions.for_framework(arch.framework, flops=flops))
        except ArchitectureError as e:         # a size the snippet declares, a window that does not fit
            where = e.layer.line if e.layer else None
            text = str(e) if isinstance(e, DeclaredSizeError) or not e.layer else \
                f"{e.layer.called} {e.layer.name!r}: {e}"
            raise ProblemError([SnippetIssue("", text, where)], str(path)) from None
    if not path.suffix and not path.exists():
        names = bundled_names()
        if source not in names:
            raise ProblemError([Issue("", f"no file and no bundled architecture {source!r}" + suggestion(source, names, True))])
        arch = load_bundled(source)
        return analyze(arch, Conventions.for_framework(arch.framework, flops=flops))
    from ..api import load
    from ..problems.arch.solver import _analyses, _architecture, layer_issue

    loaded = load(path)
    if loaded.family.name != "architecture":
        raise ProblemError([Issue("problem", f"summary reads an architecture, this file is a {loaded.family.name} problem",
                                  loaded.locate(("problem",)))], str(path))
    model = loaded.model
    if not model.layers:
        raise ProblemError([Issue("hidden_size", "summary tabulates layers, and this file gives none, only a "
                                                 "parameter total to find the hidden size from: use `nnsolve solve`",
                                  loaded.locate(("hidden_size",)))], str(path))
    if flops:
        model = model.model_copy(update={"conventions": model.conventions.model_copy(update={"flops": flops})})
    try:
        return _analyses(model)[0][1]            # keep_size paddings solved, as `solve` does
    except ArchitectureError as e:               # loading analysed the same layers; kept as a safety net
        loc, message = layer_issue(model, _architecture(model)[0], e)
        raise ProblemError([Issue(format_path(loc), message, loaded.locate(loc))], str(path)) from None


def summary(source: str, fmt: str = "text", flops: str | None = None,
            input_shape: tuple[int, ...] | None = None, model: str | None = None, style: str = "nnsolve",
            trace: bool = False, given: dict | None = None) -> str:
    """The printed summary: nnsolve's own table (text, Markdown or JSON), or as Keras' `model.summary()`
    or torchinfo's `summary()` lay it out (`style`, text only)."""
    if style != "nnsolve":
        from ..problems.errors import Issue, ProblemError
        from .styles import STYLES
        if style not in STYLES:
            raise ProblemError([Issue("--style", f"expected one of nnsolve, {', '.join(STYLES)}, got {style!r}")])
        if fmt != "text":
            raise ProblemError([Issue("--style", f"the {style} table is text: drop --format {fmt}, or use "
                                                 f"--style nnsolve")])
        return STYLES[style](analysis_of(source, flops, input_shape, model, trace, given))
    return render_summary(analysis_of(source, flops, input_shape, model, trace, given), fmt)
