"""The Keras reader on what real scripts write (issue 12): layers built inline as arguments, len(…),
functions that build the model, transposed 1-D convolutions and an unknown sequence length given by
--input-shape. Expected counts and shapes by Keras's documented rules, worked out by hand here:
LSTM(u) on d features holds 4·(u·(d + u) + u); Bidirectional twice that, concat doubling the width;
Dense n→m holds n·m + m."""
import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet
from nnsolve.problems.errors import ProblemError

from arch.documented import documented_snippet


def test_a_layer_built_inline_as_an_argument_with_bare_imported_names():
    arch = parse_snippet("""
from keras.models import Sequential
from keras.layers import Input, Embedding, LSTM, Bidirectional, Dense
model = Sequential()
model.add(Input(shape=(12,)))
model.add(Embedding(500, 10))
model.add(Bidirectional(LSTM(6, return_sequences=True)))
model.add(Bidirectional(LSTM(3)))
model.add(Dense(1))
""")
    a = analyze(arch)
    first, second, dense = a.layers[2], a.layers[3], a.layers[4]
    assert first.shape == (12, 2 * 6) and first.params == 2 * 4 * (6 * (10 + 6) + 6)
    assert second.shape == (2 * 3,) and second.params == 2 * 4 * (3 * (12 + 3) + 3)
    assert dense.params == 6 * 1 + 1
    assert a.totals["params"] == 500 * 10 + 2 * 4 * (6 * 16 + 6) + 2 * 4 * (3 * 15 + 3) + 7


def test_len_of_a_text_the_snippet_gives():
    arch = parse_snippet("""
from tensorflow import keras
from tensorflow.keras import layers
chars = "0123456789+ "
MAXLEN = 3 + 1 + 3
model = keras.Sequential([
    layers.LSTM(8, input_shape=(MAXLEN, len(chars))),
    layers.Dense(len(chars), activation="softmax"),
])
""")
    a = analyze(arch)
    # 12 characters: LSTM 4·(8·(12 + 8) + 8), Dense 8·12 + 12
    assert a.layers[1].params == 4 * (8 * (12 + 8) + 8)
    assert a.layers[2].params == 8 * 12 + 12 and a.layers[2].shape == (12,)


def test_len_of_the_data_is_refused_only_where_a_layer_needs_it():
    text = """
from tensorflow import keras
from tensorflow.keras import layers
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
batches = len(x_train) // 128
classes = len(set(y_train))
model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(classes),
])
"""
    with pytest.raises(ProblemError, match=r"line 9: .*Dense argument 'units'.*not known without running the code"):
        parse_snippet(text)
    # the unused len(x_train) is no obstacle
    a = analyze(parse_snippet(text.replace("layers.Dense(classes)", "layers.Dense(10)")))
    assert a.totals["params"] == 784 * 10 + 10


UNKNOWN_LENGTH = """
import keras
from keras import layers
inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(100, 8)(inputs)
x = layers.Bidirectional(layers.LSTM(4))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
"""


def test_an_unknown_sequence_length_is_the_input_shape_passed():
    arch = parse_snippet(UNKNOWN_LENGTH, input_shape=(20,))
    a = analyze(arch)
    assert a.layers[1].shape == (20, 8) and a.layers[1].params == 100 * 8
    assert a.layers[2].shape == (2 * 4,) and a.layers[2].params == 2 * 4 * (4 * (8 + 4) + 4)
    assert a.totals["params"] == 800 + 2 * 4 * 52 + 9
    assert any("line 4" in n and "None" in n and "20" in n for n in arch.assumed)


def test_an_unknown_sequence_length_without_the_input_shape_is_refused_at_its_line():
    with pytest.raises(ProblemError, match=r"line 4: Input shape \(None,\).*unknown size"):
        parse_snippet(UNKNOWN_LENGTH)


def test_an_input_shape_that_disagrees_with_the_stated_sizes_is_refused():
    text = """
from tensorflow import keras
model = keras.Sequential([keras.layers.LSTM(4, input_shape=(None, 3)), keras.layers.Dense(2)])
"""
    a = analyze(parse_snippet(text, input_shape=(15, 3)))
    # LSTM(4) on 3 features: 4·(4·(3 + 4) + 4); Dense 4→2
    assert a.layers[1].params == 4 * (4 * 7 + 4) and a.layers[2].shape == (2,)
    with pytest.raises(ProblemError, match=r"line 3: .*15x5, does not fit"):
        parse_snippet(text, input_shape=(15, 5))


