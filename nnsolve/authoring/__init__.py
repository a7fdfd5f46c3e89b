"""Writing problem files: the JSON Schema editors check them with (`nnsolve schema`), a commented template per
family (`nnsolve new FAMILY`), and the givens lifted from an exam's own LaTeX or Markdown (`--from`)."""
