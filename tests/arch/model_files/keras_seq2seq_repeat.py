# nnsolve corpus: a Keras functional encoder-decoder: LSTM encoder, RepeatVector, LSTM decoder and TimeDistributed(Dense) per step
from tensorflow import keras
from tensorflow.keras import layers

IN_STEPS, OUT_STEPS, N_TOKENS = 10, 5, 11
LATENT = 40

source = keras.Input(shape=(IN_STEPS, N_TOKENS), name="source")
summary = layers.LSTM(LATENT, name="encoder")(source)
repeated = layers.RepeatVector(OUT_STEPS)(summary)
decoded = layers.LSTM(LATENT, return_sequences=True, name="decoder")(repeated)
decoded = layers.Dropout(0.1)(decoded)
target = layers.TimeDistributed(layers.Dense(N_TOKENS, activation="softmax"), name="per_step")(decoded)
model = keras.Model(source, target)
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
