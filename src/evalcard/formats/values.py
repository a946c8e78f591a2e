"""Reading numbers and values from hostile documents without crashing: finite floats (no ``OverflowError`` from a
400-digit integer), short reprs (a 5 MB string or an alias-expanded list is never printed whole), a hint for a
value written with a decimal comma, and JSON read with a depth bound. Pure, no I/O."""

from __future__ import annotations

import json
import re
import reprlib
import sys
from typing import Any

from ..errors import InputLimitError
from ..results import to_float

#: JSON documents nested deeper than this are refused (the results formats need 5 or 6 levels)
MAX_JSON_DEPTH = 100

_repr = reprlib.Repr()
_repr.maxlevel = 3
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlong = 40
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6


def short_repr(value: Any) -> str:
    """``repr`` bounded in length and work, safe for any parsed value (huge ints, deep or aliased lists,
    lone surrogates)."""
    try:
        return _repr.repr(value)
    except (ValueError, RecursionError):  # an int past Python's digit limit (readers bound them; callers may not)
        return f"<{type(value).__name__}>"


#: the value as a finite float, or None (one rule for every reader: :func:`evalcard.results.to_float`)
finite_number = to_float


_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?")
_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+%?")


def not_a_number(value: Any) -> str:
    """The problem message for a value that is not a number, with the number it probably means when it is one
    written with a decimal comma (``'0,857'``) or a thousands separator."""
    msg = f"not a number: {short_repr(value)}"
    if isinstance(value, str) and len(value) <= 100:
        s = value.strip()
        if _THOUSANDS.fullmatch(s) and not s.lstrip("+-").startswith("0,"):
            plain = s.replace(",", "")
            decimal = s.replace(",", ".") if s.count(",") == 1 and "." not in s else None
            msg += f" — a thousands separator? write {plain}" + (f" ({decimal} if it is a decimal comma)" if decimal else "")
        elif _DECIMAL_COMMA.fullmatch(s):
            msg += f" — a decimal comma? write {s.replace(',', '.')}"
    return msg


def load_json_bounded(text: str | bytes, *, path: str | None = None, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses documents nested deeper than ``max_depth`` (no ``RecursionError``, here or in
    whoever walks the result) and integers too long to read (``ValueError`` from Python's digit limit), as
    :class:`~evalcard.errors.InputLimitError`. Syntax errors stay ``json.JSONDecodeError`` (a ``ValueError``)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputLimitError(f"JSON nested more than {max_depth} levels deep", path=path) from None
    except json.JSONDecodeError:
        raise
    except ValueError as e:  # an integer past Python's 4300-digit limit
        raise InputLimitError(f"JSON holds an integer too long to read (more than {sys.get_int_max_str_digits()} digits)", path=path) from None
    if json_depth(data, max_depth) > max_depth:
        raise InputLimitError(f"JSON nested more than {max_depth} levels deep", path=path)
    return data


def json_depth(data: Any, stop: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of parsed JSON/YAML data (a scalar is 0), computed iteratively; stops counting past ``stop``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > stop:
                return deepest
        stack.extend((c, depth) for c in children if isinstance(c, (dict, list)))
    return deepest
