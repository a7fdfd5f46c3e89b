# nnsolve corpus: a Keras functional denoising autoencoder: strided Conv2D down, Conv2DTranspose (same, stride 2) up
from tensorflow import keras
from tensorflow.keras import layers

side = 28

inp = keras.Input(shape=(side, side, 1), name="noisy")
h = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(inp)
h = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(h)
h = layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(h)
h = layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu")(h)
out = layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="clean")(h)

autoencoder = keras.Model(inp, out)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()
