# input: 4
model = nn.Sequential(
    nn.Linear(4, 2
