"""Randomised variants of a problem: the `variants:` block (schema), drawing the givens, the constraints every
accepted variant satisfies, the files written with their keys, and the stress report. `nnsolve vary` and
`nnsolve.vary` call `generate.vary`; nothing here loads until they do (the schema loads with every problem file)."""
