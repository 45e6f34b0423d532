"""Money amounts in words: what a figure's wording allows ("about $9bn", "nearly $9.5bn", "no
figure given"), spans and ranges of several, a ratio, and whose figure a label says it is.

Only the words: which figures are compared with which is :mod:`briefing.analysis.money`'s.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ..schema import C

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


#: The steps an amount is written in, smallest first: a figure takes the largest it reaches.
_STEPS = ((1.0, ""), (1e3, "k"), (1e6, "m"), (1e9, "bn"), (1e12, "tn"))


def format_amount(value: float | None, currency: str = "USD") -> str:
    """``31000000, 'USD'`` -> ``$31m``; ``1.2e9`` -> ``$1.2bn``; ``7.12e9`` -> ``$7.12bn``.
    Three significant figures; a figure that rounds up to a thousand of its step is written
    in the next (``999.6e9`` -> ``$1tn``, never ``$1e+03bn``); past the largest step, whole
    trillions (``1e15`` -> ``$1,000tn``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    prefix = _SYMBOLS.get(currency, f"{currency} ") if currency else ""
    at = max((i for i, (size, _) in enumerate(_STEPS) if abs(value) >= size), default=0)
    for size, suffix in _STEPS[at:]:
        figure = f"{value:,.0f}" if size == 1.0 else f"{value / size:.3g}"
        if abs(float(figure.replace(",", ""))) < 1000:
            return f"{prefix}{figure}{suffix}"
    return f"{prefix}{value / _STEPS[-1][0]:,.0f}{_STEPS[-1][1]}"


#: Words before an approximate amount that make it a ceiling ("nearly $9.5bn" is less than
#: $9.5bn): kept as the source says them, never turned into "about".
CEILING_WORDS = ("nearly", "almost", "just under", "close to", "up to")


def hedge(as_stated=None) -> str:
    """The word an approximate amount is given with: its source's own ceiling word
    ("nearly $9.5bn" -> "nearly"), else "about"."""
    words = " ".join(str(as_stated or "").lower().split())
    return next((w for w in CEILING_WORDS if words.startswith(w + " ")), "about")


#: Words before a floor, kept as the source says them ("at least €1.5bn" may be €1.5bn
#: itself; "more than $1.2bn" is not): the longest first, so "no less than" is not "less".
FLOOR_WORDS = ("no less than", "not less than", "a minimum of", "in excess of", "upwards of",
               "upward of", "at least", "more than", "over", "above")

#: A floor word where it stands before an amount, anywhere in the words ("aid of more than
#: $1bn"): the word, then a token with a figure in it ("$1bn", "US$1.2", "1.5").
_FLOOR_BEFORE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in FLOOR_WORDS)
                           + r")\s+(?=\S*\d)")

#: The word for a floor whose source gives no word before its amount: "at least" is true
#: of either kind of floor ("more than X" is also at least X), "more than" only of one;
#: and it is what a floor word after the amount means ("$3bn or more", "$3bn or above",
#: "$3bn and above", "$3bn+").
FLOOR_DEFAULT = "at least"


def floor_word(as_stated=None) -> str:
    """The word a floor is given with: its source's own, before the amount ("at least
    €1.5bn" -> "at least", "aid of over $1bn" -> "over"); else "at least" (a floor given
    after the amount, "$3bn or more", is inclusive; of words it cannot read, "at least" is
    true either way, where "more than" may say what the source did not)."""
    words = " ".join(str(as_stated or "").lower().split())
    found = _FLOOR_BEFORE.search(words)
    return found.group(1) if found else FLOOR_DEFAULT


#: Vague words and the step above the least they mean: "tens of millions" stay under a
#: hundred million, "hundreds of millions" and "millions" under a thousand million.
_ORDERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_VAGUE = re.compile(r"\b(?:(tens|hundreds)\s+of\s+)?(thousand|million|billion|trillion)s\b")


#: The highest top vague words are read up to: "tens of trillions" stay under a hundred
#: trillion; "trillions" and "hundreds of trillions" have no next order a reader would
#: know (a thousand trillion), so they are read as open-ended, like a floor.
VAGUE_TOP_MAX = 1e14


def vague_top(low, as_stated=None) -> float | None:
    """The amount vague words stay below, where the data gives no top: "billions" under a
    trillion, "tens of millions" under a hundred million, "hundreds of millions" under a
    billion; words it cannot read, under the next thousandfold step above ``low`` (the
    next of thousand, million, billion, trillion). None without a ``low``, and None (no
    top: open-ended) past VAGUE_TOP_MAX ("trillions")."""
    if low is None or pd.isna(low) or float(low) <= 0:
        return None
    found = _VAGUE.search(" ".join(str(as_stated or "").lower().split()))
    top = None
    if found:
        unit = _ORDERS[found.group(2)]
        top = unit * (100 if found.group(1) == "tens" else 1000)
    if top is None or top <= float(low):
        top = 1000.0 ** (math.floor(math.log(float(low), 1000) + 1e-9) + 1)
    return top if top <= VAGUE_TOP_MAX else None


