"""Vietnamese text helpers: names keep their diacritics (NFC), search ignores them."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC with its outer whitespace trimmed."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Fold `text` for search: lower case, no diacritics (đ becomes d), single spaces.

    "Phường 25" and "phuong 25" fold to the same string, as do "Điện Biên Phủ" and
    "dien bien phu".
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()
