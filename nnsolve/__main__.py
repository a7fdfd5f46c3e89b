"""`python -m nnsolve …` is the `nnsolve` command."""
from .cli import main

main()