def amount_text(low, high, precision: str, currency: str = "USD",
                as_stated: str | None = None) -> str:
    """What the wording allows, honestly: never a point value for a vague amount; an
    approximate amount with its source's ceiling word where it has one ("nearly $9.5bn"),
    else "about"; a floor with its source's word ("at least €1.5bn", "over $1bn"), else
    "at least" (:func:`floor_word`); vague words read up to the next order they do not
    reach ("billions": "$2bn to under $1tn"), or with no such order ("trillions"), as
    open-ended ("$2tn or more")."""
    lo, hi = format_amount(low, currency), format_amount(high, currency)
    said = as_stated if isinstance(as_stated, str) else None
    if precision == "not_stated" or (not lo and not hi):
        return "amount not stated"
    if precision == "exact":
        return lo
    if precision == "approximate":
        word = hedge(said)
        return f"{word} {lo}" if not hi or hi == lo else f"{word} {lo}–{hi}"
    if precision == "lower_bound":
        return f"{floor_word(said)} {lo}" + (f" (up to {hi})" if hi else "")
    if precision == "order_of_magnitude":
        # vague words name no figure; the range is only how they are read
        if hi:
            return f"no figure given (read as {lo}–{hi})"
        top = format_amount(vague_top(low, said), currency)
        return f"no figure given (read as {lo} to under {top})" if top else \
            f"no figure given (read as {lo} or more)"
    return lo if lo == hi or not hi else f"{lo}–{hi}"


def best_value(row) -> float | None:
    """A single value for comparisons, only where the wording gives one (exact,
    approximate, or the floor of a lower bound). Vague and unstated amounts give None."""
    if row[C.PRECISION] in ("exact", "approximate", "lower_bound"):
        low = row[C.LOW]
        return None if low is None or pd.isna(low) else float(low)
    return None


#: How a label names whose figure it is: "Central bank's reserves, per Ajmal Ahmady".
#: "…, per the IMF", "…, per SIGAR": a name (a capital, or "the"), not "per capita"
_PER = re.compile(r",\s+per\s+((?:the\s+|[A-Z]).*)$")


def per(label) -> str:
    """Whose figure a label says it is: "Gross reserves, per the IMF" -> "the IMF"; ''
    when it names no one."""
    found = _PER.search(str(label).strip())
    return found.group(1).strip() if found else ""


def share(ratio: float) -> str:
    """A ratio in words: 0.051 -> '5.1%'; 0.0033 -> '0.33%'; 0.996 -> '100%' (never
    '1e+02%'); 15.7 -> '16 times'. After "equals ... of the" below one, "is ... the" from
    one up ("is 1.7 times the $606m appeal")."""
    if ratio >= 1:
        return f"{ratio:.2g} times" if ratio < 10 else f"{round(ratio):d} times"
    pct = ratio * 100
    if pct < 0.01:
        return "less than 0.01%"
    text = f"{pct:.2g}"
    return (f"{pct:.0f}" if "e" in text else text) + "%"


def _word(row: dict) -> str:
    """The word before an amount in a span: its ceiling word or "about" when approximate."""
    return hedge(row.get(C.AS_STATED)) if row[C.PRECISION] == "approximate" else ""


def _span(rows: list[dict]) -> tuple[str, str, str, str] | None:
    """(word, lowest, word, highest) of two or more single amounts in one currency: "about"
    once before the span when any is approximate ("about ", "$9bn", "", "$9.5bn"); when any
    is given with a ceiling word ("nearly"), each end with its own word ("", "$9bn",
    "nearly ", "$9.5bn"). None for fewer than two, for several currencies or when any is a
    floor or vague."""
    if len(rows) < 2 or len({r[C.CURRENCY] for r in rows}) > 1 or any(
            r[C.PRECISION] not in ("exact", "approximate") for r in rows):
        return None
    values = [best_value(r) for r in rows]
    if any(v is None for v in values):
        return None
    currency = rows[0][C.CURRENCY]
    low = min(range(len(rows)), key=lambda i: (values[i], _word(rows[i]) != ""))
    high = max(range(len(rows)), key=lambda i: (values[i], _word(rows[i]) != ""))
    words = {_word(r) for r in rows} - {""}
    if words - {"about"} and values[low] != values[high]:
        def said(i):
            return _word(rows[i]) + " " if _word(rows[i]) else ""
        return (said(low), format_amount(values[low], currency), said(high),
                format_amount(values[high], currency))
    word = next(iter(words)) if len(words) == 1 and (words == {"about"} or all(
        _word(r) for r in rows)) else "about" if words else ""
    return (word + " " if word else ""), format_amount(values[low], currency), "", \
        format_amount(values[high], currency)


def span_text(rows: list[dict]) -> str:
    """The span of two or more single amounts in one currency, as their words allow:
    "about $9bn–$9.5bn" ("about" when any is approximate), "$9bn to nearly $9.5bn" (a
    source's ceiling word kept at its end); '' for fewer than two, for several currencies
    or when any is a floor or vague."""
    span = _span(rows)
    if span is None:
        return ""
    low_word, low, high_word, high = span
    if high_word:
        return f"{low_word}{low} to {high_word}{high}"
    return low_word + (low if low == high else f"{low}–{high}")


def range_text(rows: list[dict]) -> str:
    """The amounts of figures that each state one (smallest first), in words: the amount of
    one; "each about $31m" when all come to the same; else the two ends, each in its own
    words: "from about $31m to more than $1.2bn" ('' for none)."""
    if len(rows) < 2:
        return rows[0]["amount"] if rows else ""
    span = _span(rows)
    if span is not None and span[1] == span[3]:
        return f"each {span[0]}{span[1]}"
    return f"from {rows[0]['amount']} to {rows[-1]['amount']}"
