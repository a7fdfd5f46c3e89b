# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install test-install bench clean fuzz

$(BIN)/nnsolve: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

install: $(BIN)/nnsolve

demo: install
	$(BIN)/nnsolve solve examples/demo-two-layer-tanh.yaml
	@echo "In the browser: $(BIN)/nnsolve serve --open   (a local page on http://127.0.0.1:8000/; docs/web.md)"

# a system package for the tests, where the machine allows it: the package lists are fetched first when they are
# missing or stale (a fresh machine), and a failure only means the tests that need it skip, saying so
APT_INSTALL = sh -c 'apt-get install -y -qq "$$@" || { apt-get update -qq && apt-get install -y -qq "$$@"; }' apt

$(VENV)/.test-extras: $(BIN)/nnsolve
	# torch==2.13.0 installs from the machine's local CPU wheel (see README)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	@command -v dot >/dev/null || $(APT_INSTALL) graphviz >/dev/null 2>&1 || \
		echo "graphviz not installed: SVG/PNG picture tests will be skipped"
	@{ test -x /usr/bin/chromium && test -x /usr/bin/chromedriver; } || \
		$(APT_INSTALL) chromium chromium-driver >/dev/null 2>&1 || \
		echo "chromium/chromium-driver not installed: the HTML browser test will be skipped"
	# TeX for the LaTeX compile tests (pdflatex, xelatex, the exam class): about 290 MB, ~50 s to install
	@{ command -v pdflatex && command -v xelatex && kpsewhich exam.cls; } >/dev/null 2>&1 || \
		$(APT_INSTALL) --no-install-recommends texlive-latex-base texlive-latex-extra texlive-xetex \
			lmodern >/dev/null 2>&1 || \
		echo "TeX not installed: the LaTeX compile tests will be skipped"
	@touch $@

# Derandomized Hypothesis (profile `ci`, tests/conftest.py) unless a seed is given:
# `make test HYPOTHESIS_SEED=7` (or HYPOTHESIS_SEED=7 in the environment) draws fresh examples from seed 7.
# The tests run on every core (pytest-xdist); TEST_WORKERS=0 runs them in one process.
HYPOTHESIS_SEED ?=
TEST_WORKERS ?= auto

test: $(VENV)/.test-extras
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(if $(HYPOTHESIS_SEED),--hypothesis-seed=$(HYPOTHESIS_SEED))

# Mutation fuzzing over examples/ (tests/fuzz): N mutants (default 2000) from SEED (default 0), each through
# solve/check/summary in-process; prints the counts by exit code and each failure with the line that reproduces
# it (`make fuzz SEED=1 ONLY=1234` runs mutant 1234 alone); exits non-zero on any failure.
N ?= 2000
SEED ?= 0
ONLY ?=

fuzz: install
	$(BIN)/python tests/fuzz/run.py --count $(N) --seed $(SEED) $(if $(ONLY),--only $(ONLY))

bench: install
	$(BIN)/python benchmarks/bench_core.py

clean:
	rm -rf $(VENV) build *.egg-info
