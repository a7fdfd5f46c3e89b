# nnsolve corpus: a Keras Fashion-MNIST script: keras.datasets loading, reshape, a Sequential CNN, compile/fit/evaluate, callbacks, prints
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

CLASS_NAMES = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]
EPOCHS = 12

(train_images, train_labels), (test_images, test_labels) = keras.datasets.fashion_mnist.load_data()
train_images = train_images.reshape(-1, 28, 28, 1).astype(np.float32) / 255.0
test_images = test_images.reshape(-1, 28, 28, 1).astype(np.float32) / 255.0
print(f"{len(train_images)} training images, {len(test_images)} test images")

model = keras.Sequential(
    [
        layers.Conv2D(12, 3, activation="relu", padding="same", input_shape=(28, 28, 1)),
        layers.Conv2D(12, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.BatchNormalization(),
        layers.Conv2D(20, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(48, activation="relu"),
        layers.Dense(len(CLASS_NAMES)),
    ],
    name="fashion_cnn",
)
model.summary()

model.compile(optimizer=keras.optimizers.Adam(learning_rate=5e-4),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
model.fit(train_images, train_labels, epochs=EPOCHS, validation_split=0.15, callbacks=[stop])
_, accuracy = model.evaluate(test_images, test_labels, verbose=2)
print("held-out accuracy:", round(accuracy, 4))
