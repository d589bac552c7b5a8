"""One small error hierarchy. Library code raises these; only the CLI turns them into a
message and a non-zero exit (see ``nlp_review.cli.app``)."""

from __future__ import annotations

from pathlib import Path


class NlpReviewError(Exception):
    """Base error: a user-facing ``message`` and an optional ``hint`` saying what to do."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class InputError(NlpReviewError):
    """A user's input file is unreadable or malformed. Names the file and the place."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        record: str | int | None = None,
        hint: str | None = None,
    ) -> None:
        where = []
        if file is not None:
            where.append(str(file))
        if line is not None:
            where.append(f"line {line}")
        if record is not None:
            where.append(f"record {record}")
        full = f"{': '.join([', '.join(where)]) + ': ' if where else ''}{message}"
        super().__init__(full, hint)
        self.file = str(file) if file is not None else None
        self.line = line
        self.record = record
        self.detail = message


class InputErrors(NlpReviewError):
    """Several problems in one input (e.g. every bad line of a pattern file at once)."""

    exit_code = 2

    def __init__(self, errors: list[InputError], hint: str | None = None) -> None:
        self.errors = errors
        text = f"{len(errors)} problem(s):\n" + "\n".join(f"  - {e.message}" for e in errors)
        super().__init__(text, hint)


class ProjectError(NlpReviewError):
    """The project folder is missing, not a project, or in a state the command cannot use."""


class ConfigError(NlpReviewError):
    """A wrong name (preset, model, rule, label...) or option. The message lists valid ones."""

    exit_code = 2


class NotFoundError(NlpReviewError):
    """A record, source or other id that does not exist."""

    exit_code = 2


def unknown_name(kind: str, name: str, valid: list[str] | tuple[str, ...]) -> ConfigError:
    """The error for a name that is not in a registry, listing the valid names."""
    return ConfigError(
        f"unknown {kind} {name!r}", hint=f"valid {kind}s: {', '.join(sorted(valid))}"
    )
