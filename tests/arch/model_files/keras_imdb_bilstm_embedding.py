# nnsolve corpus: a Keras IMDB script: Embedding(input_length=), stacked Bidirectional LSTMs, padded sequences and fit
from tensorflow import keras
from tensorflow.keras.layers import LSTM, Bidirectional, Dense, Dropout, Embedding
from tensorflow.keras.models import Sequential
from tensorflow.keras.preprocessing import sequence

max_words = 12000
seq_len = 80
embed_dim = 32

print("Loading data...")
(x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=max_words)
x_train = sequence.pad_sequences(x_train, maxlen=seq_len)
x_test = sequence.pad_sequences(x_test, maxlen=seq_len)

model = Sequential()
model.add(Embedding(max_words, embed_dim, input_length=seq_len))
model.add(Bidirectional(LSTM(24, return_sequences=True)))
model.add(Dropout(0.3))
model.add(Bidirectional(LSTM(12)))
model.add(Dense(1, activation="sigmoid"))

model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=4, validation_data=(x_test, y_test))
