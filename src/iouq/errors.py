"""User-facing error types.

Every error raised for bad input derives from :class:`IOUQError`. Its message names the
problem and the fix; the command-line interface prints the message (no traceback) and exits
with status 2.
"""

from __future__ import annotations


class IOUQError(Exception):
    """Base class of all errors caused by user input (tables, options, configuration)."""


class TableError(IOUQError):
    """A table file or table directory is malformed (shape, labels, cells, metadata)."""


class NotProductiveError(IOUQError):
    """The coefficient matrix is not productive: spectral radius of A is 1 or more."""


class HouseholdsMissingError(IOUQError):
    """A Type II (household-closed) quantity was asked for a table without households."""


class BoxNotProductiveError(IOUQError):
    """A tolerance box reaches outside the productive region.

    Attributes
    ----------
    tol : float
        The tolerance that was asked for.
    critical_tol : float
        The tolerance from which productivity can no longer be guaranteed.
    """

    def __init__(self, message: str, tol: float, critical_tol: float) -> None:
        super().__init__(message)
        self.tol = tol
        self.critical_tol = critical_tol


class VerificationError(IOUQError):
    """A rigorous enclosure could not be verified (the matrix is too ill-conditioned)."""
