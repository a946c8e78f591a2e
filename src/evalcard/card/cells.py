"""What a table cell holds: a number (``**71.6%**``, ``45.2 ± 1.1``, ``1,208``), two numbers (``42.2/36.6``), a
range, a value with a unit or an annotation, a missing mark (``-``, ``N/A``: never zero) or text. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .tables import squash


_NUM = r"[-+−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|\.\d+)"
_PM = r"(?:±|\+/-|\+-|\+/−)"
_RE_VALUE = re.compile(rf"^({_NUM})\s*(%)?\s*(?:{_PM}\s*({_NUM})\s*(%)?)?$")
_RE_VALUE_PAREN_ERR = re.compile(rf"^({_NUM})\s*(%)?\s*\(\s*{_PM}\s*({_NUM})\s*%?\s*\)$")
_RE_PAIR = re.compile(rf"^({_NUM})\s*(%)?\s*(?:/|\|)\s*({_NUM})\s*(%)?$")
_RE_TUPLE = re.compile(rf"^{_NUM}\s*%?(?:\s*/\s*{_NUM}\s*%?){{2,5}}$")  # '18.0/18.7/17.8': precision/recall/F1
#: the kinds of cell that hold scores: one number, or several ('a/b', 'a/b/c') that a name must tell apart
NUMERIC = ("number", "pair", "tuple")
_RE_RANGE = re.compile(rf"^({_NUM})\s*%?\s*(?:–|—|~|\bto\b|-)\s*({_NUM})\s*%?$")
_RE_ANNOTATED = re.compile(rf"^({_NUM})\s*%?\s*[\(\[].*[\)\]]$")
_RE_UNIT = re.compile(rf"^[~≈<>]?\s*({_NUM})\s*[a-zA-Z/]+\)?$")
_TRAILING_MARKS = re.compile(r"(?:\s*(?:[*†‡§¶]+|\^\[?\d*\]?|\[\d{1,2}\]|\(\d{1,2}\)$))+$")
_ARROWS = re.compile(r"[↑↓⬆⬇]")
MISSING = {"", "-", "–", "—", "--", "---", "n/a", "na", "/", "none", "null", "nan", "?", "…", "...", "x", "tbd", "tba", "n.a.", "n.a", "-/-"}


@dataclass
class CellValue:
    """What a cell holds. ``kind``: number, pair, missing, range, annotated, unit, text."""

    kind: str
    value: float | None = None
    #: every number of a 'pair' or 'tuple' cell, in order
    parts: tuple[float, ...] = ()
    stderr: float | None = None
    percent: bool = False
    text: str = ""

    @property
    def is_number(self) -> bool:
        return self.kind == "number"

    @property
    def second(self) -> float | None:
        """The second number of a 'pair' or 'tuple' cell."""
        return self.parts[1] if len(self.parts) > 1 else None


def _to_float(s: str) -> float:
    s = s.replace("−", "-")
    if "," in s:
        body = s.lstrip("+-")
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", body) and not body.startswith("0,"):
            s = s.replace(",", "")
        else:  # decimal comma
            s = s.replace(",", ".")
    return float(s)


def parse_value(text: str) -> CellValue:
    """Read a score cell as written: ``**71.6**``, ``98.2%``, ``0.720 ± 0.006``, ``15,8%`` (decimal comma),
    ``1,208`` (thousands), ``45.2%^1`` (footnote). ``-``/``N/A`` are missing (never zero); ``42.2/36.6`` is a pair,
    ``3-5`` a range; ``37B``/``65GiB`` carry a unit (not a score)."""
    s = squash(text)
    s = _ARROWS.sub("", s).strip()
    if s.casefold() in MISSING:
        return CellValue("missing", text=s)
    s = _strip_symbols(s) or s
    if s.startswith("**") and s.endswith("**"):
        s = s[2:-2].strip()
    s2 = _TRAILING_MARKS.sub("", s).strip() or s
    for cand in (s2, s):
        m = _RE_VALUE.match(cand)
        if m:
            v = _to_float(m.group(1))
            err = _to_float(m.group(3)) if m.group(3) else None
            return CellValue("number", v, stderr=err, percent=bool(m.group(2) or m.group(4)), text=s)
    m = _RE_VALUE_PAREN_ERR.match(s2)
    if m:
        return CellValue("number", _to_float(m.group(1)), stderr=_to_float(m.group(3)), percent=bool(m.group(2)), text=s)
    m = _RE_PAIR.match(s2)
    if m:
        a, b = _to_float(m.group(1)), _to_float(m.group(3))
        return CellValue("pair", a, parts=(a, b), percent=bool(m.group(2) or m.group(4)), text=s)
    if _RE_TUPLE.match(s2):
        nums = tuple(_to_float(x) for x in re.findall(_NUM, s2))
        return CellValue("tuple", nums[0], parts=nums, percent="%" in s2, text=s)
    m = _RE_RANGE.match(s2)
    if m:
        return CellValue("range", text=s)
    m = _RE_ANNOTATED.match(s2)
    if m:
        return CellValue("annotated", _to_float(m.group(1)), text=s)
    m = _RE_UNIT.match(s2)
    if m:
        return CellValue("unit", text=s)
    return CellValue("text", text=s)


def _strip_symbols(s: str) -> str:
    """A cell without the pictographs that mark a best score around its number ("0.8672 🏆", "🥇 85.1", "✅")."""
    def mark(ch: str) -> bool:
        return unicodedata.category(ch) in ("So", "Cs") or ch in "\ufe0f\u200d" or ch.isspace()

    i, j = 0, len(s)
    while j > i and mark(s[j - 1]):
        j -= 1
    while i < j and mark(s[i]):
        i += 1
    return s[i:j]


def _is_missing(text: str) -> bool:
    return squash(_ARROWS.sub("", text)).casefold() in MISSING
