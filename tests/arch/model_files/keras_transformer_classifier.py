# nnsolve corpus: a Keras text classifier with a pre-norm transformer block from a helper: MultiHeadAttention, LayerNormalization, Dense FFN
from tensorflow import keras
from tensorflow.keras import layers

VOCAB = 3000
SEQ = 40
WIDTH = 24
HEADS = 3
HEAD_DIM = 8
FF = 64


def encoder_block(x, heads=HEADS, head_dim=HEAD_DIM, ff=FF, drop=0.1):
    h = layers.LayerNormalization()(x)
    h = layers.MultiHeadAttention(num_heads=heads, key_dim=head_dim, dropout=drop)(h, h)
    x = layers.Add()([x, h])
    h = layers.LayerNormalization()(x)
    h = layers.Dense(ff, activation="gelu")(h)
    h = layers.Dense(WIDTH)(h)
    return layers.Add()([x, h])


tokens = layers.Input(shape=(SEQ,), dtype="int32")
x = layers.Embedding(VOCAB, WIDTH)(tokens)
x = encoder_block(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(3, activation="softmax")(x)
classifier = keras.Model(tokens, x)
classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
