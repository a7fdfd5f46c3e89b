# nnsolve corpus: a sentence classifier on nn.TransformerEncoder layers with a learned [CLS] vector and mean pooling option
import torch
import torch.nn as nn


class EncoderClassifier(nn.Module):
    def __init__(self, vocab_size=2000, d_model=40, nhead=4, ff=80, n_layers=2, n_classes=3, max_len=64,
                 pool="cls"):
        super().__init__()
        self.pool = pool
        self.embed = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_len, d_model)
        self.cls = nn.Parameter(torch.randn(1, 1, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=ff, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=n_layers)
        self.norm = nn.LayerNorm(d_model)
        self.classify = nn.Linear(d_model, n_classes)
        self.register_buffer("positions", torch.arange(max_len))

    def forward(self, tokens, padding_mask=None):
        n, t = tokens.shape
        x = self.embed(tokens) + self.position(self.positions[:t])
        x = torch.cat([self.cls.expand(n, -1, -1), x], dim=1)
        x = self.encoder(x, src_key_padding_mask=padding_mask)
        if self.pool == "cls":
            x = x[:, 0]
        else:
            x = x.mean(dim=1)
        return self.classify(self.norm(x))


model = EncoderClassifier()
