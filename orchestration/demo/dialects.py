"""How one partner's software writes CSV: the dialects of ``sources/demo/dialects.yaml``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from orchestration.calendar import parse_period

_NBSP = "\u00a0"


@dataclass(frozen=True)
class Dialect:
    """Delimiter, encoding, numbers, headers, periods and dates as one partner writes them."""

    delimiter: str = ";"
    encoding: str = "utf-8-sig"
    decimal_comma: bool = True
    thousands_space: bool = False
    header_style: str = "plain"  # plain: code_commune; spaced: "Code commune"; accented; upper
    period_style: str = "canonical"  # canonical: 2017-03, 2017-T2; french_month; q_quarter
    date_style: str = "french"  # french: 31/03/2017; iso: 2017-03-31
    accented: tuple[tuple[str, str], ...] = ()  # header -> its accented spelling

    def header(self, name: str) -> str:
        if self.header_style == "upper":
            return name.upper()
        if self.header_style == "spaced":
            return name.replace("_", " ").capitalize()
        if self.header_style == "accented":
            return dict(self.accented).get(name, name.replace("_", " ").capitalize())
        return name

    def number(self, value: float, decimals: int = 0) -> str:
        text = f"{value:,.{decimals}f}" if self.thousands_space else f"{value:.{decimals}f}"
        text = text.replace(",", _NBSP)
        return text.replace(".", ",") if self.decimal_comma else text

    def period(self, code: str) -> str:
        """A canonical period code (2017, 2017-T2, 2017-03) in this dialect's spelling."""
        p = parse_period(code)
        if p is None:
            raise ValueError(f"not a period: {code!r}")
        if p.period_type == "month" and self.period_style == "french_month":
            return f"{p.start.month:02d}/{p.year}"
        if p.period_type == "quarter" and self.period_style == "q_quarter":
            return code.replace("-T", "-Q")
        return code

    def date(self, day: date) -> str:
        return day.strftime("%d/%m/%Y") if self.date_style == "french" else day.isoformat()

    def render(self, columns: list[str], rows: list[list[str]]) -> bytes:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n")
        writer.writerow([self.header(c) for c in columns])
        writer.writerows(rows)
        return buffer.getvalue().encode(self.encoding)


def load_dialects(path: Path) -> dict[str, Dialect]:
    """The named dialects of a dialects file, each with the file's accented headers."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    accented = tuple(sorted(spec.get("accented_headers", {}).items()))
    return {name: Dialect(**fields, accented=accented) for name, fields in spec["dialects"].items()}
