import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Hypothesis profiles. `ci` is loaded here, so every run is derandomized unless asked otherwise: each test
# draws the same examples on every run (its seed comes from the test's own code), and a submission cannot
# fail by chance. `dev` draws fresh examples: `--hypothesis-seed=n` (what `make test HYPOTHESIS_SEED=n`
# passes) switches to it, or `--hypothesis-profile=dev` for a random seed. No health check is suppressed
# here: the few slow tests say so in their own @settings. Both profiles start from Hypothesis's defaults,
# not from the built-in `ci` profile it loads by itself when the CI variable is set.
_DEFAULTS = settings.get_profile("default")
settings.register_profile("ci", _DEFAULTS, derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", _DEFAULTS, deadline=None, print_blob=True)
settings.load_profile("ci")


def pytest_configure(config):
    # a seed means "draw fresh examples from this seed", which the derandomized profile would ignore
    if config.getoption("--hypothesis-seed") is not None and not config.getoption("--hypothesis-profile"):
        settings.load_profile("dev")


def pytest_runtest_setup(item):
    _torch_on_one_thread()


def _torch_on_one_thread():
    """PyTorch (the oracle of many tests, imported by them) runs on one thread in the tests. Its intra-op
    thread pool spins while it waits; with the tests on every core (pytest-xdist) and other work on the
    machine, a tiny float64 convolution then took ~6 ms of CPU instead of ~6 µs. The tests' tensors are
    small, so one thread loses nothing, and results do not depend on how a pool split a reduction."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES
