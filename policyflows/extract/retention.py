"""Retention periods in words or digits → ISO 8601 durations ("three(3) months" → "P3M")."""
from __future__ import annotations

from policyflows.extract.cues import Cues

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60,
            "ninety": 90}
_UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y"}


def parse_retention(text: str, cues: Cues) -> str | None:
    """The first retention period stated in ``text`` as an ISO 8601 duration, or None."""
    m = cues.retention.search(text)
    if not m:
        return None
    raw = m.group("num").lower()
    number = int(raw) if raw.isdigit() else _NUMBERS.get(raw)
    unit = _UNITS.get(m.group("unit").lower().rstrip("s"))
    if not number or not unit:
        return None
    return f"P{number}{unit}"
