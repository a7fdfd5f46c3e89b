"""`nnsolve serve`: a local web page to write, solve, check, grade and export problems, and the JSON API behind it.

The server never computes: each request's work is one of the CLI's commands, done by the library in a worker
process under a CPU-time limit (pool.py, jobs.py). FastAPI, uvicorn and Jinja2 are imported only by this package,
which only `nnsolve serve` (and the tests) import.
"""
