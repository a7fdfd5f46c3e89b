# nnsolve corpus: a sequence tagger with a GRU, an optional mask argument and a helper method in forward
import torch
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self, n_words=3000, n_tags=17, emb_dim=32, hid=24):
        super().__init__()
        self.words = nn.Embedding(n_words, emb_dim)
        self.gru = nn.GRU(emb_dim, hid, batch_first=True)
        self.proj = nn.Linear(hid, n_tags)
        self.init_weights()

    def init_weights(self):
        nn.init.normal_(self.words.weight, std=0.05)
        nn.init.xavier_normal_(self.proj.weight)
        self.proj.bias.data.fill_(0.0)

    def encode(self, tokens):
        states, _ = self.gru(self.words(tokens))
        return states

    def forward(self, tokens, mask=None):
        scores = self.proj(self.encode(tokens))
        if mask is not None:
            scores = scores.masked_fill(~mask.unsqueeze(-1), -1e4)
        return scores


tagger = Tagger()
