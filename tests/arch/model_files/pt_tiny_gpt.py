# nnsolve corpus: a small GPT-like language model: nn.MultiheadAttention blocks, a causal-mask buffer, nn.Parameter positions
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB = 97
CONTEXT = 16
WIDTH = 32
HEADS = 4
DEPTH = 2


class FeedForward(nn.Module):
    def __init__(self, d, mult=4, p=0.1):
        super().__init__()
        self.up = nn.Linear(d, mult * d)
        self.down = nn.Linear(mult * d, d)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        return self.drop(self.down(F.gelu(self.up(x))))


class DecoderBlock(nn.Module):
    def __init__(self, d, heads, context):
        super().__init__()
        self.ln_attn = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, dropout=0.1, batch_first=True)
        self.ln_ff = nn.LayerNorm(d)
        self.ff = FeedForward(d)
        causal = torch.triu(torch.ones(context, context, dtype=torch.bool), diagonal=1)
        self.register_buffer("causal", causal)

    def forward(self, x):
        t = x.size(1)
        h = self.ln_attn(x)
        a, _ = self.attn(h, h, h, attn_mask=self.causal[:t, :t], need_weights=False)
        x = x + a
        x = x + self.ff(self.ln_ff(x))
        return x


class TinyGPT(nn.Module):
    def __init__(self, vocab=VOCAB, context=CONTEXT, d=WIDTH, heads=HEADS, depth=DEPTH):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.zeros(1, context, d))
        self.blocks = nn.ModuleList([DecoderBlock(d, heads, context) for _ in range(depth)])
        self.ln_out = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=1 / math.sqrt(m.weight.size(-1)))

    def forward(self, idx, targets=None):
        b, t = idx.size()
        x = self.tok(idx) + self.pos[:, :t, :]
        for blk in self.blocks:
            x = blk(x)
        logits = self.head(self.ln_out(x))
        if targets is None:
            return logits
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def greedy(model, prompt, length):
    model.eval()
    out = list(prompt)
    with torch.no_grad():
        while len(out) < length:
            window = torch.tensor([out[-CONTEXT:]])
            out.append(int(model(window)[0, -1].argmax()))
    return out


if __name__ == "__main__":
    gpt = TinyGPT()
    opt = torch.optim.AdamW(gpt.parameters(), lr=3e-4)
    print(greedy(gpt, [1, 2, 3], 24))
