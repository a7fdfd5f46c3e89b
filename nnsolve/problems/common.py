"""Keys every problem file has, whatever its family."""
from __future__ import annotations

from typing import Any, Optional

from pydantic import Field

from .fields import Model


class Source(Model):
    paper: Optional[str] = None
    question: Optional[str] = None
    lines: Optional[str] = None
    case: Optional[str] = Field(default=None, description="id of the case in the exam-case corpus")
    note: Optional[str] = None


class Common(Model):
    problem: str
    title: str = ""
    source: Optional[Source] = None
    ask: list[str] = Field(default_factory=list, description="groups or quantity ids; empty means everything")
    answers: dict[str, Any] = Field(default_factory=dict, description="a key's or a student's answers by id")
    digits: Optional[int] = Field(default=None, ge=0, le=30, description="decimals shown (default 4)")
