"""Vietnamese text helpers: names keep their diacritics (NFC), search ignores them."""

import re
import unicodedata
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

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


def nfc_array(array: pa.Array) -> pa.Array:
    """`nfc` over an Arrow string column, vectorised."""
    return pc.utf8_trim_whitespace(pc.utf8_normalize(array, "NFC"))


def fold_array(array: pa.Array) -> pa.Array:
    """`fold` over an Arrow string column, vectorised; missing values fold to ""."""
    array = pc.utf8_normalize(array, "NFD")
    array = pc.replace_substring_regex(array, r"\p{Mn}+", "")
    array = pc.replace_substring(pc.replace_substring(array, "đ", "d"), "Đ", "d")
    array = pc.replace_substring_regex(pc.utf8_lower(array), r"\s+", " ")
    return pc.fill_null(pc.utf8_trim_whitespace(array), "")
