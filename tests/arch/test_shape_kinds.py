"""The rearranging kinds (reshape/view, permute, transpose, t, flatten(start, end), unsqueeze, squeeze,
identity) against the same operations on a float64 torch tensor of zeros: the shape after each one,
the batch axis (size 5 here) found where the analysis says it is, and the refusals."""
import pytest
import torch
from hypothesis import given, settings, strategies as st

from nnsolve.arch.analyze import analyze
from nnsolve.arch.ir import Architecture, Layer
from nnsolve.arch.layer_list import read_layers
from nnsolve.arch.rules import ArchitectureError

BATCH = 5


def run(shape, *layers):
    arch = Architecture("s", tuple(shape), "channels_first",
                        [Layer(f"l{i}", kind, settings) for i, (kind, settings) in enumerate(layers)],
                        framework="pytorch")
    return analyze(arch)


def per_sample(tensor: torch.Tensor, batch_axis: int) -> tuple:
    assert tensor.shape[batch_axis] in (BATCH, BIG)
    return tuple(v for i, v in enumerate(tensor.shape) if i != batch_axis)


CASES = [
    # (input shape without the batch, [(kind, settings)], the same on a torch tensor, batch axis after)
    ((784,), [("reshape", {"shape": (28, 28), "batch_inferred": True})], lambda x: x.reshape(-1, 28, 28), 0),
    ((16, 5, 5), [("reshape", {"shape": (-1,)})], lambda x: x.view(x.size(0), -1), 0),
    ((6, 4), [("reshape", {"shape": (2, -1, 3)})], lambda x: x.view(x.size(0), 2, -1, 3), 0),
    ((3, 4, 6), [("permute", {"dims": (0, 2, 3, 1)})], lambda x: x.permute(0, 2, 3, 1), 0),
    ((7, 8), [("permute", {"dims": (1, 0, 2)})], lambda x: x.permute(1, 0, 2), 1),
    ((7, 8), [("permute", {"dims": (1, 0, 2)}), ("permute", {"dims": (1, 0, 2)})],
     lambda x: x.permute(1, 0, 2).permute(1, 0, 2), 0),
    ((7, 8), [("transpose", {"dim0": 0, "dim1": 1}), ("transpose", {"dim0": 1, "dim1": 2})],
     lambda x: x.transpose(0, 1).transpose(1, 2), 2),
    ((3, 4, 6), [("transpose", {"dim0": -1, "dim1": -2})], lambda x: x.transpose(-1, -2), 0),
    ((9,), [("t", {})], lambda x: x.t(), 1),
    ((3, 4, 6), [("flatten", {})], lambda x: torch.flatten(x, 1), 0),
    ((3, 4, 6), [("flatten", {"start_dim": 2})], lambda x: x.flatten(2), 0),
    ((3, 4, 6), [("flatten", {"start_dim": 1, "end_dim": 2})], lambda x: x.flatten(1, 2), 0),
    ((3, 4, 6), [("flatten", {"start_dim": -2, "end_dim": -1})], lambda x: x.flatten(-2, -1), 0),
    ((7, 8), [("transpose", {"dim0": 0, "dim1": 1}), ("flatten", {"start_dim": 2})],
     lambda x: x.transpose(0, 1).flatten(2), 1),
    ((4, 6), [("unsqueeze", {"axis": 1})], lambda x: x.unsqueeze(1), 0),
    ((4, 6), [("unsqueeze", {"axis": -1})], lambda x: x.unsqueeze(-1), 0),
    ((4, 6), [("unsqueeze", {"axis": 0})], lambda x: x.unsqueeze(0), 1),
    ((1, 6, 1), [("squeeze", {})], lambda x: x.squeeze(), 0),
    ((1, 6, 1), [("squeeze", {"axes": 1})], lambda x: x.squeeze(1), 0),
    ((1, 6, 1), [("squeeze", {"axes": 2})], lambda x: x.squeeze(2), 0),        # not 1: left alone
    ((1, 6, 1), [("squeeze", {"axes": (1, 3)})], lambda x: x.squeeze((1, 3)), 0),
    ((3, 4), [("identity", {})], lambda x: torch.nn.Identity()(x), 0),
]


@pytest.mark.parametrize("shape, layers, op, batch_axis", CASES)
def test_rearranging_matches_torch(shape, layers, op, batch_axis):
    analysis = run(shape, *layers)
    out = op(torch.zeros(BATCH, *shape, dtype=torch.float64))
    last = analysis.layers[-1]
    assert last.shape == per_sample(out, batch_axis)
    assert analysis.totals["params"] == 0 and analysis.totals["macs"] == 0


