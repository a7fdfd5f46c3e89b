"""Which model of a PyTorch file the summary reads, and on what input when none is given.

In order: the model `--model` names; else the last module the file's top level builds that is not part
of another one; else the model its own code builds in a function it defines (`def test(): net = ResNet18()`,
`def main(): model = Net().to(device)`, the `if __name__ == "__main__":` block), the last of them — the
file's author's own choice, stated in a note; else the one module class no other class uses, built with
its defaults. Several candidates and nothing to choose between them: a refusal listing them.

Where that code also calls the model on an example (`net(torch.randn(1, 3, 32, 32))`), its sizes after the
batch axis are the input shape when none is given, stated in a note.
"""
from __future__ import annotations

import ast

from .common import SnippetError, budget_spent, describe, dotted, model_in_function, shown
from .values import ClassValue, External, Frame, Function

# methods that return the module itself: `Net().to(device)` builds Net
SAME_MODULE = {"to", "cuda", "cpu", "eval", "train", "double", "float", "half", "requires_grad_", "share_memory"}
EXAMPLE_TENSORS = {"randn", "rand", "zeros", "ones", "empty", "randint"}


class CodeBuiltModel:
    """The model a file's own code builds in a function or its main block; mixed into both readers, which
    say what may build a model (`builds_model`) and what is one (`is_model`)."""
    # the help a note gives for choosing another model
    OTHER_MODEL = "another one: --model"

    def builds_model(self, func) -> bool:
        return isinstance(func, Function) or isinstance(func, ClassValue) and _is_module_class(func)

    def is_model(self, value) -> bool:
        return isinstance(value, self.MODEL_VALUES)

    def model_the_code_builds(self):
        """The last model a function of the file (or its main block) builds from names the top level
        knows, e.g. `net = ResNet18()` in test(); None when there is none the reader can build."""
        for place, assign, call in reversed(list(_model_assignments(self.tree))):
            func = self.globals.names.get(call.func.id)
            if not self.builds_model(func):
                continue
            try:
                value = self.eval(call, Frame({}, self.globals))
            except SnippetError:
                if budget_spent():            # a runaway build: refused as such, not passed over
                    raise
                continue                      # built from the function's own values: not knowable here
            if not self.is_model(value):
                continue
            where = "the file's main block" if isinstance(place, ast.If) else f"{place.name}()"
            self.assume(assign, f"the model is {describe(call)}, as {where} builds it (the file builds none at its "
                                f"top level; {self.OTHER_MODEL})")
            self.example = _example_input(place, assign)
            return value
        return None


