"""The Keras reader on the shared interpreter: subclassed models (`class Net(keras.Model)`), models built in
the file's functions, layers built in loops, comprehensions and helpers, script code passed over with notes,
and --set values. Every count follows Keras's documented rules, written out here (no TensorFlow):
Conv2D k×k, c_in → f holds k·k·c_in·f + f; BatchNormalization 4 per channel (2 of them non-trainable);
Dense n → m holds n·m + m; a valid k×k convolution takes n to n − k + 1, MaxPooling2D() halves (floor)."""
import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet
from nnsolve.problems.errors import ProblemError

SUBCLASSED = """import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class Net(keras.Model):
    def __init__(self, classes=10, widths=(16, 32)):
        super().__init__()
        self.convs = [layers.Conv2D(w, 3, activation="relu") for w in widths]
        self.pool = layers.MaxPooling2D()
        self.flatten = layers.Flatten()
        self.dropout = layers.Dropout(0.5)
        self.head = layers.Dense(classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for conv in self.convs:
            x = self.pool(conv(x))
        x = self.flatten(x)
        x = self.dropout(x, training=training)
        return self.head(x)


model = Net()
model.build((None, 28, 28, 1))
model.summary()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
"""

# 28 → conv 26 → pool 13 → conv 11 → pool 5; flatten 5·5·32 = 800
SUBCLASSED_PARAMS = [0, 3 * 3 * 1 * 16 + 16, 0, 3 * 3 * 16 * 32 + 32, 0, 0, 0, 800 * 10 + 10]


def test_a_subclassed_model_is_called_on_the_shape_model_build_gives():
    arch = parse_snippet(SUBCLASSED)
    a = analyze(arch)
    assert [r.params for r in a.layers] == SUBCLASSED_PARAMS
    assert [r.shape for r in a.layers if r.layer.kind in ("conv2d", "max_pool2d")] == \
        [(26, 26, 16), (13, 13, 16), (11, 11, 32), (5, 5, 32)]
    assert a.layers[-1].shape == (10,) and arch.input_shape == (28, 28, 1)
    notes = "\n".join(arch.notes)
    assert "line 26: skipped model.summary()" in notes and "line 27: skipped model.compile(" in notes


def test_a_subclassed_model_the_file_never_builds_is_built_with_its_defaults_on_the_input_shape_passed():
    text = SUBCLASSED.split("model = Net()")[0]
    arch = parse_snippet(text, input_shape=(28, 28, 1))
    assert [r.params for r in analyze(arch).layers] == SUBCLASSED_PARAMS
    assert any(n.startswith("line 6:") and "Net() with its defaults" in n for n in arch.assumed)
    with pytest.raises(ProblemError, match=r"line 6: the input shape of Net is not known: call model.build"):
        parse_snippet(text)


def test_a_subclassed_model_with_its_arguments_and_tf_keras_base():
    text = SUBCLASSED.replace("class Net(keras.Model)", "class Net(tf.keras.Model)") \
        .replace("super().__init__()", "super(Net, self).__init__(name='net')") \
        .replace("model = Net()", "model = Net(classes=3, widths=[8])") \
        .replace("model.build((None, 28, 28, 1))", "model.build(input_shape=(None, 12, 12, 2))")
    a = analyze(parse_snippet(text))
    # 12 → conv 10 → pool 5; flatten 5·5·8 = 200; Dense 200 → 3
    assert [r.params for r in a.layers] == [0, 3 * 3 * 2 * 8 + 8, 0, 0, 0, 200 * 3 + 3]


BLOCKS = """import numpy as np
import keras
from keras import layers

x_train, y_train = np.load("x.npy"), np.load("y.npy")
num_classes = len(np.unique(y_train))
print(x_train.shape)


class Block(layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv2D(filters, 3, padding="same")
        self.norm = layers.BatchNormalization()

    def call(self, x):
        return tf.nn.relu(self.norm(self.conv(x)))


class Classifier(keras.Model):
    def __init__(self, classes):
        super().__init__()
        self.blocks = [Block(f) for f in (8, 16)]
        self.pool = layers.GlobalAveragePooling2D()
        self.out = layers.Dense(classes)

    def call(self, inputs):
        x = inputs
        for block in self.blocks:
            x = block(x)
        return self.out(self.pool(x))


model = Classifier(num_classes)
outputs = model(keras.Input(shape=(32, 32, 3)))
model.fit(x_train, y_train, epochs=3)
"""


