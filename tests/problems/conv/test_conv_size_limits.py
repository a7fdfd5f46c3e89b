"""conv_network computes on exact numbers, so every tensor it would allocate — the output, the padded
input, the windows' products — is bounded from the shapes alone before anything is allocated: padding
10⁹ on a 5×5 image is a located refusal in a fraction of a second, not a 15 GiB allocation."""
from __future__ import annotations

import time

import pytest

from cli_runner import invoke
from nnsolve.limits import MAX_CONV_ENTRIES, MAX_WINDOW_PRODUCTS

MAX_ENTRIES, WINDOW_PRODUCTS = MAX_CONV_ENTRIES.default, MAX_WINDOW_PRODUCTS.default

SECONDS = 5
IMAGE = """\
problem: conv_network
x: [[1, 2, 0, 1, 2],
    [0, 1, 3, 1, 0],
    [2, 1, 0, 0, 1],
    [1, 0, 1, 2, 1],
    [0, 2, 1, 0, 1]]
layers:
  - {layer}
"""


def refused(tmp_path, text: str) -> str:
    path = tmp_path / "conv.yaml"
    path.write_text(text)
    began = time.perf_counter()
    result = invoke("solve", path)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert time.perf_counter() - began < SECONDS
    return result.stderr


@pytest.mark.parametrize("layer, message", [
    # the output itself is beyond any tensor (the analyzer's bound, before this family's)
    ("conv2d: {kernel: [[1, 0], [0, -1]], padding: 1000000000}",
     "layers[0].conv2d: its output (1, 2000000004, 2000000004) holds 4,000,000,016,000,000,016 values; at most "
     "1,000,000,000,000 in any tensor (raise it with NNSOLVE_MAX_TENSOR_ELEMENTS)"),
    # a small output from a huge padded input: the stride skips it, the padding is still allocated
    ("conv2d: {kernel: [[1, 0], [0, -1]], padding: 1000000000, stride: 1000000000}",
     f"layers[0].conv2d: its padded input (1, 2000000005, 2000000005) holds 4,000,000,020,000,000,025 numbers; "
     f"at most {MAX_ENTRIES:,} are computed exactly (raise it with NNSOLVE_MAX_CONV_ENTRIES) (line 8)"),
    ("conv2d: {kernel: [[1, 0], [0, -1]], dilation: 1000000000, padding: 500000000}",
     "layers[0].conv2d: its padded input (1, 1000000005, 1000000005)"),
    ("max_pool2d: {pool: 100000, padding: 50000}", "layers[0].max_pool2d: its padded input (1, 100005, 100005)"),
    ("avg_pool2d: {pool: 3000, padding: 1500, stride: 3000}", "layers[0].avg_pool2d: its padded input (1, 3005, 3005)"),
    ("conv_transpose2d: {kernel: [[1, 0], [0, 1]], dilation: 1000000, padding: 500000, output_padding: 1}",
     "layers[0].conv_transpose2d: its output before cropping (1, 1000006, 1000006)"),
])
def test_padding_and_windows_beyond_exact_computation_are_refused_before_allocation(tmp_path, layer, message):
    assert message in refused(tmp_path, IMAGE.format(layer=layer))


def test_window_work_is_bounded_even_when_every_tensor_is_small(tmp_path):
    # 200×200 in, a 50×50 window at stride 1: 151² outputs of 2500 reads each, 57 million exact reads
    x = [[(i * 7 + j) % 5 for j in range(200)] for i in range(200)]
    text = f"problem: conv_network\nx: {x}\nlayers:\n  - max_pool2d: {{pool: 50, stride: 1}}\n"
    message = refused(tmp_path, text)
    assert "layers[0].max_pool2d: its windows take 57,002,500 products of exact numbers" in message
    assert f"at most {WINDOW_PRODUCTS:,} are computed (raise it with NNSOLVE_MAX_WINDOW_PRODUCTS) (line 4)" in message
