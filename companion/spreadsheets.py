"""Cells for CSV downloads that a spreadsheet shows as text and never runs as a formula."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value) -> str:
    """A value as CSV text; one that a spreadsheet would take for a formula gets a leading apostrophe.

    Leading spaces are looked through, since some spreadsheets skip them before reading ``=``; the
    full-width signs are there because some spreadsheets read them as the ASCII ones.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(" ")[:1] in FORMULA_STARTS and text.lstrip(" ") else text
