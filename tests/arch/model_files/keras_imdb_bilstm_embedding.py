# nnsolve corpus: a Keras review classifier: a Tokenizer on a CSV, Embedding(input_length=), stacked Bidirectional LSTMs from a function
import csv
import os

from tensorflow import keras
from tensorflow.keras.layers import LSTM, Bidirectional, Dense, Dropout, Embedding
from tensorflow.keras.models import Sequential
from tensorflow.keras.preprocessing.sequence import pad_sequences
from tensorflow.keras.preprocessing.text import Tokenizer

DATA = os.path.join("data", "reviews.csv")
VOCAB = 12000
MAXLEN = 80


def read_reviews(path=DATA):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [int(r["stars"]) >= 4 for r in rows]


def build(vocab, maxlen, dim=32, units=24, top_units=12):
    net = Sequential(name="bilstm_reviews")
    net.add(Embedding(vocab, dim, input_length=maxlen))
    net.add(Bidirectional(LSTM(units, return_sequences=True)))
    net.add(Dropout(0.3))
    net.add(Bidirectional(LSTM(top_units)))
    net.add(Dense(1, activation="sigmoid"))
    return net


model = build(VOCAB, MAXLEN)
model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy", metrics=["AUC"])

if __name__ == "__main__":
    texts, labels = read_reviews()
    tok = Tokenizer(num_words=VOCAB, oov_token="<unk>")
    tok.fit_on_texts(texts)
    x = pad_sequences(tok.texts_to_sequences(texts), maxlen=MAXLEN)
    model.fit(x, labels, epochs=4, batch_size=32, validation_split=0.2)
