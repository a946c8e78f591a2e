"""A problem found while reading or validating results, with the YAML path it belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    #: "error": the Hub would reject it or evalcard cannot use it; "warning": accepted but probably not meant
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "severity": self.severity}


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


@dataclass
class Row:
    """One result as a card or file holds it, usable or not, with the problems found reading it: what ``show``
    lists. ``usable`` is False for results readers leave out (a value that is not a number, no dataset, no metric
    type); their fields are filled in as far as they can be read."""

    result: Any
    #: YAML path of the result's metric (``model-index[0].results[2].metrics[0]``) or entry
    path: str
    problems: list[Problem] = field(default_factory=list)
    usable: bool = True

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
