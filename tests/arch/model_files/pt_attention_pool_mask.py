# nnsolve corpus: a GRU encoder with additive attention pooling: an nn.Parameter query, softmax weights, bmm, optional mask
import torch
import torch.nn as nn
import torch.nn.functional as F


class AttentionPool(nn.Module):
    def __init__(self, dim, attn_dim=16):
        super().__init__()
        self.key = nn.Linear(dim, attn_dim)
        self.query = nn.Parameter(torch.randn(attn_dim))

    def forward(self, h, mask=None):
        scores = torch.tanh(self.key(h)) @ self.query
        if mask is not None:
            scores = scores.masked_fill(mask == 0, float("-inf"))
        weights = F.softmax(scores, dim=1)
        return torch.bmm(weights.unsqueeze(1), h).squeeze(1)


class ReviewScorer(nn.Module):
    def __init__(self, vocab=8000, emb=32, hid=24, n_out=1):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.enc = nn.GRU(emb, hid, batch_first=True, bidirectional=True)
        self.pool = AttentionPool(2 * hid)
        self.out = nn.Linear(2 * hid, n_out)

    def forward(self, tokens, mask=None):
        h, _ = self.enc(self.emb(tokens))
        return self.out(self.pool(h, mask))


scorer = ReviewScorer()
