# nnsolve corpus: a Keras functional CNN whose input shape comes from the data (x_train.shape[1:]), conv blocks from a helper in a loop
from tensorflow import keras
from tensorflow.keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0
num_classes = 10


def conv_block(x, filters, pool=True):
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    if pool:
        x = layers.MaxPooling2D()(x)
    return x


def build_model(input_shape, widths=(16, 32, 64)):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for w in widths:
        x = conv_block(x, w)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="cifar_blocks")


model = build_model(x_train.shape[1:])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=20, batch_size=64, validation_data=(x_test, y_test))