def test_the_batch_axis_moved_by_a_permute_reaches_the_next_rearrangement():
    # (B, 7, 8) → (7, B, 8) → flatten(0, 1) would merge B: refused
    with pytest.raises(ArchitectureError, match="merge the batch axis"):
        run((7, 8), ("permute", {"dims": (1, 0, 2)}), ("flatten", {"start_dim": 0, "end_dim": 1}))
    # a dense layer keeps the batch where it is; the permute back finds it at 1
    analysis = run((7, 8), ("permute", {"dims": (1, 0, 2)}), ("dense", {"units": 3}),
                   ("permute", {"dims": (1, 0, 2)}))
    assert analysis.layers[-1].shape == (7, 3)


@pytest.mark.parametrize("layer", [("batch_norm", {}), ("concat", {"axis": 1}), ("global_avg_pool", {})])
def test_layers_counting_from_the_batch_axis_refuse_it_moved(layer):
    with pytest.raises(ArchitectureError, match="not in front"):
        run((7, 8), ("transpose", {"dim0": 0, "dim1": 1}), layer)


def test_a_dense_layer_refuses_to_read_the_batch_axis():
    with pytest.raises(ArchitectureError, match="batch axis at position 2, last"):
        run((7, 8), ("transpose", {"dim0": 0, "dim1": 2}), ("dense", {"units": 3}))


def test_a_convolution_refuses_a_tensor_whose_batch_axis_moved():
    with pytest.raises(ArchitectureError, match="batch axis at position 1") as e:
        run((3, 8, 8), ("transpose", {"dim0": 0, "dim1": 1}), ("conv2d", {"filters": 4, "kernel": 3}))
    assert e.value.layer.name == "l1"


@pytest.mark.parametrize("shape, layer, message, setting", [
    ((784,), ("reshape", {"shape": (28, 27)}), r"cannot reshape \(784,\) \(784 values per sample\) to \(28, 27\)",
     "shape"),
    ((784,), ("reshape", {"shape": (500,), "batch_inferred": True}), "rows of 500 values would mix samples",
     "shape"),
    ((784,), ("reshape", {"shape": (28,), "batch_inferred": True, "rows": 4}), "each sample gives 28 such rows",
     "shape"),
    ((10,), ("reshape", {"shape": (3, -1)}), "not a multiple of 3", "shape"),
    ((3, 4), ("permute", {"dims": (0, 2)}), "must name each of the 3 axes", "dims"),
    ((3, 4), ("permute", {"dims": (0, 1, 3)}), "dimension 3 is out of range", "dims"),
    ((3, 4), ("transpose", {"dim0": 1, "dim1": 5}), "dimension 5 is out of range", "dim1"),
    ((3, 4), ("t", {}), "at most 2 axes", None),
    ((3, 4), ("flatten", {"start_dim": 0}), "merge the batch axis", "start_dim"),
    ((3, 4), ("flatten", {"start_dim": 2, "end_dim": 1}), "comes after end_dim", "start_dim"),
    ((3, 4), ("unsqueeze", {"axis": 4}), "out of range", "axis"),
])
def test_refusals_are_located(shape, layer, message, setting):
    with pytest.raises(ArchitectureError, match=message) as e:
        run(shape, layer)
    assert e.value.layer.name == "l0" and e.value.setting == setting


def test_the_torch_refusals_agree():
    # the same shapes are refused by torch itself
    x = torch.zeros(BATCH, 784)
    with pytest.raises(RuntimeError):
        x.view(x.size(0), 28, 27)
    with pytest.raises(IndexError):
        torch.zeros(BATCH, 3, 4).transpose(1, 5)


def test_layer_list_spellings():
    data = {"input": {"shape": [3, 4, 6], "layout": "channels_first"}, "framework": "pytorch", "layers": [
        {"kind": "permute", "dims": [0, 2, 3, 1]},
        {"kind": "flatten", "start_dim": 1, "end_dim": 2},
        {"kind": "transpose", "dim0": 1, "dim1": 2},
        {"kind": "unsqueeze", "axis": 1},
        {"kind": "squeeze", "axes": 1},
        {"kind": "reshape", "shape": [-1], "batch_inferred": True},
        {"kind": "identity"},
    ]}
    arch, issues = read_layers(data)
    assert issues == []
    x = torch.zeros(BATCH, 3, 4, 6).permute(0, 2, 3, 1).flatten(1, 2).transpose(1, 2).unsqueeze(1).squeeze(1)
    assert analyze(arch).layers[-1].shape == tuple(x.reshape(-1, 72).shape[1:])
    bad = {**data, "layers": [{"kind": "transpose", "dim0": 1, "dims": 2}]}
    _, issues = read_layers(bad)
    assert any(at == ("layers", 0, "dims") and "no setting 'dims'" in m for at, m in issues)
    assert any(at == ("layers", 0) and "needs dim1" in m for at, m in issues)


