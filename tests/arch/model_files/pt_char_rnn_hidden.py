# nnsolve corpus: a next-character model with an optional state argument, zero_state(), a two-layer GRU and reshape
import string

import torch
import torch.nn as nn

SYMBOLS = string.ascii_lowercase + " .,;'-"
N_SYMBOLS = len(SYMBOLS)


class NextCharModel(nn.Module):
    def __init__(self, n_symbols, width=64, depth=2, emb=16):
        super(NextCharModel, self).__init__()
        self.width = width
        self.depth = depth
        self.lookup = nn.Embedding(n_symbols, emb)
        self.core = nn.GRU(emb, width, depth, batch_first=True)
        self.readout = nn.Linear(width, n_symbols)

    def forward(self, ids, state=None):
        batch = ids.size(0)
        out, state = self.core(self.lookup(ids), state)
        logits = self.readout(out.reshape(-1, self.width))
        return logits.view(batch, -1, logits.size(-1)), state

    def zero_state(self, batch):
        return torch.zeros(self.depth, batch, self.width)


def encode_text(text):
    return torch.tensor([SYMBOLS.find(ch) for ch in text.lower() if ch in SYMBOLS])


lm = NextCharModel(N_SYMBOLS)