class ModelChoice(CodeBuiltModel):
    """Mixed into the PyTorch reader: `self.built` (modules the top level assigns), `self.globals`."""

    def the_model(self, spec: str | None):
        if spec is not None:
            return self.chosen(spec)
        return self.last_model()

    def last_model(self):
        inside: set = set()
        for value in self.built:
            reached: set = set()
            self.name_modules(value, None, reached, record_only=True)
            inside |= reached - {id(value)}
        free = [v for v in self.built if id(v) not in inside]
        if free:
            return free[-1]
        own = self.model_the_code_builds()
        if own is not None:
            return own
        return self.root_class()

    def root_class(self):
        """The one module class of the file that no other class uses, built with its defaults."""
        classes = [v for v in self.globals.names.values() if isinstance(v, ClassValue) and v.name in
                   {n.name for n in self.tree.body if isinstance(n, ast.ClassDef)} and _is_module_class(v)]
        def used_by_another(cls):                 # `super(Net, self).__init__()` is no use by another class
            return any(isinstance(n, ast.Name) and n.id == cls.name for c in classes if c is not cls
                       for n in ast.walk(c.node))
        candidates = [c for c in classes if not used_by_another(c) or len(classes) == 1]
        if not classes:
            inside = model_in_function(self.tree, ("Sequential", "ModuleList"))
            raise SnippetError("no model found: expected nn.Sequential(...) or a class deriving from nn.Module"
                               + (f" (the function {inside.name} builds one, and the file does not call it: choose "
                                  f"the model with --model '{inside.name}(…)')" if inside else ""), inside)
        if len(candidates) != 1:
            names = ", ".join(c.name for c in (candidates or classes))
            raise SnippetError(f"the file defines the module classes {names} and builds none of them: choose the "
                               f"model (--model {(candidates or classes)[-1].name} or --model "
                               f"'{(candidates or classes)[-1].name}(…)')", (candidates or classes)[-1].node)
        try:
            value = self.instantiate(candidates[0], [], {}, candidates[0].node)
        except SnippetError as e:
            if "needs the argument" not in e.message:
                raise
            value = self.built_from_its_config(candidates[0])
            if value is None:
                name = candidates[0].name
                raise SnippetError(f"{e.message}: the file builds no model, so choose it with its arguments "
                                   f"(--model '{name}(…)')", candidates[0].node) from None
            return value
        if len(classes) > 1:
            self.assume(candidates[0].node, f"the model is {candidates[0].name}() with its defaults, the one module "
                                          "class no other class uses (another one: --model)")
        return value

    def built_from_its_config(self, cls: ClassValue):
        """`class GPT(nn.Module): def __init__(self, config)` in a file that defines one configuration
        @dataclass with a default for every field (`class GPTConfig`): the model built with that
        configuration's defaults, stated; None where that is not the case."""
        from .calls import _is_dataclass
        init = cls.lookup("__init__") if "__init__" in cls.namespace else None
        if not isinstance(init, Function):
            return None
        params = [a.arg for a in init.node.args.args[1:]]
        required = params[:len(params) - len(init.node.args.defaults)]
        configs = [v for v in self.globals.names.values() if isinstance(v, ClassValue) and _is_dataclass(v)
                   and v.name in {n.name for n in self.tree.body if isinstance(n, ast.ClassDef)}]
        if required != ["config"] or len(configs) != 1:
            return None
        try:
            config = self.instantiate(configs[0], [], {}, configs[0].node)
        except SnippetError:
            return None                            # a field without a default: the configuration is the user's
        value = self.instantiate(cls, [config], {}, cls.node)
        self.assume(cls.node, f"the model is {cls.name}({configs[0].name}()): {cls.name} needs a config and the file's "
                              f"one configuration, {configs[0].name}, has a default for every field (another: --model)")
        return value

    def chosen(self, spec: str):
        """The model `spec` names: a class of the file (built with its defaults) or an expression over the
        file's names (and `types.SimpleNamespace(...)` for a configuration object). A mistake in it is
        reported at --model."""
        try:
            expr = ast.parse(spec.strip(), mode="eval").body
        except SyntaxError as e:
            raise SnippetError(f"the model {spec!r} is not a Python expression: {e.msg}", None, "--model") from None
        for node in ast.walk(expr):
            for attr in ("lineno", "end_lineno"):
                if hasattr(node, attr):
                    setattr(node, attr, None)          # located at the option, not at a line of the file
        frame = Frame({"types": External("types")}, self.globals)
        try:
            value = self.eval(expr, frame)
            if isinstance(value, ClassValue):
                value = self.instantiate(value, [], {}, expr)
        except SnippetError as e:
            if e.line is None and not e.path:
                e.path = "--model"
            raise
        if not isinstance(value, self.MODEL_VALUES):
            raise SnippetError(f"the model {spec!r} is not a module of the file ({shown(value)})", None, "--model")
        return value

    def example_shape(self):
        """The input shape the file's own example call gives (without its batch axis), with a note; None
        when there is none."""
        example = getattr(self, "example", None)
        if example is None:
            return None
        call, sizes = example
        try:
            shape = tuple(self.eval(size, Frame({}, self.globals)) for size in sizes)
        except SnippetError:
            return None
        if len(shape) < 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in shape):
            return None
        from .source import checked_input_shape
        shape = checked_input_shape(shape[1:], call)
        self.assume(call, f"the input is {'×'.join(map(str, shape))}, the file's own example "
                        f"{describe(call)} without its batch axis (another one: --input-shape)")
        return shape


def _is_module_class(cls: ClassValue) -> bool:
    return any(b.endswith(("Module", "Sequential")) for b in cls.external_bases())


def _built(value: ast.AST) -> ast.Call | None:
    """`ResNet18()` in `ResNet18()`, `Net().to(device)`, `Net(…).cuda().eval()`: a call of a name."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in SAME_MODULE:
        value = value.func.value
    return value if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) else None


def _is_main_block(stmt: ast.stmt) -> bool:
    test = stmt.test if isinstance(stmt, ast.If) else None
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"


def _model_assignments(tree: ast.Module):
    """(place, assignment, call) for each `name = Call(...)` in the file's top-level functions and main
    block, in the file's order: where its own code builds a model."""
    for stmt in tree.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and not _is_main_block(stmt):
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                call = _built(node.value)
                if call is not None:
                    yield stmt, node, call


def _example_input(place: ast.stmt, assign: ast.Assign):
    """(call, size nodes) of `net(torch.randn(1, 3, 32, 32))`, or of `x = torch.randn(…)` then `net(x)`,
    in the same function as the model's assignment `net = …`."""
    model = assign.targets[0].id
    tensors = {}
    for node in ast.walk(place):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and _example_tensor(node.value):
            tensors[node.targets[0].id] = node.value
    for node in ast.walk(place):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == model \
                and len(node.args) == 1 and not node.keywords:
            arg = node.args[0]
            tensor = tensors.get(arg.id) if isinstance(arg, ast.Name) else arg if _example_tensor(arg) else None
            if tensor is not None:
                return node, _sizes(tensor)
    return None


def _example_tensor(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or (dotted(node.func) or "").rpartition(".")[0] != "torch" or \
            node.func.attr not in EXAMPLE_TENSORS:
        return False
    return _sizes(node) is not None


def _sizes(call: ast.Call) -> list | None:
    """The size arguments of torch.randn(1, 3, 32, 32) / torch.zeros((1, 3, 32, 32)) /
    torch.randint(0, 10, (1, 8))."""
    if call.func.attr == "randint":
        given = [a for a in call.args if isinstance(a, (ast.Tuple, ast.List))]
        return list(given[0].elts) if len(given) == 1 else None
    if len(call.args) == 1 and isinstance(call.args[0], (ast.Tuple, ast.List)):
        return list(call.args[0].elts)
    return list(call.args) if call.args and not any(isinstance(a, ast.Starred) for a in call.args) else None