def test_conv1d_transpose_by_keras_rule():
    arch = parse_snippet("""
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([
    layers.Input(shape=(10, 4)),
    layers.Conv1DTranspose(6, 3, strides=2, padding="same"),
    layers.Conv1DTranspose(2, 3, strides=2, padding="valid"),
    layers.Conv1DTranspose(filters=1, kernel_size=5, strides=2, padding="same", output_padding=1),
    layers.Conv1DTranspose(3, 4, strides=3, output_padding=2, use_bias=False),
])
""")
    a = analyze(arch)
    got = [(r.shape, r.params) for r in a.layers[1:]]
    # Keras: params k·c_in·filters (+ filters); length n·s ('same'), (n − 1)s + max(k, s) ('valid'), and with
    # an output_padding p: (n − 1)s + k − 2⌊k/2⌋ + p ('same'), (n − 1)s + k + p ('valid')
    assert got == [((10 * 2, 6), 3 * 4 * 6 + 6),
                   (((20 - 1) * 2 + 3, 2), 3 * 6 * 2 + 2),
                   (((41 - 1) * 2 + 5 - 2 * 2 + 1, 1), 5 * 2 * 1 + 1),
                   (((82 - 1) * 3 + 4 + 2, 3), 4 * 1 * 3)]


def test_conv1d_transpose_output_padding_must_be_below_the_stride():
    with pytest.raises(ProblemError, match=r"line 3: .*output_padding"):
        parse_snippet("""from tensorflow.keras import layers, Sequential
model = Sequential([layers.Input(shape=(8, 2)),
    layers.Conv1DTranspose(4, 3, strides=2, output_padding=2)])
""")


@pytest.mark.parametrize("stride, padding, output_padding, dilation, groups",
                         [(1, 0, 0, 1, 1), (2, 1, 1, 1, 3), (3, 2, 2, 2, 1), (2, 0, 1, 3, 3)])
def test_conv_transpose1d_kind_matches_torch(stride, padding, output_padding, dilation, groups):
    torch = pytest.importorskip("torch")
    from nnsolve.arch.ir import Architecture, Layer
    c_in, filters, k, n = 6, 9, 4, 11
    layer = Layer("up", "conv_transpose1d", {"filters": filters, "kernel": (k,), "stride": (stride,),
                                             "padding": padding, "output_padding": (output_padding,),
                                             "dilation": (dilation,), "groups": groups})
    report = analyze(Architecture("t", (c_in, n), "channels_first", [layer], framework="pytorch")).layers[0]
    module = torch.nn.ConvTranspose1d(c_in, filters, k, stride, padding, output_padding, groups,
                                      dilation=dilation).double()
    out = module(torch.zeros(1, c_in, n, dtype=torch.float64))
    assert report.shape == tuple(out.shape[1:])
    assert report.params == sum(p.numel() for p in module.parameters())


MADE_IN_A_FUNCTION = """
import numpy as np
from tensorflow import keras
def load(path):
    data = np.loadtxt(path, delimiter="\\t")
    return data[:, 1:], data[:, 0]
x_train, y_train = load("train.tsv")
def block(x, filters):
    x = keras.layers.Conv1D(filters, 3, padding="same")(x)
    x = keras.layers.BatchNormalization()(x)
    return keras.layers.ReLU()(x)
def make_model(input_shape, classes=3):
    inputs = keras.layers.Input(input_shape)
    x = block(inputs, 8)
    x = block(x, filters=16)
    x = keras.layers.GlobalAveragePooling1D()(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)
model = make_model(input_shape=x_train.shape[1:])
"""


def test_a_model_built_in_a_function_takes_the_data_shape_from_the_input_shape_passed():
    a = analyze(parse_snippet(MADE_IN_A_FUNCTION, input_shape=(50, 2)))
    # Conv1D(8, 3) on 2 channels: 3·2·8 + 8; BatchNormalization 4 per channel; Conv1D(16, 3): 3·8·16 + 16;
    # Dense 16 → 3: 16·3 + 3
    assert a.totals["params"] == (3 * 2 * 8 + 8) + 4 * 8 + (3 * 8 * 16 + 16) + 4 * 16 + (16 * 3 + 3)
    assert a.layers[-1].shape == (3,)
    assert [r.shape for r in a.layers if r.layer.kind == "conv1d"] == [(50, 8), (50, 16)]


def test_a_model_built_in_a_function_without_the_input_shape_is_refused_at_the_input():
    with pytest.raises(ProblemError, match=r"line 13: Input shape: x_train.shape\[1:\] \(line 19\) is not known "
                                           r"without running the code: pass the input shape \(--input-shape\)"):
        parse_snippet(MADE_IN_A_FUNCTION)


