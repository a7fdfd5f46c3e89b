"""Keras snippets: the parsed Architecture has the expected kinds, settings and wiring (channels-last).
Parameter counts are checked against hand counts derived in the comments (no TensorFlow here)."""
from fractions import Fraction

from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet

SEQUENTIAL = """import tensorflow as tf
from tensorflow.keras import layers
n = 32
model = tf.keras.Sequential([
    layers.Conv2D(n, 3, activation="relu", input_shape=(28, 28, 1)),
    layers.MaxPooling2D(),
    layers.Conv2D(2*n, (3, 3), strides=2, padding="same"),
    layers.BatchNormalization(),
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(10, activation="softmax"),
])
"""

ADD_STYLE = """from tensorflow import keras
from tensorflow.keras.layers import Dense, Embedding, GRU, LSTM
model = keras.Sequential()
model.add(Embedding(1000, 64))
model.add(LSTM(32, return_sequences=True))
model.add(GRU(16))
model.add(Dense(1, activation="sigmoid", use_bias=False))
model.build((None, 20))
"""

FUNCTIONAL = """import keras
from keras import layers
inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(16, 3, padding="same", name="stem")(inputs)
shortcut = x
x = layers.Conv2D(16, 3, padding="same")(x)
x = layers.BatchNormalization()(x)
x = layers.Add()([x, shortcut])
x = layers.ReLU()(x)
y = layers.DepthwiseConv2D(3, padding="same")(x)
z = layers.SeparableConv2D(8, 3, padding="same")(x)
x = layers.Concatenate()([x, y, z])
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs=inputs, outputs=outputs)
"""

ATTENTION = """import tensorflow as tf
inp = tf.keras.layers.Input(shape=(10, 16))
att = tf.keras.layers.MultiHeadAttention(num_heads=2, key_dim=8)(inp, inp)
x = tf.keras.layers.Add()([inp, att])
x = tf.keras.layers.LayerNormalization()(x)
model = tf.keras.Model(inp, x)
"""


def test_sequential_settings_and_params():
    arch = parse_snippet(SEQUENTIAL)
    assert arch.framework == "keras" and arch.layout == "channels_last" and arch.input_shape == (28, 28, 1)
    assert [l.kind for l in arch.layers] == ["input", "conv2d", "max_pool2d", "conv2d", "batch_norm", "flatten",
                                             "dropout", "dense"]
    assert [l.name for l in arch.layers][1:4] == ["conv2d", "max_pooling2d", "conv2d_1"]     # Keras's auto names
    assert arch.layer("conv2d").settings["activation"] == "relu"
    assert arch.layer("conv2d_1").settings["filters"] == 64 and arch.layer("conv2d_1").settings["stride"] == (2, 2)
    assert arch.layer("max_pooling2d").settings["pool"] == (2, 2)
    assert arch.layer("dropout").settings["rate"] == Fraction(1, 2)
    assert arch.layer("batch_normalization").settings["eps"] == Fraction(1, 1000)
    analysis = analyze(arch)
    # conv 3·3·1·32+32 = 320; conv 3·3·32·64+64 = 18 496 on 13×13 → 7×7 (same, stride 2);
    # BN 4·64 = 256; dense 7·7·64·10+10 = 31 370
    assert [r.params for r in analysis.layers] == [0, 320, 0, 18496, 256, 0, 0, 31370]
    assert analysis.layers[3].shape == (7, 7, 64)


def test_model_add_recurrent_and_build_shape():
    arch = parse_snippet(ADD_STYLE)
    assert arch.input_shape == (20,)
    assert [l.kind for l in arch.layers] == ["input", "embedding", "lstm", "gru", "dense"]
    assert arch.layer("lstm").settings["return_sequences"] is True
    assert arch.layer("gru").settings == {"units": 16, "return_sequences": False, "bias": True, "reset_after": True}
    analysis = analyze(arch)
    # LSTM 4·(32·(64+32)+32) = 12 416; GRU reset_after: 3·(16·(32+16)+2·16) = 2 400; dense 16·1 (no bias)
    assert [r.params for r in analysis.layers] == [0, 64000, 12416, 2400, 16]


def test_functional_residual_add_and_concat():
    arch = parse_snippet(FUNCTIONAL)
    add = arch.layer("add")
    assert add.kind == "add" and add.inputs == ("batch_normalization", "stem")
    assert arch.layer("conv2d").inputs == ("stem",)
    concat = arch.layer("concatenate")
    assert concat.inputs == ("re_lu", "depthwise_conv2d", "separable_conv2d") and concat.settings["axis"] == -1
    assert arch.layer("separable_conv2d").settings["depth_multiplier"] == 1
    analysis = analyze(arch)
    assert analysis.report("concatenate").shape == (32, 32, 16 + 16 + 8)
    # depthwise 3·3·16+16 = 160; separable 3·3·16 + 16·8 + 8 = 280; dense 40·10+10 = 410
    assert analysis.report("depthwise_conv2d").params == 160
    assert analysis.report("separable_conv2d").params == 280
    assert analysis.report("dense").params == 410


