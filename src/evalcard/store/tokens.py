"""Token hygiene: every token evalcard sees is registered here, and :func:`scrub` removes them (and anything that
looks like a Hugging Face token) from text before it is printed, logged or raised."""

from __future__ import annotations

import re

_KNOWN: set[str] = set()
_HF_TOKEN = re.compile(r"hf_[A-Za-z0-9]{8,}")


def register(token: str | None) -> None:
    if token and len(token) >= 4:
        _KNOWN.add(token)


def scrub(text: str) -> str:
    for t in sorted(_KNOWN, key=len, reverse=True):
        text = text.replace(t, "***")
    return _HF_TOKEN.sub("hf_***", text)
