# nnsolve corpus: a CRNN for text lines: conv features permuted to a sequence, a bidirectional LSTM, per-step logits
import torch.nn as nn


class CRNN(nn.Module):
    def __init__(self, height=32, n_symbols=37, rnn_hidden=48):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(True), nn.MaxPool2d(2, 2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(True), nn.MaxPool2d(2, 2),
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(True), nn.MaxPool2d((2, 1), (2, 1)),
        )
        feat_h = height // 8
        self.rnn = nn.LSTM(48 * feat_h, rnn_hidden, bidirectional=True, batch_first=True)
        self.classifier = nn.Linear(2 * rnn_hidden, n_symbols)

    def forward(self, images):
        f = self.cnn(images)                  # (n, c, h, w)
        n, c, h, w = f.size()
        f = f.permute(0, 3, 1, 2).reshape(n, w, c * h)
        seq, _ = self.rnn(f)
        return self.classifier(seq)


model = CRNN()
