# nnsolve corpus: a subclassed keras.Model with layers made in __init__ and a call() method, built on a given input shape
import tensorflow as tf
from tensorflow import keras


class Net(keras.Model):
    def __init__(self, hidden=64, classes=5):
        super().__init__()
        self.d1 = keras.layers.Dense(hidden, activation="relu")
        self.drop = keras.layers.Dropout(0.2)
        self.d2 = keras.layers.Dense(hidden // 2, activation="relu")
        self.out = keras.layers.Dense(classes)

    def call(self, inputs, training=False):
        x = self.d1(inputs)
        x = self.drop(x, training=training)
        x = self.d2(x)
        return self.out(x)


model = Net()
model.build((None, 40))
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
print(model(tf.zeros((1, 40))).shape)
