# nnsolve corpus: a Keras Sequential grown with model.add in a loop over filter sizes: Conv2D/BatchNormalization/ReLU blocks
from tensorflow import keras
from tensorflow.keras import layers, models

FILTERS = [12, 24, 48]


def add_block(model, filters, first=False):
    if first:
        model.add(layers.Conv2D(filters, (3, 3), padding="same", input_shape=(48, 48, 3)))
    else:
        model.add(layers.Conv2D(filters, (3, 3), padding="same"))
    model.add(layers.BatchNormalization())
    model.add(layers.ReLU())
    model.add(layers.MaxPooling2D((2, 2)))


model = models.Sequential(name="faces")
for i, f in enumerate(FILTERS):
    add_block(model, f, first=(i == 0))
model.add(layers.Flatten())
model.add(layers.Dense(32, activation="relu"))
model.add(layers.Dense(7, activation="softmax"))
model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss="categorical_crossentropy")
model.summary()
