# nnsolve corpus: a Keras text classifier with one transformer block from a helper: MultiHeadAttention, LayerNormalization, a Dense FFN
from tensorflow import keras
from tensorflow.keras import layers

vocab_size = 4000
maxlen = 50
embed_dim = 32
num_heads = 2
ff_dim = 48


def transformer_block(x, heads, dim, ff, rate=0.1):
    attn = layers.MultiHeadAttention(num_heads=heads, key_dim=dim)(x, x)
    attn = layers.Dropout(rate)(attn)
    x = layers.LayerNormalization(epsilon=1e-6)(x + attn)
    f = layers.Dense(ff, activation="relu")(x)
    f = layers.Dense(dim)(f)
    f = layers.Dropout(rate)(f)
    return layers.LayerNormalization(epsilon=1e-6)(x + f)


inputs = layers.Input(shape=(maxlen,))
x = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)(inputs)
x = transformer_block(x, num_heads, embed_dim, ff_dim)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dropout(0.1)(x)
x = layers.Dense(20, activation="relu")(x)
outputs = layers.Dense(2, activation="softmax")(x)

model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
