"""Relative date literals (TODAY, LAST_N_DAYS:n, ...) as half-open date ranges, and SOQL date
functions as SQLite expressions. Weeks start on Sunday; the fiscal year is the calendar year."""

from __future__ import annotations

from datetime import date, timedelta

_UNITS = {
    "DAY": "day",
    "DAYS": "day",
    "WEEK": "week",
    "WEEKS": "week",
    "MONTH": "month",
    "MONTHS": "month",
    "QUARTER": "quarter",
    "QUARTERS": "quarter",
    "YEAR": "year",
    "YEARS": "year",
    "FISCAL_QUARTER": "quarter",
    "FISCAL_QUARTERS": "quarter",
    "FISCAL_YEAR": "year",
    "FISCAL_YEARS": "year",
}

FIXED_LITERALS = frozenset(
    {"YESTERDAY", "TODAY", "TOMORROW", "LAST_90_DAYS", "NEXT_90_DAYS"}
    | {
        f"{when}_{unit}"
        for when in ("LAST", "THIS", "NEXT")
        for unit in ("WEEK", "MONTH", "QUARTER", "YEAR", "FISCAL_QUARTER", "FISCAL_YEAR")
    }
)
N_LITERALS = frozenset(
    {
        f"{when}_N_{unit}"
        for when in ("LAST", "NEXT")
        for unit in ("DAYS", "WEEKS", "MONTHS", "QUARTERS", "YEARS", "FISCAL_QUARTERS", "FISCAL_YEARS")
    }
    | {
        "N_DAYS_AGO",
        "N_WEEKS_AGO",
        "N_MONTHS_AGO",
        "N_QUARTERS_AGO",
        "N_YEARS_AGO",
        "N_FISCAL_QUARTERS_AGO",
        "N_FISCAL_YEARS_AGO",
    }
)


def _start_of(unit: str, day: date) -> date:
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=(day.weekday() + 1) % 7)
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _shift(unit: str, start: date, n: int) -> date:
    """The start of the unit ``n`` units after the one starting at ``start``."""
    if unit == "day":
        return start + timedelta(days=n)
    if unit == "week":
        return start + timedelta(weeks=n)
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * n
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def literal_range(name: str, n: int | None, today: date) -> tuple[date, date]:
    """``[start, end)`` covered by a relative date literal; raises KeyError if unknown."""
    if name == "TODAY":
        return today, today + timedelta(days=1)
    if name == "YESTERDAY":
        return today - timedelta(days=1), today
    if name == "TOMORROW":
        return today + timedelta(days=1), today + timedelta(days=2)
    if name == "LAST_90_DAYS":
        return today - timedelta(days=90), today + timedelta(days=1)
    if name == "NEXT_90_DAYS":
        return today + timedelta(days=1), today + timedelta(days=91)
    when, _, unit_name = name.partition("_")
    if n is None and name in FIXED_LITERALS:
        unit = _UNITS[unit_name]
        current = _start_of(unit, today)
        offset = {"LAST": -1, "THIS": 0, "NEXT": 1}[when]
        return _shift(unit, current, offset), _shift(unit, current, offset + 1)
    if n is None or name not in N_LITERALS:
        raise KeyError(name)
    if name.startswith("N_") and name.endswith("_AGO"):
        unit = _UNITS[name[2:-4]]
        current = _start_of(unit, today)
        return _shift(unit, current, -n), _shift(unit, current, -n + 1)
    unit = _UNITS[name.split("_N_", 1)[1]]
    if when == "LAST":
        if unit == "day":  # LAST_N_DAYS:n runs from n days ago through the end of today
            return today - timedelta(days=n), today + timedelta(days=1)
        current = _start_of(unit, today)
        return _shift(unit, current, -n), current
    if unit == "day":
        return today + timedelta(days=1), today + timedelta(days=n + 1)
    current = _start_of(unit, today)
    return _shift(unit, current, 1), _shift(unit, current, n + 1)


def needs_n(name: str) -> bool:
    return name in N_LITERALS


def is_date_literal(name: str) -> bool:
    return name in FIXED_LITERALS or name in N_LITERALS


# SOQL date function -> SQLite expression template over "{x}" (a date or 'YYYY-MM-DD HH:MM:SS').
DATE_FUNCTIONS = {
    "CALENDAR_YEAR": "CAST(strftime('%Y', {x}) AS INTEGER)",
    "CALENDAR_MONTH": "CAST(strftime('%m', {x}) AS INTEGER)",
    "CALENDAR_QUARTER": "((CAST(strftime('%m', {x}) AS INTEGER) + 2) / 3)",
    "FISCAL_YEAR": "CAST(strftime('%Y', {x}) AS INTEGER)",
    "FISCAL_MONTH": "CAST(strftime('%m', {x}) AS INTEGER)",
    "FISCAL_QUARTER": "((CAST(strftime('%m', {x}) AS INTEGER) + 2) / 3)",
    "DAY_IN_MONTH": "CAST(strftime('%d', {x}) AS INTEGER)",
    "DAY_IN_WEEK": "(CAST(strftime('%w', {x}) AS INTEGER) + 1)",
    "DAY_IN_YEAR": "CAST(strftime('%j', {x}) AS INTEGER)",
    "WEEK_IN_MONTH": "((CAST(strftime('%d', {x}) AS INTEGER) - 1) / 7 + 1)",
    "WEEK_IN_YEAR": "((CAST(strftime('%j', {x}) AS INTEGER) - 1) / 7 + 1)",
    "HOUR_IN_DAY": "CAST(strftime('%H', {x}) AS INTEGER)",
    "DAY_ONLY": "date({x})",
}
DATETIME_ONLY_FUNCTIONS = frozenset({"HOUR_IN_DAY", "DAY_ONLY"})