def test_a_function_called_with_values_the_snippet_gives():
    text = MADE_IN_A_FUNCTION.replace("make_model(input_shape=x_train.shape[1:])", "make_model((50, 2), 5)")
    a = analyze(parse_snippet(text))
    assert a.layers[-1].shape == (5,) and a.layers[-1].params == 16 * 5 + 5


def test_a_function_called_with_a_missing_argument_is_refused_at_the_call():
    text = MADE_IN_A_FUNCTION.replace("make_model(input_shape=x_train.shape[1:])", "make_model(classes=2)")
    with pytest.raises(ProblemError, match=r"line 19: make_model\(\) needs the argument 'input_shape'"):
        parse_snippet(text)


def test_a_recursive_model_builder_is_refused():
    text = """
from tensorflow import keras
def deeper(x, n):
    return deeper(keras.layers.Dense(4)(x), n)
inputs = keras.Input(shape=(4,))
model = keras.Model(inputs, deeper(inputs, 3))
"""
    with pytest.raises(ProblemError, match=r"line 4: the snippet nests too deeply"):
        parse_snippet(text)


def test_the_backend_image_data_format_is_keras_default_channels_last_said_in_a_note():
    arch = parse_snippet("""
from keras import backend as K
from keras.models import Sequential
from keras.layers import Conv2D
side = 8
if K.image_data_format() == 'channels_first':
    input_shape = (1, side, side)
else:
    input_shape = (side, side, 1)
model = Sequential()
model.add(Conv2D(4, kernel_size=(3, 3), input_shape=input_shape))
""")
    a = analyze(arch)
    # channels-last 8×8×1 through a valid 3×3 convolution of 4 filters: 6×6×4, 3·3·1·4 + 4 parameters
    assert a.layers[1].shape == (6, 6, 4) and a.layers[1].params == 3 * 3 * 1 * 4 + 4
    assert any(n.startswith("line 6:") and "channels_last" in n for n in arch.assumed)


def test_a_function_read_twice_evaluates_its_inner_calls_afresh():
    arch = parse_snippet("""
from tensorflow import keras
from tensorflow.keras import layers
def recurrent(x, units, features):
    x = layers.Reshape((20 // len(features), len(features)))(x)
    return layers.Bidirectional(layers.LSTM(units))(x)
inputs = keras.Input(shape=(20,))
a = recurrent(inputs, 3, "abcd")
b = recurrent(inputs, 4, (1, 1, 1, 1, 1, 1, 1, 1, 1, 1))
model = keras.Model(inputs, layers.concatenate([a, b]))
""")
    a = analyze(arch)
    lstms = [r for r in a.layers if r.layer.kind == "lstm"]
    # (5, 4) into LSTM(3) both ways; (2, 10) into LSTM(4) both ways
    assert [(r.shape, r.params) for r in lstms] == [((6,), 2 * 4 * (3 * (4 + 3) + 3)),
                                                    ((8,), 2 * 4 * (4 * (10 + 4) + 4))]
    assert a.layers[-1].shape == (14,)


def test_the_documented_keras_script_example():
    text = documented_snippet("### Keras scripts: what the Keras reader follows")
    with pytest.raises(ProblemError, match=r"line 8: Input shape: x_train.shape\[1:\] \(line 15\) is not known"):
        parse_snippet(text)
    a = analyze(parse_snippet(text, input_shape=(20, 5)))
    # by hand, as the text says: LSTM(8) on 5 features both ways; Conv1DTranspose(4, 3) on 16 channels;
    # Dense 4 → 3
    lstm, up, dense = (next(r for r in a.layers if r.layer.kind == k) for k in ("lstm", "conv_transpose1d", "dense"))
    assert (lstm.params, lstm.shape) == (2 * 4 * (8 * (5 + 8) + 8), (20, 16)) == (896, (20, 16))
    assert (up.params, up.shape) == (3 * 16 * 4 + 4, (40, 4)) == (196, (40, 4))
    assert dense.params == 4 * 3 + 3 == 15
    assert a.totals["params"] == 896 + 196 + 15 == 1107 and a.layers[-1].shape == (3,)


