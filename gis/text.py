"""Vietnamese text helpers: names keep their diacritics (NFC), search ignores them."""

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC with its outer whitespace trimmed."""
    return unicodedata.normalize("NFC", text).strip()


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


class _FoldTable(dict):
    """A str.translate table that computes (and keeps) each non-ASCII character's folding."""

    def __missing__(self, codepoint: int) -> str:
        value = _fold_char(chr(codepoint))
        self[codepoint] = value
        return value


_TABLE = _FoldTable({i: chr(i).lower() for i in range(128)})


def fold(text: str) -> str:
    """Fold `text` for search: lower case, no diacritics (đ becomes d), single spaces.

    "Phường 25" and "phuong 25" fold to the same string, as do "Điện Biên Phủ" and
    "dien bien phu". Combining marks (text not in NFC) fold away too.
    """
    folded = unicodedata.normalize("NFC", text).translate(_TABLE)
    return _SPACES.sub(" ", folded).strip()


_SEPARATOR = "\x00"  # never inside a GIS text value, and not whitespace for str.split


def _columnwise(values: list[str | None], transform) -> list[str | None]:
    """Apply a str -> str transform to a column in one call over the joined values."""
    present = [i for i, v in enumerate(values) if v is not None]
    if not present:
        return list(values)
    parts = transform(_SEPARATOR.join(values[i] for i in present)).split(_SEPARATOR)
    if len(parts) != len(present):  # a value held the separator: do it value by value
        return [None if v is None else transform(v) for v in values]
    out: list[str | None] = [None] * len(values)
    for i, part in zip(present, parts, strict=True):
        out[i] = part
    return out


def nfc_column(values: list[str | None]) -> list[str | None]:
    """`nfc` over a whole column: one normalisation call instead of one per value."""
    return [
        None if v is None else v.strip()
        for v in _columnwise(values, lambda s: unicodedata.normalize("NFC", s))
    ]


def fold_column(values: list[str | None]) -> list[str]:
    """`fold` over a whole column; missing values fold to the empty string."""

    def fold_joined(joined: str) -> str:
        folded = unicodedata.normalize("NFC", joined).translate(_TABLE)
        return _SPACES.sub(" ", folded)

    return [(v or "").strip() for v in _columnwise(values, fold_joined)]
