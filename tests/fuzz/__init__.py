"""A seeded mutation fuzzer over examples/: see tests/fuzz/mutations.py (the mutants), inprocess.py (the
guarded in-process run), campaign.py (runs and tallies), run.py (`make fuzz`) and test_fuzz.py (the CI run)."""
