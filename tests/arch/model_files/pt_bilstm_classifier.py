# nnsolve corpus: a text classifier with an Embedding, a bidirectional two-layer LSTM and argparse sizes
import argparse

import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--vocab", type=int, default=5000)
p.add_argument("--embed", type=int, default=48)
p.add_argument("--hidden", type=int, default=40)
p.add_argument("--layers", type=int, default=2)
p.add_argument("--labels", type=int, default=4)
p.add_argument("--dropout", type=float, default=0.25)
opts = p.parse_args()


class TextBiLSTM(nn.Module):
    def __init__(self, vocab, embed, hidden, layers, labels, dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed, padding_idx=0)
        self.rnn = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True, bidirectional=True,
                           dropout=dropout)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * hidden, labels)

    def forward(self, tokens):
        emb = self.drop(self.embedding(tokens))
        seq, (h, c) = self.rnn(emb)
        last = seq[:, -1, :]
        return self.fc(self.drop(last))


model = TextBiLSTM(opts.vocab, opts.embed, opts.hidden, opts.layers, opts.labels, opts.dropout)
print(model)

if __name__ == "__main__":
    fake = torch.randint(0, opts.vocab, (8, 60))
    print(model(fake).shape)
