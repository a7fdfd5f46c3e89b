# nnsolve corpus: a Keras Sequential list with SeparableConv2D, DepthwiseConv2D, ZeroPadding2D and AveragePooling2D layers
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    layers.Input((40, 40, 3)),
    layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False),
    layers.BatchNormalization(),
    layers.ReLU(6.0),
    layers.DepthwiseConv2D(3, padding="same", use_bias=False),
    layers.BatchNormalization(),
    layers.ReLU(6.0),
    layers.Conv2D(24, 1, use_bias=False),
    layers.ZeroPadding2D(1),
    layers.SeparableConv2D(32, 3, strides=2),
    layers.AveragePooling2D(2),
    layers.Flatten(),
    layers.Dense(6, activation="softmax"),
])
