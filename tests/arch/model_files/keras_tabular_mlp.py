# nnsolve corpus: a Keras tabular MLP: Dense(input_dim=) first, hidden widths from a list, Dropout, a training helper never called
import pandas as pd
from keras.layers import Dense, Dropout
from keras.models import Sequential

N_COLUMNS = 14
HIDDEN = [48, 24, 12]


def load(path="adult.csv"):
    frame = pd.read_csv(path)
    return frame.drop(columns=["label"]).values, frame["label"].values


model = Sequential()
model.add(Dense(HIDDEN[0], input_dim=N_COLUMNS, activation="relu"))
for width in HIDDEN[1:]:
    model.add(Dropout(0.1))
    model.add(Dense(width, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])


def train():
    x, y = load()
    model.fit(x, y, epochs=40, batch_size=16, verbose=2)
    print(model.evaluate(x, y))
