"""A layer repeated on the same input (ResNet's blocks) is analysed once per analysis and its effect
shared (nnsolve.arch.analyze.layer_reports): the repeats must count exactly as a fresh analysis would,
and a setting equal to an earlier one's but of another type (True for 1) must still be refused."""
import subprocess
import sys
from pathlib import Path

import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.conventions import Conventions
from nnsolve.arch.ir import Architecture, Layer
from nnsolve.arch.rules import ArchitectureError

ROOT = Path(__file__).resolve().parents[2]


def conv(name, kernel=3, filters=8, **settings):
    return Layer(name, "conv2d", {"filters": filters, "kernel": kernel, "padding": 1 if kernel == 3 else 0,
                                  "bias": False, **settings})


def network(*layers, shape=(8, 10, 10)):
    return Architecture("repeated", shape, "channels_first", list(layers))


def test_repeats_count_as_the_first_and_their_receptive_fields_grow():
    a = analyze(network(conv("a"), conv("b"), conv("c")))
    # 3·3·8 weights per filter, 8 filters, no bias; 10·10·8 outputs each reading 3·3·8 inputs
    assert [r.params for r in a.layers] == [3 * 3 * 8 * 8] * 3
    assert [r.macs for r in a.layers] == [10 * 10 * 8 * 3 * 3 * 8] * 3
    # each 3×3 window at stride 1 widens the field by 2: 3, 5, 7
    assert [[f.size for f in r.field] for r in a.layers] == [[3, 3], [5, 5], [7, 7]]
    assert a.total("params") == 3 * 3 * 3 * 8 * 8


def test_the_same_layer_on_another_input_is_analysed_again():
    a = analyze(network(conv("a", filters=4), conv("b", filters=8), conv("c", filters=8)))
    # b reads 4 channels, c reads 8: same settings, other input
    assert [r.params for r in a.layers] == [3 * 3 * 8 * 4, 3 * 3 * 4 * 8, 3 * 3 * 8 * 8]


@pytest.mark.parametrize("kernel", [True, (True, 1), 1.0])
def test_a_setting_equal_to_an_earlier_ones_but_not_a_whole_number_is_refused(kernel):
    good = (1, 1) if isinstance(kernel, tuple) else 1
    with pytest.raises(ArchitectureError, match="kernel") as caught:
        analyze(network(conv("a", kernel=good), conv("b", kernel=good), conv("c", kernel=kernel)))
    assert caught.value.layer.name == "c"


def test_a_fused_activation_is_counted_once_per_repeat():
    layers = [Layer(name, "dense", {"units": 6, "activation": "relu"}) for name in "abc"]
    a = analyze(Architecture("dense", (6,), "channels_last", layers),
                Conventions.for_framework("nnsolve", flops="mac+activations"))
    # each: 6·6 MACs and 6 activations
    assert [r.flops for r in a.layers] == [6 * 6 + 6] * 3
    assert a.total("flops") == 3 * (6 * 6 + 6)


def test_formulas_are_written_when_asked():
    (r,) = analyze(network(conv("a", kernel=3, filters=8, bias=True))).layers
    assert r.effect.params_formula == "(3·3·8 + 1)·8"
    assert r.effect.macs_formula == "10·10·8 outputs · 3·3·8"


def test_summary_of_a_snippet_loads_no_problem_loader():
    """`nnsolve summary model.py` needs nnsolve.problems' errors only: not its loader with numpy, mpmath
    and pydantic's schemas (~0.2 s of start-up)."""
    code = ("import sys\nfrom nnsolve.cli import app\n"
            "try:\n    app(args=sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print('loaded', *sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'mpmath', 'sympy') "
            "or m == 'nnsolve.problems.loader'))\n")
    done = subprocess.run([sys.executable, "-c", code, "summary", "tests/arch/snippets/bottleneck_resnet_snippet.py"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Total params" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1] == "loaded"
