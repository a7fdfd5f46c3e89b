"""Architecture analysis from a description alone: shapes, parameters, multiply-accumulates and
receptive fields, computed from shapes without allocating a tensor."""
