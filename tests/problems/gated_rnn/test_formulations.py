"""The same cell written in other conventions gives the same numbers: Keras' in_out stacked kernels in
its own gate order, weights per gate instead of stacked, and one SGD update that matches torch.optim."""
from __future__ import annotations

import numpy as np
import torch

from nnsolve.api import solve
from nnsolve.engine.number import to_float

W_IH = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.2], [0.25, 0.1], [0.6, -0.3], [0.2, 0.2]]   # 3 gates × 2 units
W_HH = [[0.2, 0.1], [-0.1, 0.3], [0.4, -0.2], [0.1, 0.1], [0.3, 0.5], [-0.4, 0.2]]
BIAS = [0.1, 0, -0.1, 0.2, 0, 0.05]
BASE = {"problem": "gated_rnn", "cell": "gru", "x": [[1, 0.5], [-0.5, 2]], "h0": [0.1, -0.2],
        "target": [[0.2, 0.1], [0, 0.3]], "loss": {"type": "half_sse"}}


def values(problem, ids):
    solution = solve(problem)
    return {i: [to_float(v) for v in np.ravel(solution.value(i))] for i in ids}


def blocks(m, order):
    """PyTorch r, z, n row blocks rearranged into `order`."""
    parts = dict(zip("rzn", (m[0:2], m[2:4], m[4:6])))
    return [row for g in order for row in parts[g]]


def test_keras_in_out_kernels_in_z_r_h_order_match_pytorch():
    pytorch = {**BASE, "weights": {"input": W_IH, "recurrent": W_HH, "bias": BIAS}}
    keras = {**BASE, "formulation": "keras", "weights": {
        "input": np.array(blocks(W_IH, "zrn")).T.tolist(), "recurrent": np.array(blocks(W_HH, "zrn")).T.tolist(),
        "bias": [v for g in "zrn" for v in dict(zip("rzn", (BIAS[0:2], BIAS[2:4], BIAS[4:6])))[g]]}}
    ids = ["r1", "z1", "n1", "h1", "h2", "loss", "dL/dW_n", "dL/dU_r"]
    a, b = values(pytorch, ids), values(keras, ids)
    for i in ids[:-2]:
        assert np.allclose(a[i], b[i], atol=1e-30), i
    # the gradient has the shape of its weight: the Keras one is the transpose
    assert np.allclose(np.array(a["dL/dW_n"]).reshape(2, 2).T.ravel(), b["dL/dW_n"], atol=1e-30)


def test_per_gate_weights_equal_stacked_ones():
    stacked = {**BASE, "weights": {"input": W_IH, "recurrent": W_HH, "bias": BIAS}}
    per_gate = {**BASE, "gates": {g: {"input": W_IH[2 * k:2 * k + 2], "recurrent": W_HH[2 * k:2 * k + 2],
                                      "bias": BIAS[2 * k:2 * k + 2]} for k, g in enumerate("rzn")}}
    ids = ["h2", "loss", "dL/dW_z", "dL/dh0"]
    assert values(stacked, ids) == values(per_gate, ids)


def test_one_sgd_update_matches_torch_optim():
    problem = {**BASE, "weights": {"input": W_IH, "recurrent": W_HH, "bias": BIAS, "recurrent_bias": [0] * 6},
               "optimizer": {"type": "sgd", "lr": 0.5}}
    gru = torch.nn.GRU(2, 2).double()
    with torch.no_grad():
        for p, v in zip((gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0),
                        (W_IH, W_HH, BIAS, [0] * 6)):
            p.copy_(torch.tensor(v, dtype=torch.float64))
    optim = torch.optim.SGD(gru.parameters(), lr=0.5)
    out, _ = gru(torch.tensor(BASE["x"], dtype=torch.float64).unsqueeze(1),
                 torch.tensor(BASE["h0"], dtype=torch.float64).reshape(1, 1, 2))
    (0.5 * ((out.squeeze(1) - torch.tensor(BASE["target"], dtype=torch.float64)) ** 2).sum()).backward()
    optim.step()
    got = values(problem, ["W_r(1)", "W_z(1)", "W_n(1)"])
    want = gru.weight_ih_l0.detach().numpy()
    for k, g in enumerate("rzn"):
        assert np.allclose(got[f"W_{g}(1)"], want[2 * k:2 * k + 2].ravel(), atol=1e-12), g
