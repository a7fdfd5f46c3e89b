# nnsolve corpus: a Keras functional denoising autoencoder: strided Conv2D down, Conv2DTranspose (same, stride 2) up, named layers
from tensorflow import keras
from tensorflow.keras import layers

side = 28
widths = (16, 8)

noisy = keras.Input(shape=(side, side, 1), name="noisy")
h = noisy
for w in widths:
    h = layers.Conv2D(w, 3, strides=2, padding="same", activation="relu", name=f"down{w}")(h)
for w in widths[::-1]:
    h = layers.Conv2DTranspose(w, 3, strides=2, padding="same", activation="relu", name=f"up{w}")(h)
clean = layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="clean")(h)

denoiser = keras.Model(noisy, clean, name="denoiser")
denoiser.compile(optimizer="adam", loss="mse")
print(denoiser.count_params())