def test_the_summary_lists_what_was_taken_as_given_apart_from_what_was_passed_over():
    from nnsolve.arch.styles import keras_table
    from nnsolve.arch.table import render_summary, summary_json
    a = analyze(parse_snippet(UNKNOWN_LENGTH + "model.fit(x, y)\n", input_shape=(20,)))
    text = render_summary(a, "text")
    taken = "line 4: Input shape (None,): the unknown size (None) is taken from the input shape passed, 20"
    assert f"Taken as given (the file leaves it open):\n  {taken}" in text
    assert "Passed over (not part of the model):\n  line 9: skipped model.fit(x, y)" in text
    assert f"- `{taken}`" in render_summary(a, "markdown")
    assert summary_json(a)["taken_as_given"] == [taken]
    assert f"Taken as given (the file leaves it open):\n  {taken}" in keras_table(a)


LOOPS = """
from tensorflow import keras
from tensorflow.keras import layers
(x_train, y_train), _ = keras.datasets.mnist.load_data()
model = keras.Sequential()
model.add(keras.Input(shape=(6, 3)))
for _ in range(2):
    model.add(layers.LSTM(5, return_sequences=True))
model.add(layers.Flatten())
for units in (8, 4):
    model.add(layers.Dense(units))
for epoch in range(3):
    model.fit(x_train, y_train)
for x, y in zip(x_train, y_train):
    print(x, y)
"""


def test_loops_that_build_layers_are_followed_and_training_loops_passed_over():
    arch = parse_snippet(LOOPS)
    a = analyze(arch)
    # LSTM(5) on 3 then on 5 features: 4·(5·(3 + 5) + 5), 4·(5·(5 + 5) + 5); Flatten 6·5 = 30; Dense 30→8, 8→4
    assert [r.params for r in a.layers[1:]] == [4 * (5 * 8 + 5), 4 * (5 * 10 + 5), 0, 30 * 8 + 8, 8 * 4 + 4]
    assert a.layers[-1].shape == (4,)
    assert any(n.startswith("line 14:") for n in arch.notes)


def test_a_loop_with_break_that_builds_layers_runs_as_python_runs_it():
    text = LOOPS.replace("    model.add(layers.Dense(units))", "    model.add(layers.Dense(units))\n    break")
    a = analyze(parse_snippet(text))
    # the loop stops after its first item: one Dense, 30 → 8
    assert [r.params for r in a.layers[3:]] == [0, 30 * 8 + 8] and a.layers[-1].shape == (8,)


def test_a_loop_over_the_data_that_builds_layers_is_refused():
    text = LOOPS.replace("for units in (8, 4):", "for units in y_train:")
    with pytest.raises(ProblemError, match=r"line 10: the loop over y_train is not known without running the code"):
        parse_snippet(text)


def test_repeat_vector_in_an_encoder_decoder():
    a = analyze(parse_snippet("""
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([
    layers.LSTM(16, input_shape=(7, 12)),
    layers.RepeatVector(4),
    layers.LSTM(16, return_sequences=True),
    layers.Dense(12, activation="softmax"),
])
"""))
    # encoder 4·(16·(12 + 16) + 16); (16,) repeated 4 times: (4, 16), nothing learned; decoder
    # 4·(16·(16 + 16) + 16); Dense on each of the 4 steps: 16·12 + 12
    assert [(r.shape, r.params) for r in a.layers[1:]] == [((16,), 4 * (16 * 28 + 16)), ((4, 16), 0),
                                                           ((4, 16), 4 * (16 * 32 + 16)), ((4, 12), 16 * 12 + 12)]


def test_repeat_vector_reads_vectors_only():
    from nnsolve.arch.rules import ArchitectureError
    arch = parse_snippet("""from tensorflow import keras
model = keras.Sequential([keras.Input(shape=(3, 5)), keras.layers.RepeatVector(2)])
""")
    with pytest.raises(ArchitectureError, match=r"repeats a vector"):
        analyze(arch)


def test_repeat_vector_in_a_layer_list():
    from nnsolve.arch.layer_list import read_layers
    data = {"input": {"shape": [9]}, "framework": "keras", "layout": "channels_last",
            "layers": [{"kind": "repeat_vector", "times": 3}, {"kind": "lstm", "units": 2}]}
    arch, issues = read_layers(data)
    assert issues == []
    a = analyze(arch)
    assert a.layers[0].shape == (3, 9) and a.layers[1].params == 4 * (2 * (9 + 2) + 2)
    _, issues = read_layers({**data, "layers": [{"kind": "repeat_vector", "times": 0}]})
    assert any(at == ("layers", 0, "times") for at, _ in issues)


def test_a_model_builder_never_called_is_refused_at_the_function():
    with pytest.raises(ProblemError, match=r"line 3: no model found at the top level: the model is built inside "
                                           r"the function make_model, which the snippet never calls"):
        parse_snippet("""
from tensorflow import keras
def make_model():
    return keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
""")
