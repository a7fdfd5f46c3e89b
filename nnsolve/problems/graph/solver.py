"""Split the expression into primitive nodes (p = a·x, q = b·y, r = p + q, …), evaluate them, state every
local derivative ∂out/∂in, and backpropagate the output's derivative to every node by the chain rule.

Ids: leaves by their names, a node by its name in `nodes` (or `output` for the expression's top node),
other intermediate nodes n1, n2, … in evaluation order; a number in the expression by its text. The
derivative of the output with respect to q is `dL/dq` (also `df/dq` when the output is f and that id is
not a local derivative); the local derivative of node r with respect to its input p is `dr/dp`, and the output's
own (f = g(q)) is `local.df/dq`, so that df/dq always means the total derivative, as keys use it.
"""
from __future__ import annotations

from ...engine.computation import Computation, Node, Policy, Symbol
from ...engine.formula import join
from ...engine.number import mp
from ...expr import Call, Name, Num, Op, constant_value
from ...solution import Solution
from ..common import solution_of
from . import formulas
from .primitives import BINARY, FUNCTIONS, NEG, POWER
from .schema import GraphProblem, node_expressions, read

CONVENTIONS = [
    ("derivatives at a kink", "relu'(0) = 0 and |x|' = 0 at 0; max and min pass the derivative to the argument "
                              "they chose (to the first on a tie)"),
    ("chain rule", "∂f/∂q = Σ over the nodes r that use q of ∂f/∂r · ∂r/∂q (a quantity used twice sums both)"),
]


class GraphComputation(Computation):
    def gradient_id(self, node: Node) -> str:
        return f"dL/d{node.id}"


