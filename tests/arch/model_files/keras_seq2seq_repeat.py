# nnsolve corpus: a Keras encoder-decoder: LSTM encoder, RepeatVector, LSTM decoder and TimeDistributed(Dense) per step
from tensorflow import keras
from tensorflow.keras import layers

IN_STEPS, OUT_STEPS, N_TOKENS = 10, 5, 11
LATENT = 40

model = keras.Sequential(name="seq2seq")
model.add(layers.LSTM(LATENT, input_shape=(IN_STEPS, N_TOKENS)))
model.add(layers.RepeatVector(OUT_STEPS))
model.add(layers.LSTM(LATENT, return_sequences=True))
model.add(layers.TimeDistributed(layers.Dense(N_TOKENS, activation="softmax")))
model.compile(loss="categorical_crossentropy", optimizer="adam")
