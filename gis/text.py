"""Vietnamese text helpers: names keep their diacritics (NFC), search ignores them."""

import codecs
import re
import unicodedata
from functools import lru_cache

import numpy as np
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


# --- the same over Arrow columns, for the importer ------------------------------------
#
# A column is handled as one long string, each value followed by NUL (which never
# composes with its neighbours, so normalising the whole is normalising each value),
# and folded as an array of code points through a lookup table: a few numpy passes over
# the column instead of a Python call or a regular expression per value.

_SEPARATOR = 0  # NUL ends each value in the joined text; PostgreSQL text cannot hold it
_DELETE = 0xFFFFFFFF  # the character folds away (a combining mark)
_SEVERAL = 0xFFFFFFFE  # the character folds to more than one (e.g. Hangul): fold value by value
_TABLE_SIZE = 0x2000  # Latin, Greek, Cyrillic... and Latin Extended Additional (Vietnamese)


def _fold_code(codepoint: int) -> int:
    folded = _TABLE[codepoint] if codepoint < 128 else _fold_char(chr(codepoint))
    if folded.isspace():  # `fold` turns every run of white space into one space
        return 0x20
    if not folded:
        return _DELETE
    return ord(folded) if len(folded) == 1 else _SEVERAL


@lru_cache(maxsize=1)
def _fold_codes() -> np.ndarray:
    codes = np.array([_fold_code(cp) for cp in range(_TABLE_SIZE)], dtype=np.uint32)
    codes[_SEPARATOR] = _SEPARATOR
    return codes


def _joined_text(array: pa.Array) -> str:
    """The values of a string column as one str, each followed by NUL (missing ones empty)."""
    ended = pc.binary_join_element_wise(pc.fill_null(array, ""), "", "\x00")
    if ended.type != pa.string():
        ended = ended.cast(pa.string())
    offsets = np.frombuffer(ended.buffers()[1], dtype=np.int32)
    offsets = offsets[ended.offset : ended.offset + len(ended) + 1]
    data = ended.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return "\x00" * len(ended)
    return codecs.utf_8_decode(memoryview(data)[offsets[0] : offsets[-1]], "strict", True)[0]


def nfc_array(array: pa.Array) -> pa.Array:
    """`nfc` over an Arrow string column, vectorised."""
    if pc.all(pc.string_is_ascii(array)).as_py() is not False:  # ASCII text is NFC already
        return pc.utf8_trim_whitespace(array)
    if unicodedata.is_normalized("NFC", _joined_text(array)):
        return pc.utf8_trim_whitespace(array)
    return pc.utf8_trim_whitespace(pc.utf8_normalize(array, "NFC"))


def _fold_each(array: pa.Array) -> pa.Array:
    return pa.array([fold(v) if v else "" for v in array.to_pylist()], pa.string())


def fold_array(array: pa.Array) -> pa.Array:
    """`fold` over an Arrow string column, vectorised; missing values fold to ""."""
    n = len(array)
    if n == 0:
        return pa.array([], pa.string())
    text = _joined_text(array)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if np.count_nonzero(codes == _SEPARATOR) != n:  # a value holds NUL itself
        return _fold_each(array)
    table = _fold_codes()
    wide = codes >= _TABLE_SIZE
    if wide.any():
        out = table[np.where(wide, 0, codes)]
        unusual = np.unique(codes[wide])
        out[wide] = np.array([_fold_code(int(cp)) for cp in unusual], dtype=np.uint32)[
            np.searchsorted(unusual, codes[wide])
        ]
    else:
        out = table[codes]
    if (out == _SEVERAL).any():
        return _fold_each(array)
    out = out[out != _DELETE]
    # One space per run of white space, none at either end of a value.
    space = out == 0x20
    before = np.empty_like(space)
    before[0] = True
    before[1:] = space[:-1] | (out[:-1] == _SEPARATOR)
    after = np.empty_like(space)
    after[-1] = True  # the text ends with a separator, so this is never a space anyway
    after[:-1] = out[1:] == _SEPARATOR
    drop = space & before
    # A run's last space before a separator goes too; with `before`, the whole run goes.
    ends = np.flatnonzero(space & ~np.append(space[1:], False))
    starts = np.flatnonzero(space & ~np.insert(space[:-1], 0, False))
    trailing = after[ends]
    drop[starts[trailing]] = True
    out = out[~drop]
    if out.max() < 0x80:  # ASCII: the code points are the UTF-8 bytes
        separators = np.flatnonzero(out == _SEPARATOR)
        offsets = np.empty(n + 1, dtype=np.int32)
        offsets[0] = 0
        offsets[1:] = separators - np.arange(n)
        data = out[out != _SEPARATOR].astype(np.uint8)
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    values = out.tobytes().decode("utf-32-le").split("\x00")
    return pa.array(values[:n], pa.string())
