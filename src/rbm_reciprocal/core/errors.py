"""Exceptions with messages meant for the user of the workflow (no deep tracebacks)."""

from __future__ import annotations


class RBMError(Exception):
    """Base class of every error this package raises on purpose."""


class DataError(RBMError):
    """Input data is missing, truncated, corrupted or of the wrong kind."""


class DownloadError(DataError):
    """A file could not be obtained from any configured source."""


class ConfigError(RBMError):
    """A configuration value is invalid or inconsistent."""


class DivergenceError(RBMError):
    """Training produced non-finite parameters."""
