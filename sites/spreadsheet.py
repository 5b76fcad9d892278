"""CSV files the product writes for people, who open them in Excel or WPS.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and one
that starts with a tab or a carriage return can become one once the cell is trimmed (OWASP
"CSV Injection"). A page title such as ``=HYPERLINK("http://…","点此")`` or ``=cmd|'/c calc'!A0``
would then run in the reviewer's spreadsheet. Every CSV writer of the product goes through
``writer()`` here, so no export can forget the rule; text so written starts with a ``'``, which the
spreadsheet shows as text and hides, and ``original_cell()`` takes off again for a program that
reads the file back.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def safe_cell(value):
    """``value`` as a cell no spreadsheet takes for a formula.

    Numbers, dates and None are left alone (a number cannot carry a formula, and ``-1`` as an
    int is the number it looks like); text that would start a formula is marked as text.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_MARK + value
    return value


def original_cell(value):
    """The text ``safe_cell`` was given, for importers reading a file the product wrote."""
    if isinstance(value, str) and value.startswith(TEXT_MARK) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class SafeWriter:
    """``csv.writer`` whose rows pass through ``safe_cell``."""

    def __init__(self, out, **fmtparams):
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, **fmtparams):
    """A CSV writer for files people open in a spreadsheet; parameters as for ``csv.writer``."""
    return SafeWriter(out, **fmtparams)
