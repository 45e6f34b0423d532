"""Every amount of money an article states, honest about its precision.

"$31m" is exact (low = high); "more than $2bn" a lower bound (high empty); "about €5m"
approximate; "billions of dollars" an order of magnitude from 2bn up (high empty: the
wording sets no ceiling), "tens of millions of euros" 10m to 100m, "several billion" 3bn to
9bn. A sentence that speaks of money without an amount ("Afghanistan's assets", "the cost of
rebuilding …") gives a ``not_stated`` row; a negated word ("This is not aid") speaks of
none. Amounts are exact decimals (``Decimal``), so "$30.96m" is 30960000, never
30959999.999.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..schema import MONEY_KINDS, PRECISIONS

SYMBOLS = {"US$": "USD", "A$": "AUD", "C$": "CAD", "HK$": "HKD", "NZ$": "NZD", "S$": "SGD",
           "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB"}
WORDS = {"dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
         "pound": "GBP", "sterling": "GBP", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY",
         "rupees": "INR", "rupee": "INR", "roubles": "RUB", "rubles": "RUB", "rouble": "RUB",
         "francs": "CHF", "kroner": "DKK", "krone": "DKK", "kronor": "SEK", "dirhams": "AED",
         "riyals": "SAR", "lira": "TRY", "rand": "ZAR", "naira": "NGN", "shillings": "KES",
         "afghanis": "AFN", "rials": "IRR", "tenge": "KZT", "somoni": "TJS", "hryvnias": "UAH",
         "zloty": "PLN", "baht": "THB", "ringgit": "MYR", "rupiah": "IDR", "meticais": "MZN",
         "reais": "BRL", "pesos": "MXN", "kwacha": "MWK", "dinars": "IQD", "won": "KRW",
         "lari": "GEL", "manat": "AZN", "soms": "KGS", "birr": "ETB", "cedis": "GHS"}
# Words several states use for their currency: the state named nearest before the amount
# decides ("Malawi … 3 billion kwacha" is MWK); the guess is flagged for review.
LOCAL = {"kwacha": {"MWI": "MWK", "ZMB": "ZMW"},
         "rupees": {"IND": "INR", "PAK": "PKR", "LKA": "LKR", "NPL": "NPR"},
         "shillings": {"KEN": "KES", "UGA": "UGX", "TZA": "TZS", "SOM": "SOS"},
         "francs": {"CHE": "CHF", "SEN": "XOF", "MLI": "XOF", "CIV": "XOF", "CMR": "XAF"},
         "riyals": {"SAU": "SAR", "QAT": "QAR", "YEM": "YER"},
         "dinars": {"IRQ": "IQD", "JOR": "JOD", "KWT": "KWD", "LBY": "LYD", "TUN": "TND",
                    "DZA": "DZD", "SRB": "RSD", "BHR": "BHD"},
         "pesos": {"MEX": "MXN", "ARG": "ARS", "COL": "COP", "CHL": "CLP", "PHL": "PHP"},
         "kroner": {"DNK": "DKK", "NOR": "NOK"}, "manat": {"AZE": "AZN", "TKM": "TMT"}}
SHARED_WORDS = frozenset({"dollars", "dollar", "¥", "rupee", "krone", "rials", *LOCAL})
SCALES = {"k": 10**3, "thousand": 10**3, "m": 10**6, "mn": 10**6, "million": 10**6,
          "bn": 10**9, "billion": 10**9, "tn": 10**12, "trillion": 10**12}
_VAGUE_SCALE = {"thousands": 10**3, "millions": 10**6, "billions": 10**9,
                "trillions": 10**12}
LOWER = r"more than|over|at least|upwards of|in excess of|above"
ABOUT = (r"about|around|roughly|some|approximately|nearly|almost|close to|an estimated|"
         r"estimated|up to|as much as|less than|under|just under|just over")
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:tn|trillion|bn|billion|mn|million|m|k|thousand)"
_SYMBOL = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_WORD = "|".join(sorted(WORDS, key=len, reverse=True))
_MOD = rf"(?:(?P<mod>{LOWER}|{ABOUT})\s+)?"
_AMOUNT = re.compile(
    rf"{_MOD}(?:"
    rf"(?P<sym>{_SYMBOL})\s?(?P<n1>{_NUM})\s?(?P<s1>{_SCALE})?(?:\s?(?:-|–|to)\s?(?:{_SYMBOL})?"
    rf"(?P<n1b>{_NUM})\s?(?P<s1b>{_SCALE})?)?(?![\w])"
    rf"|(?P<code>[A-Z]{{3}})\s?(?P<n2>{_NUM})\s?(?P<s2>{_SCALE})?(?![\w])"
    rf"|(?P<n3>{_NUM})\s?(?P<s3>{_SCALE})?\s(?:of\s)?(?P<cur>{_WORD}|[A-Z]{{3}})(?![\w])"
    rf"|(?P<vague>(?:(?P<tens>tens|hundreds)\s+of\s+)?(?P<many>thousands|millions|billions|"
    rf"trillions)\s+of\s+(?P<vcur>{_WORD}))"
    rf"|(?P<few>several|a few|a couple of)\s+(?P<fscale>million|billion|trillion)\s+"
    rf"(?:of\s+)?(?P<fcur>{_WORD})(?![\w])"
    rf")")
_MONEY_WORDS = re.compile(
    r"(?<![\w’'-])(?:(?:the|its|their|his|her|[A-Z][\w’'-]*[’']s)\s+)?(?:[a-z-]+\s+)?"
    r"\b(?P<word>assets|funds|funding|money|cash|aid|loans?|debts?|budget|treasury|"
    r"investments?|grants?|financing|costs?|payments?|compensation|subsid(?:y|ies)|"
    r"donations?)\b(?:\s+of\s+[\w-]+(?:\s+[\w-]+){0,3})?")
_NEGATED = re.compile(r"\b(?:not|no|never|nor|neither)\s+(?:\w+\s+)?$")
KIND_CUES = (("aid", r"\baid\b|relief|reconstruction|assistance|humanitarian|donat|grant"),
             ("equipment", r"\barms\b|weapon|equipment|hardware|tanks|jets"),
             ("assets", r"asset|reserves|frozen|holdings|treasury"),
             ("pledges", r"pledg\w* at|donors pledged|pledging conference"),
             ("appeal", r"\bappeal"), ("spending", r"\bspent\b|spending|budget"))


@dataclass
class Amount:
    start: int
    end: int
    as_stated: str
    precision: str
    low: Decimal | None
    high: Decimal | None
    currency: str
    notes: list[str] = field(default_factory=list)
    kind: str = "other"


def _number(text: str, scale: str | None) -> Decimal:
    return Decimal(text.replace(",", "")) * SCALES.get((scale or "").lower(), 1)


def _currency_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def _precision(*wanted: str) -> str:
    return next((p for p in wanted if p in PRECISIONS), "approximate")


def _read(match: re.Match, codes: frozenset[str]) -> Amount | None:
    g = match.groupdict()
    notes: list[str] = []
    low = high = None
    if g["sym"]:
        currency = SYMBOLS[g["sym"]]
        low = _number(g["n1"], g["s1"] or g["s1b"])
        high = _number(g["n1b"], g["s1b"]) if g["n1b"] else low
        marker = g["sym"]
    elif g["code"]:
        if g["code"] not in codes:
            return None
        currency, marker = g["code"], g["code"]
        low = high = _number(g["n2"], g["s2"])
    elif g["n3"]:
        marker = g["cur"]
        currency = WORDS.get(marker.lower()) or (marker if marker in codes else "")
        if not currency:
            return None
        low = high = _number(g["n3"], g["s3"])
    elif g["vague"]:
        marker = g["vcur"]
        currency = WORDS[marker.lower()]
        unit = _VAGUE_SCALE[g["many"]]
        if g["tens"]:
            factor = 10 if g["tens"] == "tens" else 100
            low, high = Decimal(factor * unit), Decimal(factor * 10 * unit)
        else:
            low = Decimal(2 * unit)  # "billions": at least two, no ceiling
        return Amount(match.start(), match.end(), match.group(0),
                      _precision("order_of_magnitude"), low, high, currency,
                      ["a vague magnitude: check the range"])
    else:
        marker = g["fcur"]
        currency = WORDS[marker.lower()]
        unit = SCALES[g["fscale"]]
        low, high = (Decimal(3 * unit), Decimal(9 * unit)) if g["few"] == "several" else (
            Decimal(2 * unit), Decimal(5 * unit))
        return Amount(match.start(), match.end(), match.group(0),
                      _precision("order_of_magnitude"), low, high, currency,
                      ["a vague magnitude: check the range"])
    if marker.lower() in SHARED_WORDS:
        notes.append(f"'{marker}' read as {currency}")
    modifier = (g["mod"] or "").lower()
    if re.fullmatch(LOWER, modifier):
        precision, high = _precision("lower_bound"), None
    elif modifier or low != high:
        precision = _precision("approximate")
        if modifier in ("up to", "as much as", "less than", "under", "just under"):
            notes.append(f"'{modifier}': the figure is a ceiling, entered as the amount")
    else:
        precision = _precision("exact")
    return Amount(match.start(), match.end(), match.group(0), precision, low, high,
                  currency, notes)


def find_amounts(text: str, states: list[tuple[int, str]]) -> list[Amount]:
    """Every amount in ``text``; ``states`` are (offset, ISO code) of the states named, in
    order, for currencies that depend on the state ("kwacha")."""
    codes = _currency_codes()
    found = []
    for match in _AMOUNT.finditer(text):
        amount = _read(match, codes)
        word = (match.group("cur") or match.group("vcur") or match.group("fcur") or "").lower()
        if amount is not None and word in LOCAL:
            paragraph = max(text.rfind("\n", 0, match.start()), match.start() - 1000)
            near = [code for at, code in states[bisect.bisect_right(states, (paragraph,)):
                                                bisect.bisect_left(states, (match.start(),))]
                    if code in LOCAL[word]]
            if near:
                amount.currency = LOCAL[word][near[-1]]
                amount.notes = [f"'{word}' read as {amount.currency} (the state named "
                                "before it)"]
        if amount is not None:
            amount.kind = money_kind(text[max(0, match.start() - 150):match.end() + 80])
            found.append(amount)
    return found


def money_kind(context: str) -> str:
    lowered = context.lower()
    for kind, cue in KIND_CUES:
        if kind in MONEY_KINDS and re.search(cue, lowered):
            return kind
    return "other" if "other" in MONEY_KINDS else next(iter(MONEY_KINDS))


def find_unstated(text: str, sentences: list[tuple[int, int]], amounts: list[Amount],
                  currency: str) -> list[Amount]:
    """One ``not_stated`` row per sentence that speaks of money but gives no amount."""
    out = []
    starts = sorted(a.start for a in amounts)
    for start, end in sentences:
        if bisect.bisect_left(starts, start) < bisect.bisect_left(starts, end):
            continue  # the sentence states an amount
        match = next((m for m in _MONEY_WORDS.finditer(text, start, end)
                      if not _NEGATED.search(text, max(start, m.start() - 12), m.start()
                                             + m.group(0).find(m.group("word")))), None)
        if match is None:  # "This is not aid": no money is spoken of
            continue
        phrase = match.group(0).strip()
        at = match.start() + match.group(0).find(phrase)
        out.append(Amount(at, at + len(phrase), phrase, _precision("not_stated"), None, None,
                          currency, [f"money mentioned ('{match.group('word')}') without an "
                                     f"amount; currency {currency} only because the column "
                                     "is required"],
                          money_kind(text[start:end])))
    return out
