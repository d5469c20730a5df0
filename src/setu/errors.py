"""Typed errors. Each message is written for the person using Setu; only the
CLI and the web app turn them into output."""

from __future__ import annotations


class SetuError(Exception):
    """Base class: ``str(error)`` is a complete message for the user."""


class SourceError(SetuError):
    """A source file that cannot be indexed, and why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMissing(SetuError):
    """There is no index to answer from yet."""


class IndexMismatch(SetuError):
    """The index was built with other settings (model, chunking, format)."""


class IndexBusy(SetuError):
    """Another process holds the index lock."""


class ConfigError(SetuError):
    """A setting that makes no sense."""


class InputError(SetuError):
    """Input to a command that cannot be used (e.g. malformed JSON)."""