class GraphBuilder:
    def __init__(self, problem: GraphProblem, policy: Policy):
        self.p = problem
        out_name = node_expressions(problem)[-1][0]
        self.comp = GraphComputation(policy, loss_symbol=Symbol(out_name, out_name))
        self.named: dict[str, Node] = {}
        self.taken = set(problem.values) | {name for name, _, _ in node_expressions(problem)}
        self.counter = 0
        self.readings: list[str] = []
        self.symbolic = None

    def solve(self) -> Solution:
        for name, value in self.p.values.items():
            self.named[name] = self.comp.given(name, Symbol(name, name), value, differentiable=True)
        if self.p.symbols:        # symbolic coefficients: SymPy's arithmetic, on formulas (imported only here)
            from . import symbolic
            self.symbolic = symbolic
            for name in self.p.symbols:
                self.named[name] = self.comp.given(name, Symbol(name, name), symbolic.leaf(name), differentiable=True,
                                                   note="a symbol: no number")
        output = None
        self.trees = {}
        for name, _, text in node_expressions(self.p):
            tree, said = read(self.p, text)
            self.readings += [r for r in said if r not in self.readings]
            self.trees[name] = tree
            output = self.build(tree, name)
            self.named[name] = output
        self.output_id = output.id
        self.local_derivatives(output)
        self.comp.backward(output)
        formulas.record(self)
        return self.solution(output)

    def fresh_id(self) -> str:
        while True:
            self.counter += 1
            if f"n{self.counter}" not in self.taken:
                return f"n{self.counter}"

    def build(self, tree, name: str | None = None) -> Node:
        if isinstance(tree, Name):
            return self.named[tree.name] if tree.name in self.named else self.constant_named(tree.name)
        if isinstance(tree, Num):
            return self.constant(tree)
        if isinstance(tree, Op) and tree.op == "^":
            base = self.build(tree.operands[0])
            exponent = constant_value(tree.operands[1])
            return self.record(POWER, [base], name, exponent=exponent)
        if isinstance(tree, Op):
            inputs = [self.build(t) for t in tree.operands]
            return self.record(NEG if tree.op == "neg" else BINARY[tree.op], inputs, name)
        assert isinstance(tree, Call)
        return self.record(FUNCTIONS[tree.function], [self.build(t) for t in tree.args], name)

    def constant(self, num: Num) -> Node:
        text = str(num.value) if num.value.denominator == 1 else num.text
        if text not in self.comp.nodes:
            self.comp.given(text, Symbol(text, text), num.value)
        return self.comp.nodes[text]

    def constant_named(self, name: str) -> Node:
        """π or e, a given of 50 digits (a name the file gives a value is that value instead)."""
        node_id = "π" if name in ("pi", "π") else "e"
        if node_id not in self.comp.nodes:
            latex = r"\pi" if node_id == "π" else "e"
            if self.symbolic is not None:        # kept as π in the formulas of a graph with symbols
                import sympy as sp
                value = self.symbolic.FormulaValue(sp.pi if node_id == "π" else sp.E)
            else:
                value = +mp.pi if node_id == "π" else +mp.e
            self.comp.given(node_id, Symbol(latex, node_id), value, note="the constant, to 50 digits")
        return self.comp.nodes[node_id]

    def record(self, op, inputs: list[Node], name: str | None, **params) -> Node:
        node_id = name or self.fresh_id()
        if self.symbolic is not None:
            op = self.symbolic.Symbolically(op)
        return self.comp.apply(op, inputs, node_id, Symbol(_latex_name(node_id), node_id), **params)

    def local_derivatives(self, output: Node) -> None:
        """∂r/∂p for every node r and each of its inputs p that is not a number (x·x: both factors summed).

        The output's own local derivatives are `local.df/dx`: in a key, df/dx is the total derivative
        (the same as dL/dx), which differs from the local one when x also feeds other nodes."""
        for node in [n for n in self.comp.order if n.op is not None]:
            by_input: dict[str, list[int]] = {}
            for i, child in enumerate(node.inputs):
                if child.phase != "given" or child.differentiable:
                    by_input.setdefault(child.id, []).append(i)
            for child_id, places in by_input.items():
                args = [n.value for n in node.inputs]
                value = sum((node.op.local(i, node.value[()], *[a[()] for a in args], **node.params) for i in places),
                            start=0)
                formula = join([node.op.local_formula(i, node.id, *[n.id for n in node.inputs], **node.params)
                                for i in places])
                child = self.comp.nodes[child_id]
                symbol = Symbol(rf"\frac{{\partial {node.symbol.latex}}}{{\partial {child.symbol.latex}}}",
                                f"∂{node.id}/∂{child_id}")
                prefix = "local." if node is output else ""
                self.comp.derived(f"{prefix}d{node.id}/d{child_id}", symbol, value, formula, "local")

    def solution(self, output: Node) -> Solution:
        sections = {"given": "Given", "forward": "Forward", "local": "Local derivatives",
                    "backward": "Backward (chain rule)", "formula": "Derivatives as formulas"}
        # the seed ∂f/∂f = 1 is the first line of the chain rule here, shown even where no formula uses it
        steps = self.comp.to_steps(lambda n: sections[n.phase], givens_first=False,
                                   keep=frozenset({"dL/d" + output.id}))
        ids = {s.id for s in steps}
        aliases = {}
        for alias, target in [("output", output.id), ("y", output.id)] + \
                [(f"d{output.id}/d{s.id}", f"dL/d{s.id}") for s in steps if f"dL/d{s.id}" in ids]:
            if alias not in ids:
                aliases[alias] = target
        groups = {
            "forward": [s.id for s in steps if s.section == "Forward"],
            "local": [s.id for s in steps if s.section == "Local derivatives"],
            "backward": [s.id for s in steps if s.section.startswith("Backward")],
            "gradients": [f"dL/d{leaf}" for leaf in self.p.values if f"dL/d{leaf}" in ids],
            "formulas": [name for name, _ in formulas.requested(self.p)],
        }
        conventions = list(CONVENTIONS)
        if self.p.symbols:
            one = len(self.p.symbols) == 1
            conventions.insert(0, ("symbols", f"{', '.join(self.p.symbols)} {'is a leaf' if one else 'are leaves'} "
                                              "without a number: the values that depend on "
                                              f"{'it' if one else 'them'} are formulas"))
        if self.readings:
            conventions.insert(0, ("implicit multiplication", "; ".join(self.readings) +
                                   " (the names the file declares decide it)"))
        return solution_of(self.p, "computation_graph", conventions, steps, policy=self.comp.policy,
                           aliases=aliases, groups=groups)


def _latex_name(node_id: str) -> str:
    return f"{node_id[0]}_{{{node_id[1:]}}}" if node_id[0] == "n" and node_id[1:].isdigit() else node_id


def solve_graph(problem: GraphProblem, policy: Policy | None = None) -> Solution:
    return GraphBuilder(problem, policy or Policy()).solve()