def test_attention_with_two_inputs():
    arch = parse_snippet(ATTENTION)
    mha = arch.layer("multi_head_attention")
    assert mha.inputs == ("input_layer", "input_layer")
    assert mha.settings == {"heads": 2, "key_dim": 8, "value_dim": 8, "bias": True}
    assert arch.layer("layer_normalization").settings["axes"] == (-1,)


def test_unused_layers_are_left_out_of_a_functional_model():
    text = FUNCTIONAL.replace("outputs = layers.Dense(10)(x)", "spare = layers.Dense(3)(x)\noutputs = layers.Dense(10)(x)")
    names = [l.name for l in parse_snippet(text).layers]
    assert "dense" not in names and "dense_1" in names


def test_layer_normalization_axes_count_the_batch_axis_as_keras_does():
    """axis=1 is the first axis after the batch (6 here), not the second: 2·6 parameters."""
    arch = parse_snippet("from tensorflow.keras import layers, Sequential\nmodel = Sequential([\n"
                         "    layers.Conv2D(4, 3, input_shape=(8, 6, 3)),\n"
                         "    layers.LayerNormalization(axis=[1, 2, 3]),\n    layers.LayerNormalization(axis=1),\n])\n")
    assert [r.params for r in analyze(arch).layers] == [0, (3 * 3 * 3 + 1) * 4, 2 * 6 * 4 * 4, 2 * 6]


SCRIPT = """import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
rows, cols = 28, 28
num_classes = 10
model = keras.Sequential([
    keras.Input(shape=(rows, cols, 1)),
    layers.Conv2D(8, 3, activation="relu"),
    layers.Flatten(),
    layers.Dense(num_classes, activation="softmax"),
])
print(model)
model.summary()


def plot(history):
    import matplotlib.pyplot as plt
    plt.plot(history.history["loss"])


model.compile(loss="categorical_crossentropy", optimizer="adam")
model.fit(x_train, y_train, batch_size=128, epochs=2)

if __name__ == "__main__":
    plot(None)
"""


def test_print_and_script_code_are_passed_over_with_notes():
    arch = parse_snippet(SCRIPT)
    # conv: (3·3·1 + 1)·8 = 80; dense: (26·26·8 + 1)·10 = 54,090
    assert analyze(arch).totals["params"] == 80 + 54_090
    notes = "\n".join(arch.notes)
    assert "line 15: skipped print(model)" in notes and "model.fit(" in notes and "__name__" in notes
    assert "load_data" in notes


def test_an_unknown_value_reaching_a_layer_is_refused_at_its_line():
    text = "from tensorflow import keras\nfrom tensorflow.keras import layers\nn = np.load('n.npy')\n" \
           "model = keras.Sequential([layers.Dense(n, input_shape=(4,))])\n"
    import pytest
    from nnsolve.problems.errors import ProblemError
    with pytest.raises(ProblemError) as e:
        parse_snippet(text)
    assert "line 4: Dense argument 'units': n is not known without running the code" in str(e.value)


DATA_SCRIPT = """from tensorflow import keras
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Conv2D, Dense, Flatten

(x_train, y_train), _ = keras.datasets.mnist.load_data()
if K.image_data_format() == 'channels_first':
    input_shape = (1, 28, 28)
else:
    input_shape = (28, 28, 1)
x_train = x_train.astype('float32') / 255
model = keras.Sequential()
model.add(Conv2D(4, (3, 3), activation='relu', input_shape=input_shape))
model.add(Flatten())
model.add(Dense(10))
model.fit_generator(x_train, epochs=1)
score = model.evaluate(x_train, y_train, verbose=0)
print('Test loss:', score[0])
"""


def test_script_statements_around_a_keras_model_are_passed_over():
    # the input shape depends on the backend's data format: given with the snippet
    arch = parse_snippet(DATA_SCRIPT, input_shape=(28, 28, 1))
    # conv (3·3·1 + 1)·4 = 40; dense (26·26·4 + 1)·10 = 27,050
    assert analyze(arch).totals["params"] == 40 + 27_050
    notes = "\n".join(arch.notes)
    # the backend's data format is Keras's default, channels-last (the reader's layout), said in a note
    assert arch.assumed == ["line 6: K.image_data_format() is Keras's default, 'channels_last'"]
    assert "fit_generator" in notes and "line 17: skipped" in notes
