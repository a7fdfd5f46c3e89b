# nnsolve corpus: a character model with an optional hidden state argument, init_hidden(), a two-layer GRU and reshape
import string

import torch
import torch.nn as nn

ALPHABET = string.printable
N_CHARS = len(ALPHABET)


class CharRNN(nn.Module):
    def __init__(self, n_chars, hidden=64, layers=2, emb=16):
        super(CharRNN, self).__init__()
        self.hidden_size = hidden
        self.n_layers = layers
        self.encoder = nn.Embedding(n_chars, emb)
        self.rnn = nn.GRU(emb, hidden, layers, batch_first=True)
        self.decoder = nn.Linear(hidden, n_chars)

    def forward(self, x, hidden=None):
        batch = x.size(0)
        out, hidden = self.rnn(self.encoder(x), hidden)
        logits = self.decoder(out.reshape(-1, self.hidden_size))
        return logits.view(batch, -1, logits.size(-1)), hidden

    def init_hidden(self, batch):
        return torch.zeros(self.n_layers, batch, self.hidden_size)


def char_tensor(text):
    return torch.tensor([ALPHABET.index(c) for c in text], dtype=torch.long)


rnn = CharRNN(N_CHARS)
