"""One small exception hierarchy. The CLI prints the message (never a traceback).

Exit codes: 2 for bad input (``DataError``, ``ParameterError``), 1 for a failed render
(``RenderError``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One defect in an input file, located as a person sees it in an editor."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.column:
            parts.append(f"column '{self.column}'")
        text = ": ".join(parts) + ": " + self.message
        if self.value is not None:
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            text += f" (got {shown!r}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text


class BriefingError(Exception):
    """Base class of every error the kit reports to a user."""

    exit_code = 1


class DataError(BriefingError):
    """The data directory does not follow the schema. Carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        if len(self.problems) == 1:  # the one problem on the error: line itself
            super().__init__(str(self.problems[0]))
            return
        head = f"{len(self.problems)} problems in the data:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class ParameterError(BriefingError):
    """A parameter is unknown, of the wrong type or out of its allowed set."""

    exit_code = 2


class RenderError(BriefingError):
    """Executing a notebook or exporting a report failed."""

    exit_code = 1
