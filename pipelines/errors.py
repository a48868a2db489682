"""Errors that name the exact place in a raw file where the input went wrong."""
from __future__ import annotations


class RawDataError(Exception):
    """Bad input in a raw file: names file, sheet, row and column.

    ``row`` is the 1-based row a person sees when opening the file (spreadsheet row, or CSV line
    number with the header as line 1).
    """

    def __init__(self, file, message, *, sheet=None, row=None, column=None):
        self.file, self.message = str(file), message
        self.sheet, self.row, self.column = sheet, row, column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [f"sheet '{self.sheet}'" if self.sheet else None,
                 f"row {self.row}" if self.row is not None else None,
                 f"column '{self.column}'" if self.column else None]
        where = ", ".join(w for w in where if w)
        return f"{self.file}: {where + ': ' if where else ''}{self.message}"


class BuildError(Exception):
    """A build step failed for a reason that is not one raw cell (e.g. a whole source missing)."""