@pytest.mark.parametrize("method, args, shape, op", [
    ("view", ("B", -1), (16, 5, 5), lambda x: x.view(x.size(0), -1)),
    ("reshape", (-1, 28, 28), (784,), lambda x: x.reshape(-1, 28, 28)),
    ("reshape", (("B", 4, -1),), (8, 3), lambda x: x.reshape((x.size(0), 4, -1))),
    ("permute", (0, 2, 1), (3, 4), lambda x: x.permute(0, 2, 1)),
    ("permute", ((0, 2, 1),), (3, 4), lambda x: x.permute((0, 2, 1))),
    ("transpose", (1, 2), (3, 4), lambda x: x.transpose(1, 2)),
    ("flatten", (1,), (3, 4, 2), lambda x: torch.flatten(x, 1)),
    ("flatten", (2,), (3, 4, 2), lambda x: x.flatten(2)),
    ("unsqueeze", (1,), (3, 4), lambda x: x.unsqueeze(1)),
    ("squeeze", (), (1, 4), lambda x: x.squeeze()),
    ("squeeze", (1,), (1, 4), lambda x: x.squeeze(1)),
])
def test_forward_methods_map_onto_the_kinds(method, args, shape, op):
    from nnsolve.arch.settings import read_given
    from nnsolve.arch.snippets.torch_modules import BatchSize, tensor_method
    b = BatchSize()
    swap = lambda v: b if v == "B" else tuple(swap(x) for x in v) if isinstance(v, tuple) else v   # noqa: E731
    kind, settings = tensor_method(method, tuple(swap(a) for a in args))
    analysis = run(shape, (kind, read_given(kind, settings)))
    assert analysis.layers[-1].shape == op(torch.zeros(BATCH, *shape)).shape[1:]


@pytest.mark.parametrize("method, args, message", [
    ("view", (28, -1), "first size must be the batch"),
    ("view", (-1,), "stay alone"),
])
def test_forward_methods_refused(method, args, message):
    from nnsolve.arch.snippets.torch_modules import tensor_method
    with pytest.raises(ValueError, match=message):
        tensor_method(method, args)


def test_flatten_without_a_start_merges_the_batch():
    from nnsolve.arch.snippets.torch_modules import tensor_method
    kind, settings = tensor_method("flatten", ())
    with pytest.raises(ArchitectureError, match="merge the batch axis"):
        run((3, 4), (kind, settings))


BIG = 97          # a batch size no other axis has: torch's result shows where the batch went


def draw_op(data, rank: int):
    op = data.draw(st.sampled_from(["permute", "transpose", "unsqueeze", "squeeze", "flatten", "t"]))
    if op == "permute":
        return "permute", {"dims": tuple(data.draw(st.permutations(range(rank))))}
    if op == "transpose":
        return "transpose", {"dim0": data.draw(st.integers(-rank, rank - 1)),
                             "dim1": data.draw(st.integers(-rank, rank - 1))}
    if op == "unsqueeze":
        return "unsqueeze", {"axis": data.draw(st.integers(-rank - 1, rank))}
    if op == "squeeze":
        return "squeeze", {}
    if op == "flatten" or rank > 2:
        start = data.draw(st.integers(0, rank - 1))
        return "flatten", {"start_dim": start, "end_dim": data.draw(st.integers(start, rank - 1))}
    return "t", {}


def torch_apply(x, kind, s):
    if kind == "permute":
        return x.permute(*s["dims"])
    if kind == "transpose":
        return x.transpose(s["dim0"], s["dim1"])
    if kind == "unsqueeze":
        return x.unsqueeze(s["axis"])
    if kind == "squeeze":
        return x.squeeze()
    if kind == "flatten":
        return x.flatten(s["start_dim"], s["end_dim"])
    return x.t()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_random_rearrangements_follow_torch(shape, data):
    x = torch.zeros(BIG, *shape)
    layers = []
    for _ in range(data.draw(st.integers(1, 5))):
        kind, s = draw_op(data, x.dim())
        layers.append((kind, s))
        before = x
        x = torch_apply(x, kind, s)
        try:
            analysis = run(shape, *layers)
        except ArchitectureError as e:
            # refused only where torch merged the batch with other sizes
            assert "merge the batch axis" in str(e) and BIG not in x.shape, (layers, tuple(before.shape))
            return
        assert analysis.layers[-1].shape == per_sample(x, list(x.shape).index(BIG))
