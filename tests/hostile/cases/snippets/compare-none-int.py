from tensorflow.keras import layers, models

units = 10
model = models.Sequential([
    layers.Input(shape=(28, 28, 1)),
    layers.Flatten(),
    layers.Dense(units if None < 1 else 5),
])
