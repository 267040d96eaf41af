"""The generic table export: formula-safe text, typed numbers, money in major units."""

import csv
import io
from datetime import date

from openpyxl import load_workbook

from chorus.analytics.exports import (
    DATE,
    DECIMAL,
    INTEGER,
    MONEY,
    PERCENT,
    Column,
    Table,
    table_csv,
    table_xlsx,
)


def _table(currency="USD") -> Table:
    columns = [Column("Name"), Column("Day", DATE), Column("Count", INTEGER), Column("Share", PERCENT, 1),
               Column("Score", DECIMAL), Column("Amount", MONEY)]
    rows = [["=1+1", date(2026, 11, 2), -3, 12.345, None, -1250], ["+49 30 1234", None, 0, None, 1.005, 0],
            ["-minus", date(2026, 11, 3), 7, 100, 2, 99], ["@SUM(A1)", None, 1, 0, 0, 1], ["\tTab", None, 1, 0, 0, 1],
            ["plain, with comma", None, 1, 0, 0, 1]]
    return Table("test", "Test [sheet]: one", columns, rows, currency)


def test_csv_escapes_formula_text_but_not_numbers():
    text = "".join(table_csv(_table()))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [["Name", "Day", "Count", "Share", "Score", "Amount (USD)"],
                    ["'=1+1", "2026-11-02", "-3", "12.3", "", "-12.50"],
                    ["'+49 30 1234", "", "0", "", "1.00", "0.00"],
                    ["'-minus", "2026-11-03", "7", "100.0", "2.00", "0.99"],
                    ["'@SUM(A1)", "", "1", "0.0", "0.00", "0.01"],
                    ["'\tTab", "", "1", "0.0", "0.00", "0.01"],
                    ["plain, with comma", "", "1", "0.0", "0.00", "0.01"]]


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers():
    sheet = load_workbook(io.BytesIO(table_xlsx(_table("JPY")))).active
    assert sheet.title == "Test sheet one"
    assert [cell.value for cell in sheet[1]] == ["Name", "Day", "Count", "Share", "Score", "Amount (JPY)"]
    first = sheet[2]
    assert [cell.value for cell in first][0] == "'=1+1" and first[0].data_type == "s"
    assert first[1].value.date() == date(2026, 11, 2) and first[1].number_format == "yyyy-mm-dd"
    assert (first[2].value, first[3].value, first[4].value, first[5].value) == (-3, 12.3, None, -1250)
    assert first[5].number_format == "#,##0"  # yen have no minor unit
    assert [row[0].value for row in sheet.iter_rows(min_row=3)] == ["'+49 30 1234", "'-minus", "'@SUM(A1)", "'\tTab",
                                                                   "plain, with comma"]
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
