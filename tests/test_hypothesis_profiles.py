"""The suite's own set-up: property tests are derandomized unless a seed is asked for (tests/conftest.py)."""
from hypothesis import settings


def test_the_ci_profile_draws_the_same_examples_every_run():
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None and ci.deadline is None and ci.print_blob
    assert not ci.suppress_health_check


def test_the_dev_profile_draws_fresh_examples():
    dev = settings.get_profile("dev")
    assert not dev.derandomize and dev.deadline is None and dev.print_blob


def test_the_profile_in_force_follows_the_options(request):
    seeded = request.config.getoption("--hypothesis-seed") is not None
    asked = request.config.getoption("--hypothesis-profile")
    assert settings.get_current_profile_name() == (asked or ("dev" if seeded else "ci"))