def test_a_subclassed_model_of_custom_layers_called_on_keras_input_with_a_size_given_by_set():
    arch = parse_snippet(BLOCKS, given={"num_classes": 5})
    a = analyze(arch)
    # same-padded 3×3 convolutions keep 32×32: 3·3·3·8 + 8, BN 4·8, 3·3·8·16 + 16, BN 4·16; Dense 16 → 5
    assert [r.params for r in a.layers] == [0, 224, 4 * 8, 1168, 4 * 16, 0, 16 * 5 + 5]
    assert a.totals["params"] == 224 + 32 + 1168 + 64 + 85
    assert a.totals["trainable"] == 224 + 16 + 1168 + 32 + 85
    assert a.layers[3].shape == (32, 32, 16) and a.layers[-1].shape == (5,)
    notes = "\n".join(arch.notes)
    assert "line 6: num_classes = 5, given with --set" in "\n".join(arch.assumed)
    assert "line 7: skipped print(x_train.shape)" in notes and "line 36: skipped model.fit(" in notes
    assert "Block.call applies are listed one by one" in notes


def test_a_size_the_file_computes_from_its_data_is_refused_naming_set():
    with pytest.raises(ProblemError, match=r"line 25: Dense argument 'units': classes is not known without running "
                                           r"the code .*--set num_classes="):
        parse_snippet(BLOCKS)


def test_a_custom_layer_that_makes_its_own_weights_is_refused_at_its_class():
    text = """import keras
class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],))
    def call(self, x):
        return x * self.w
inputs = keras.Input(shape=(4,))
model = keras.Model(inputs, Scale()(inputs))
"""
    with pytest.raises(ProblemError, match=r"line 2: Scale defines build\(\)"):
        parse_snippet(text)
    with pytest.raises(ProblemError, match=r"line 4: Scale: weights made with add_weight"):
        parse_snippet(text.replace("def build(self, input_shape):", "def __init__(self, input_shape=(4,)):"))


BUILT_IN_A_FUNCTION = """from tensorflow import keras
from tensorflow.keras import layers


def dense_block(x, units, rate=0.1):
    x = layers.Dense(units, activation="relu")(x)
    return layers.Dropout(rate)(x)


def build_model(features, hidden=(64, 32), classes=4):
    inputs = keras.Input(shape=(features,))
    x = inputs
    for units in hidden:
        x = dense_block(x, units)
    heads = [layers.Dense(1, name=f"head_{i}")(x) for i in range(classes)]
    outputs = layers.concatenate(heads)
    return keras.Model(inputs, outputs)


model = build_model(20)
"""


def test_a_functional_model_built_in_a_function_with_a_loop_helpers_and_a_comprehension():
    arch = parse_snippet(BUILT_IN_A_FUNCTION)
    a = analyze(arch)
    # Dense 20 → 64, 64 → 32, then four heads 32 → 1, concatenated to (4,)
    assert a.totals["params"] == (20 * 64 + 64) + (64 * 32 + 32) + 4 * (32 * 1 + 1)
    assert [layer.name for layer in arch.layers if layer.name.startswith("head")] == \
        ["head_0", "head_1", "head_2", "head_3"]
    assert a.layers[-1].shape == (4,)


def test_a_sequential_of_layers_from_a_comprehension_and_a_list_variable():
    arch = parse_snippet("""from tensorflow import keras
from tensorflow.keras import layers
sizes = [32, 16, 8]
stack = [layers.Dense(n, activation="relu") for n in sizes]
model = keras.Sequential([keras.Input(shape=(10,))] + stack + [layers.Dense(2)])
""")
    a = analyze(arch)
    assert [r.params for r in a.layers] == [0, 10 * 32 + 32, 32 * 16 + 16, 16 * 8 + 8, 8 * 2 + 2]


def test_an_unknown_branch_that_builds_layers_is_refused_one_that_does_not_is_passed_over():
    text = """import os
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])
if os.path.exists("weights.h5"):
    model.load_weights("weights.h5")
"""
    arch = parse_snippet(text)
    assert analyze(arch).totals["params"] == 4 * 3 + 3
    assert any(n.startswith("line 5: skipped `if os.path.exists") for n in arch.notes)
    with pytest.raises(ProblemError, match=r"line 5: `if os.path.exists\('weights.h5'\):` is not known"):
        parse_snippet(text.replace('model.load_weights("weights.h5")', "model.add(layers.Dense(2))"))


def test_a_data_loop_far_beyond_the_budget_is_passed_over_and_what_it_fills_is_unknown():
    text = """from tensorflow import keras
from tensorflow.keras import layers
questions = []
while len(questions) < 10 ** 6:
    questions.append("1+1")
model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])
"""
    arch = parse_snippet(text)
    assert analyze(arch).totals["params"] == 4 * 3 + 3
    assert any(n.startswith("line 4: skipped the loop") for n in arch.notes)
    with pytest.raises(ProblemError, match=r"line 6: Dense argument 'units': len\(questions\) is not known"):
        parse_snippet(text.replace("layers.Dense(3)", "layers.Dense(len(questions))"))


def test_an_activation_function_passed_as_a_name_and_bare_unimported_layer_names():
    arch = parse_snippet("""import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation=tf.nn.relu, input_shape=(3,)),
                             Dense(2, activation=tf.keras.activations.softmax)])
""")
    assert [layer.settings.get("activation") for layer in arch.layers[1:]] == ["relu", "softmax"]
    assert analyze(arch).totals["params"] == (3 * 4 + 4) + (4 * 2 + 2)


def test_a_failing_statement_in_a_keras_class_method_is_refused_not_passed_over():
    text = SUBCLASSED.replace("        x = self.flatten(x)\n", "        x = x[:, 0]\n        x = self.flatten(x)\n")
    with pytest.raises(ProblemError, match=r"line 19: x\[:, 0\]: .* cannot be indexed"):
        parse_snippet(text)


def test_sequential_models_built_in_init_are_applied_layer_by_layer_in_call():
    arch = parse_snippet("""import tensorflow as tf
from tensorflow.keras import layers
from tensorflow.keras.models import Model


class Autoencoder(Model):
    def __init__(self, latent_dim):
        super(Autoencoder, self).__init__()
        self.encoder = tf.keras.Sequential([layers.Flatten(), layers.Dense(latent_dim, activation="relu")])
        self.decoder = tf.keras.Sequential([layers.Dense(784, activation="sigmoid"), layers.Reshape((28, 28))])

    def call(self, x):
        return self.decoder(self.encoder(x))


autoencoder = Autoencoder(64)
autoencoder.compile(optimizer="adam", loss="mse")
""", input_shape=(28, 28))
    a = analyze(arch)
    # flatten 28·28 = 784; Dense 784 → 64, 64 → 784; reshaped back to (28, 28)
    assert [r.params for r in a.layers] == [0, 0, 784 * 64 + 64, 64 * 784 + 784, 0]
    assert a.layers[-1].shape == (28, 28)


def test_one_layer_object_twice_in_a_sequential_is_refused():
    with pytest.raises(ProblemError, match=r"line 2: .*the layer dense is in this Sequential already"):
        parse_snippet("from tensorflow import keras\n"
                      "model = keras.Sequential([keras.layers.Dense(3, input_shape=(3,))] * 2)\n")


def test_a_tensors_shape_is_known_while_the_model_is_built():
    """A residual block that projects its shortcut only when the widths differ: x.shape[-1] is the width
    the layers so far give (Dense(u) on d inputs: (d + 1)·u parameters)."""
    text = """from tensorflow import keras
from tensorflow.keras import layers


def block(x, width):
    shortcut = x
    if x.shape[-1] != width:
        shortcut = layers.Dense(width)(x)
    return layers.add([layers.Dense(width)(x), shortcut])


inputs = keras.Input(shape=(6,))
x = block(inputs, 6)
x = block(x, 4)
model = keras.Model(inputs, x)
"""
    analysis = analyze(parse_snippet(text))
    assert analysis.totals["params"] == (6 + 1) * 6 + (6 + 1) * 4 + (6 + 1) * 4   # the second block projects


def test_time_distributed_dense_counts_as_the_dense_and_other_layers_are_refused():
    text = """from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([keras.Input(shape=(5, 3)), layers.TimeDistributed(layers.Dense(2))])
"""
    analysis = analyze(parse_snippet(text))
    assert analysis.totals["params"] == (3 + 1) * 2 and analysis.totals["macs"] == 5 * 3 * 2
    assert analysis.layers[-1].shape == (5, 2)
    with pytest.raises(ProblemError) as e:
        parse_snippet(text.replace("layers.Dense(2)", "layers.Conv1D(2, 1)"))
    assert "line 3" in str(e.value) and "a Dense layer (other layers in TimeDistributed are not followed)" in str(e.value)


def test_a_model_built_in_main_is_the_model():
    """A training script whose main() builds the model from a function of the file: the reader takes it
    (stated), as the PyTorch reader does; Dense(u) on d inputs holds (d + 1)·u."""
    text = """from tensorflow import keras
from tensorflow.keras import layers


def build_model(width, classes=10):
    inputs = keras.Input(shape=(12,))
    x = layers.Dense(width, activation="relu")(inputs)
    return keras.Model(inputs, layers.Dense(classes)(x))


def main():
    (x_train, y_train), _ = keras.datasets.mnist.load_data()
    model = build_model(8)
    model.fit(x_train, y_train, epochs=2)


if __name__ == "__main__":
    main()
"""
    arch = parse_snippet(text)
    assert analyze(arch).totals["params"] == (12 + 1) * 8 + (8 + 1) * 10
    assert any(n.startswith("line 13: the model is build_model(8), as main() builds it") for n in arch.assumed)
