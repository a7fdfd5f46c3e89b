# nnsolve corpus: a Keras text CNN sized by argparse options: Embedding, Conv1D, MaxPooling1D, GlobalAveragePooling1D
import argparse

from tensorflow import keras
from tensorflow.keras import layers


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    return ap.parse_args()


VOCAB = 6000
LENGTH = 120
DIM = 24


def make_text_cnn(vocab=VOCAB, length=LENGTH, dim=DIM, filters=32, kernel=5, classes=4):
    inp = keras.Input(shape=(length,), dtype="int32")
    x = layers.Embedding(vocab, dim)(inp)
    x = layers.Conv1D(filters, kernel, activation="relu")(x)
    x = layers.MaxPooling1D(3)(x)
    x = layers.Conv1D(filters, kernel, activation="relu")(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    out = layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inp, out)


model = make_text_cnn()
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["acc"])

if __name__ == "__main__":
    args = parse()
    (x_tr, y_tr), _ = keras.datasets.reuters.load_data(num_words=VOCAB)
    x_tr = keras.preprocessing.sequence.pad_sequences(x_tr, maxlen=LENGTH)
    model.fit(x_tr, y_tr % 4, epochs=args.epochs)
