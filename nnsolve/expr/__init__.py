"""A small, safe expression language for exam formulas (`relu(a*x + b*y + c)`): our own tokenizer and
recursive-descent parser into a plain tree; user text is never evaluated by Python."""
from .parser import (FUNCTIONS, Call, ExprError, Name, Num, Op, constant_value, is_name, name_issues, names_in,
                     parse, parse_declared)

__all__ = ["parse", "ExprError", "Num", "Name", "Op", "Call", "FUNCTIONS", "constant_value", "is_name", "name_issues", "names_in",
           "parse_declared"]
