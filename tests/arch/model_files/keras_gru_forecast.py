# nnsolve corpus: a Keras time-series forecaster: windows of several features, stacked GRUs (reset_after bias), a Dense horizon
import numpy as np
import tensorflow as tf

WINDOW = 24
FEATURES = 5
HORIZON = 6


def make_windows(series, window=WINDOW, horizon=HORIZON):
    xs, ys = [], []
    for i in range(len(series) - window - horizon):
        xs.append(series[i:i + window])
        ys.append(series[i + window:i + window + horizon, 0])
    return np.array(xs), np.array(ys)


model = tf.keras.Sequential([
    tf.keras.layers.Input(shape=(WINDOW, FEATURES)),
    tf.keras.layers.GRU(20, return_sequences=True),
    tf.keras.layers.GRU(10),
    tf.keras.layers.Dense(HORIZON),
])
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
model.summary()

if __name__ == "__main__":
    data = np.random.rand(1000, FEATURES).astype("float32")
    x, y = make_windows(data)
    model.fit(x, y, epochs=2, batch_size=32)
