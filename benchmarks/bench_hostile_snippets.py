"""Time the refusal of hostile model files (issue 12: "refused without running anything, within 1 s"):
side effects in module bodies, __import__, open, infinite loops, huge ranges, runaway recursion, and the
code the reader now follows to choose a model (an uncalled test() or main block) — each read in process,
best of 3, with the slowest printed against the 1 s goal. Nothing in them may run: each case would leave
a marker file if it did, and the script checks that none is left.

    .venv/bin/python benchmarks/bench_hostile_snippets.py
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

HEAD = "import torch\nimport torch.nn as nn\n"
KERAS = "from tensorflow import keras\nfrom tensorflow.keras import layers\n"


def cases(marker: Path) -> dict[str, tuple[str, dict]]:
    m = str(marker)
    net = HEAD + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        BODY\n" \
        "    def forward(self, x):\n        return self.fc(x)\n"
    return {
        "__import__ in a layer": (HEAD + f"model = nn.Sequential(nn.Linear(4, 2), __import__('os').system('touch {m}'))\n", {}),
        "open() at the top": (HEAD + f"open('{m}', 'w').write('ran')\nmodel = nn.Linear(4, 2)\n", {}),
        "side effect in __init__": (net.replace("BODY", f"open('{m}', 'w')\n        self.fc = nn.Linear(4, 2)"),
                                    {"model": "Net"}),
        "while True": (HEAD + "layers = []\nwhile True:\n    layers.append(nn.ReLU())\n", {}),
        "range(10 ** 12)": (HEAD + "layers = []\nfor i in range(10 ** 12):\n    layers += [nn.ReLU()]\n", {}),
        "a list of 10^6 layers": (HEAD + "model = nn.Sequential(*[nn.Linear(4, 4)] * 10**6)\n", {}),
        "doubling list": (HEAD + "b = [nn.Linear(4, 4)]\nfor _ in range(40):\n    b = b + b\n", {}),
        "runaway recursion": (HEAD + "def f(n):\n    return f(n + 1) + 1\nm = f(0)\n", {}),
        "n = n * n": (HEAD + "n = 2\nwhile True:\n    n = n * n\n", {}),
        "forward loops forever": (net.replace("BODY", "self.fc = nn.Linear(4, 4)").replace(
            "return self.fc(x)", "while True:\n            x = self.fc(x)") + "model = Net()\n", {}),
        "test() builds forever": (net.replace("BODY", "self.fc = nn.Linear(4, 2)\n        while True:\n"
                                              "            self.fc = nn.Linear(4, 2)")
                                  + "def test():\n    net = Net()\n    net(torch.randn(1, 4))\n", {}),
        "main block with side effects": (net.replace("BODY", "self.fc = nn.Linear(4, 2)")
                                         + f"if __name__ == '__main__':\n    __import__('os').system('touch {m}')\n"
                                         "    model = Net()\n", {"input_shape": (4,)}),
        "Keras: while True adding layers": (KERAS + "model = keras.Sequential([keras.Input(shape=(4,))])\n"
                                            "while True:\n    model.add(layers.Dense(4))\n", {"input_shape": None}),
        "Keras: a data loop of 10^12": (KERAS + "data = []\nfor i in range(10 ** 12):\n    data.append(i)\n"
                                        "model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])\n",
                                        {"input_shape": None}),
        "Keras: __import__ in a layer": (KERAS + f"model = keras.Sequential([keras.Input(shape=(4,)), "
                                         f"layers.Dense(__import__('os').system('touch {m}'))])\n",
                                         {"input_shape": None}),
        "--set a huge list": (HEAD + "n = len(open('x').read())\nmodel = nn.Linear(4, n)\n",
                              {"given": {"n": list(range(300))}, "input_shape": (4,)}),
    }


def main() -> None:
    from nnsolve.arch.snippets import parse_snippet
    from nnsolve.problems.errors import ProblemError

    with tempfile.TemporaryDirectory() as tmp:
        marker = Path(tmp) / "ran"
        slowest = ("", 0.0)
        for name, (text, options) in cases(marker).items():
            options = {k: v for k, v in {"input_shape": (4,), **options}.items() if v is not None}
            times = []
            for _ in range(3):
                began = time.perf_counter()
                try:
                    parse_snippet(text, **options)
                    outcome = "read"
                except ProblemError as e:
                    outcome = "refused: " + str(e).splitlines()[-1].strip()[:70]
                times.append(time.perf_counter() - began)
            best = min(times)
            slowest = max(slowest, (name, best), key=lambda pair: pair[1])
            print(f"{name:<30} {best * 1e3:8.1f} ms  {outcome}")
        print(f"slowest: {slowest[0]} {slowest[1] * 1e3:.1f} ms (goal < 1000 ms)")
        print("nothing ran" if not marker.exists() else "A CASE RAN: the marker file exists")


if __name__ == "__main__":
    main()
