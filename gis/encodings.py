"""Decode the text of Vietnamese shapefile DBFs written in legacy encodings.

Why: many Vietnamese shapefiles carry their DBF text without a ``.cpg`` file, in one of
three legacy encodings besides UTF-8:

* **TCVN3** (also called ABC, TCVN 5712:1993 VN3): the ``.VnTime`` font encoding, one byte
  per letter, the lowercase precomposed letters in the high byte positions;
* **VNI** (VNI-Windows, the ``VNI-Times`` font encoding): an ASCII base letter followed by
  a high byte carrying the diacritics, e.g. ``b"a\\xf9"`` for "á", plus single high bytes
  for đ, ơ, ư and the i/ỵ letters;
* **Windows-1258** (Python ``cp1258``): base letters plus *combining* tone marks, so the
  decoded text must be NFC-normalised.

The importer reads the raw bytes of each text field and must produce correct NFC Unicode,
or stop with a message naming the field and the row: :func:`decode` does that,
:func:`guess_encoding` picks the encoding of a layer from sample values, and
:func:`looks_vietnamese` recognises text that went through the wrong decoder (mojibake).
Importing this module also registers ``tcvn3`` and ``vni`` as Python codecs.

Sources of the tables (public repositories, each cross-checked byte for byte):

* TCVN3: ``hoangduytran/ibus-unikey`` ``ukengine/tables/singlebyte/tcvn3.cpp`` (Unikey's
  VnConv "TCVN3 (ABC)" table), checked against ``koron/libiconv`` ``lib/tcvn.h`` (GNU
  libiconv's TCVN-5712, i.e. the VN1 superset: every VN3 position agrees) and
  ``lamdao/xvnkb`` ``tcvn.h``.  The VN3 repertoire (67 lowercase letters, the 7 uppercase
  letters Ă Â Ê Ô Ơ Ư Đ and the no-break space at 0xA0) is the one Wikipedia's "VSCII"
  article gives for TCVN 5712:1993 VN3.
* VNI: ``hoangduytran/ibus-unikey`` ``ukengine/tables/doublebytes/vni_win.cpp``, checked
  against ``lamdao/xvnkb`` ``vni.h`` and ``duydev/vietnamese-conversion`` ``src/charsets.ts``.
  All three agree for every letter in both cases.

Caveats:

* TCVN3 has no uppercase letters with tone marks.  Files used the all-capitals ``.VnTimeH``
  font, which draws the *lowercase* byte codes as capitals, so an uppercase toned letter is
  stored as its lowercase byte and decodes to lowercase ("PHƯỜNG" in ``.VnTimeH`` comes back
  as "PHƯờNG").  That information is not in the bytes; we accept it.  :func:`encode` does
  what Unikey's TCVN3 table does and writes the lowercase byte for such letters.  The VN1
  positions for uppercase letters (0x80-0x9F, some C0 controls and a few of 0xA0-0xFF) are
  not part of the font encoding and are refused, which also helps to reject mojibake.
* VNI decoding accepts exactly the byte sequences of the table; a diacritic byte after a
  letter it cannot go on (or in the other letter case) is an error.
* Windows-1258 is encoded with a precomposed byte where the code page has the letter and a
  base letter plus a combining tone mark otherwise; decoding accepts either form.
* :func:`guess_encoding` cannot separate every *short* sample: a value that uses only the
  accented letters Latin-1 also has (e.g. cp1258 "Cát Lái") is also valid TCVN3 ("Cỏt Lỏi").
  Give it many values of a layer, not one.
* The registered codecs have incremental encoders/decoders (so ``open(..., encoding="vni")``
  works) but no ``codecs.StreamReader``/``StreamWriter`` (``codecs.open`` does not).
"""

import codecs
import itertools
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "SUPPORTED",
    "VIETNAMESE_LETTERS",
    "LegacyDecodeError",
    "LegacyEncodeError",
    "UnknownEncodingError",
    "canonical_encoding",
    "decode",
    "encode",
    "guess_encoding",
    "looks_vietnamese",
]

SUPPORTED: tuple[str, ...] = ("utf-8", "cp1258", "tcvn3", "vni", "latin-1", "ascii")

# Every spelling we accept, after lower-casing and turning "_" and spaces into "-".
_ALIASES: dict[str, str] = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "u8": "utf-8",
    "cp1258": "cp1258",
    "cp-1258": "cp1258",
    "windows-1258": "cp1258",
    "windows1258": "cp1258",
    "win-1258": "cp1258",
    "win1258": "cp1258",
    "1258": "cp1258",
    "tcvn3": "tcvn3",
    "tcvn-3": "tcvn3",
    "tcvn": "tcvn3",
    "tcvn5712": "tcvn3",
    "tcvn-5712": "tcvn3",
    "tcvn5712-3": "tcvn3",
    "tcvn-5712-3": "tcvn3",
    "tcvn5712-1993": "tcvn3",
    "vn3": "tcvn3",
    "vscii-3": "tcvn3",
    "abc": "tcvn3",
    "vntime": "tcvn3",
    ".vntime": "tcvn3",
    "vni": "vni",
    "vni-windows": "vni",
    "vni-win": "vni",
    "vniwin": "vni",
    "vni-times": "vni",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "l1": "latin-1",
    "ascii": "ascii",
    "us-ascii": "ascii",
}

# Names answered by the Python codec search function.  "abc" and "tcvn" are left out: too
# generic to claim for the whole process.
_CODEC_NAMES: dict[str, str] = {
    name: target
    for name, target in _ALIASES.items()
    if target in ("tcvn3", "vni") and name not in ("abc", "tcvn")
}


class UnknownEncodingError(LookupError, ValueError):
    """The encoding name is none of :data:`SUPPORTED` or their aliases."""


class LegacyDecodeError(ValueError):
    """Raw bytes are not valid text in the given encoding.

    The message names the field and the row when the caller gave them, the encoding, the
    offending byte and its offset, so an importer can stop with it as it is.
    """

    def __init__(
        self,
        message: str,
        *,
        encoding: str,
        raw: bytes,
        position: int,
        field: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message)
        self.encoding = encoding
        self.raw = raw
        self.position = position
        self.field = field
        self.row = row


class LegacyEncodeError(ValueError):
    """Text holds a character the target encoding cannot represent."""


def canonical_encoding(name: str) -> str:
    """Return the canonical name (one of :data:`SUPPORTED`) for an encoding name or alias.

    Why: users and ``.cpg`` files spell these encodings many ways ("ABC", "VNI-Windows",
    "windows-1258"); everything downstream compares canonical names.
    """
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    try:
        return _ALIASES[key]
    except KeyError:
        known = ", ".join(SUPPORTED)
        raise UnknownEncodingError(
            f"unknown text encoding {name!r}; expected one of {known} (or an alias)"
        ) from None


# --------------------------------------------------------------------------------------
# The Vietnamese alphabet
# --------------------------------------------------------------------------------------

# Tone marks in the order the tables below use: none, acute, grave, hook above, tilde,
# dot below (the order of Unikey's tables).
_TONE_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_TONE_MARK_SET = frozenset(_TONE_MARKS[1:])
_VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def _with_tone(vowel: str, tone: int) -> str:
    return unicodedata.normalize("NFC", vowel + _TONE_MARKS[tone])


_LOWER_LETTERS = frozenset(
    {_with_tone(vowel, tone) for vowel in _VOWELS for tone in range(6)} | {"đ"}
) - frozenset("aeiouy")

#: The 134 Vietnamese letters outside ASCII (67 lowercase, 67 uppercase): the vowels with
#: circumflex, breve or horn, every vowel with each of the five tone marks, and đ/Đ.
VIETNAMESE_LETTERS: frozenset[str] = _LOWER_LETTERS | {ch.upper() for ch in _LOWER_LETTERS}


# --------------------------------------------------------------------------------------
# TCVN3 (ABC, TCVN 5712:1993 VN3)
# --------------------------------------------------------------------------------------

# Byte of each lowercase letter: (no tone, acute, grave, hook, tilde, dot below).
# Source: ibus-unikey tcvn3.cpp; libiconv tcvn.h and xvnkb tcvn.h agree.
_TCVN3_ROWS: dict[str, tuple[int, int, int, int, int, int]] = {
    "a": (0x61, 0xB8, 0xB5, 0xB6, 0xB7, 0xB9),
    "ă": (0xA8, 0xBE, 0xBB, 0xBC, 0xBD, 0xC6),
    "â": (0xA9, 0xCA, 0xC7, 0xC8, 0xC9, 0xCB),
    "e": (0x65, 0xD0, 0xCC, 0xCE, 0xCF, 0xD1),
    "ê": (0xAA, 0xD5, 0xD2, 0xD3, 0xD4, 0xD6),
    "i": (0x69, 0xDD, 0xD7, 0xD8, 0xDC, 0xDE),
    "o": (0x6F, 0xE3, 0xDF, 0xE1, 0xE2, 0xE4),
    "ô": (0xAB, 0xE8, 0xE5, 0xE6, 0xE7, 0xE9),
    "ơ": (0xAC, 0xED, 0xEA, 0xEB, 0xEC, 0xEE),
    "u": (0x75, 0xF3, 0xEF, 0xF1, 0xF2, 0xF4),
    "ư": (0xAD, 0xF8, 0xF5, 0xF6, 0xF7, 0xF9),
    "y": (0x79, 0xFD, 0xFA, 0xFB, 0xFC, 0xFE),
}
# The only uppercase letters of VN3, đ, and the no-break space.
_TCVN3_OTHERS: dict[str, int] = {
    "Ă": 0xA1,
    "Â": 0xA2,
    "Ê": 0xA3,
    "Ô": 0xA4,
    "Ơ": 0xA5,
    "Ư": 0xA6,
    "Đ": 0xA7,
    "đ": 0xAE,
    "\u00a0": 0xA0,
}


def _build_tcvn3() -> tuple[str, dict[int, int]]:
    decoding = [chr(b) if b < 0x80 else "\ufffe" for b in range(256)]
    encoding: dict[int, int] = {b: b for b in range(0x80)}
    for vowel, row in _TCVN3_ROWS.items():
        for tone, byte in enumerate(row):
            letter = _with_tone(vowel, tone)
            if byte >= 0x80:
                decoding[byte] = letter
            encoding[ord(letter)] = byte
            # Uppercase toned letters: the .VnTimeH convention, same byte as lowercase.
            encoding.setdefault(ord(letter.upper()), byte)
    for char, byte in _TCVN3_OTHERS.items():
        decoding[byte] = char
        encoding[ord(char)] = byte
    return "".join(decoding), encoding


_TCVN3_DECODING_TABLE, _TCVN3_ENCODING_MAP = _build_tcvn3()


def _tcvn3_decode(raw: bytes, errors: str = "strict") -> tuple[str, int]:
    return codecs.charmap_decode(raw, errors, _TCVN3_DECODING_TABLE)


def _tcvn3_encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    encoded, _ = codecs.charmap_encode(
        unicodedata.normalize("NFC", text), errors, _TCVN3_ENCODING_MAP
    )
    return encoded, len(text)


# --------------------------------------------------------------------------------------
# VNI (VNI-Windows)
# --------------------------------------------------------------------------------------

# Byte sequence of each lowercase letter: (no tone, acute, grave, hook, tilde, dot below).
# Source: ibus-unikey vni_win.cpp; xvnkb vni.h and vietnamese-conversion charsets.ts agree.
_VNI_ROWS: dict[str, tuple[bytes, bytes, bytes, bytes, bytes, bytes]] = {
    "a": (b"a", b"a\xf9", b"a\xf8", b"a\xfb", b"a\xf5", b"a\xef"),
    "ă": (b"a\xea", b"a\xe9", b"a\xe8", b"a\xfa", b"a\xfc", b"a\xeb"),
    "â": (b"a\xe2", b"a\xe1", b"a\xe0", b"a\xe5", b"a\xe3", b"a\xe4"),
    "e": (b"e", b"e\xf9", b"e\xf8", b"e\xfb", b"e\xf5", b"e\xef"),
    "ê": (b"e\xe2", b"e\xe1", b"e\xe0", b"e\xe5", b"e\xe3", b"e\xe4"),
    "i": (b"i", b"\xed", b"\xec", b"\xe6", b"\xf3", b"\xf2"),
    "o": (b"o", b"o\xf9", b"o\xf8", b"o\xfb", b"o\xf5", b"o\xef"),
    "ô": (b"o\xe2", b"o\xe1", b"o\xe0", b"o\xe5", b"o\xe3", b"o\xe4"),
    "ơ": (b"\xf4", b"\xf4\xf9", b"\xf4\xf8", b"\xf4\xfb", b"\xf4\xf5", b"\xf4\xef"),
    "u": (b"u", b"u\xf9", b"u\xf8", b"u\xfb", b"u\xf5", b"u\xef"),
    "ư": (b"\xf6", b"\xf6\xf9", b"\xf6\xf8", b"\xf6\xfb", b"\xf6\xf5", b"\xf6\xef"),
    "y": (b"y", b"y\xf9", b"y\xf8", b"y\xfb", b"y\xf5", b"\xee"),
}
_VNI_D_STROKE = b"\xf1"


def _vni_upper(seq: bytes) -> bytes:
    """Uppercase form of a VNI sequence.

    VNI puts its uppercase glyphs exactly where Latin-1 puts the uppercase of the lowercase
    glyph byte (0xE0-0xFE minus 0x20), so ASCII upper-casing plus that shift gives the
    uppercase row; the three sources list the same bytes explicitly.
    """
    return bytes(b - 0x20 if b >= 0xE0 else b for b in seq.upper())


def _build_vni() -> tuple[dict[str, bytes], dict[int, str], dict[int, str], frozenset[int]]:
    encoding: dict[str, bytes] = {}
    for vowel, row in _VNI_ROWS.items():
        for tone, seq in enumerate(row):
            letter = _with_tone(vowel, tone)
            encoding[letter] = seq
            encoding[letter.upper()] = _vni_upper(seq)
    encoding["đ"] = _VNI_D_STROKE
    encoding["Đ"] = _vni_upper(_VNI_D_STROKE)
    singles: dict[int, str] = {b: chr(b) for b in range(0x80)}
    pairs: dict[int, str] = {}
    for letter, seq in encoding.items():
        if len(seq) == 1:
            singles[seq[0]] = letter
        else:
            pairs[(seq[0] << 8) | seq[1]] = letter
    leads = frozenset(key >> 8 for key in pairs)
    return encoding, singles, pairs, leads


_VNI_ENCODING, _VNI_SINGLES, _VNI_PAIRS, _VNI_LEADS = _build_vni()
_VNI_MARK_BYTES = frozenset(key & 0xFF for key in _VNI_PAIRS)


def _vni_decode(raw: bytes, errors: str = "strict", final: bool = True) -> tuple[str, int]:
    """Decode VNI bytes; with ``final=False`` a trailing base letter waits for its mark."""
    raw = bytes(raw)
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        byte = raw[i]
        if i + 1 < n:
            letter = _VNI_PAIRS.get((byte << 8) | raw[i + 1])
            if letter is not None:
                out.append(letter)
                i += 2
                continue
        elif not final and byte in _VNI_LEADS:
            break
        char = _VNI_SINGLES.get(byte)
        if char is not None:
            out.append(char)
            i += 1
            continue
        if byte in _VNI_MARK_BYTES:
            reason = "VNI diacritic byte not preceded by a letter it can go on"
        else:
            reason = "byte not defined in VNI"
        replacement, i = _decode_error("vni", raw, i, reason, errors)
        out.append(replacement)
    return "".join(out), i


def _vni_encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    normalised = unicodedata.normalize("NFC", text)
    out = bytearray()
    i, n = 0, len(normalised)
    while i < n:
        char = normalised[i]
        if char < "\x80":
            out.append(ord(char))
            i += 1
            continue
        seq = _VNI_ENCODING.get(char)
        if seq is not None:
            out += seq
            i += 1
            continue
        handler = codecs.lookup_error(errors)
        exc = UnicodeEncodeError("vni", normalised, i, i + 1, "character not in VNI")
        replacement, i = handler(exc)
        if isinstance(replacement, str):
            replacement = b"".join(
                _VNI_ENCODING.get(ch) or ch.encode("ascii") for ch in replacement
            )
        out += replacement
    return bytes(out), len(text)


def _decode_error(
    encoding: str, raw: bytes, position: int, reason: str, errors: str
) -> tuple[str, int]:
    exc = UnicodeDecodeError(encoding, raw, position, position + 1, reason)
    if errors == "strict":
        raise exc
    replacement, resume = codecs.lookup_error(errors)(exc)
    return replacement, resume


# --------------------------------------------------------------------------------------
# Windows-1258
# --------------------------------------------------------------------------------------


def _cp1258_encode(text: str) -> bytes:
    """Encode NFC text to cp1258, splitting off the tone mark where no precomposed byte exists."""
    out = bytearray()
    for position, char in enumerate(unicodedata.normalize("NFC", text)):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = [mark for mark in decomposed if mark in _TONE_MARK_SET]
        base = unicodedata.normalize(
            "NFC", "".join(mark for mark in decomposed if mark not in _TONE_MARK_SET)
        )
        try:
            out += (base + "".join(tones)).encode("cp1258")
        except UnicodeEncodeError:
            raise LegacyEncodeError(
                f"character {char!r} (U+{ord(char):04X}) at position {position} "
                "cannot be written in cp1258"
            ) from None
    return bytes(out)


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def _short_repr(raw: bytes, limit: int = 60) -> str:
    if len(raw) <= limit:
        return repr(raw)
    return repr(raw[:limit])[:-1] + "...'"


def decode(raw: bytes, encoding: str, *, field: str | None = None, row: int | None = None) -> str:
    """Decode the raw bytes of one text value and return NFC text.

    Why: DBF text in Vietnamese shapefiles comes in several legacy encodings and must end
    up as NFC Unicode (Windows-1258 in particular decodes to decomposed text).  Invalid
    bytes raise :class:`LegacyDecodeError`, whose message names ``field`` and ``row`` when
    given, so the importer can stop with it rather than store mojibake.
    """
    canonical = canonical_encoding(encoding)
    raw = bytes(raw)
    try:
        if canonical == "tcvn3":
            text, _ = _tcvn3_decode(raw)
        elif canonical == "vni":
            text, _ = _vni_decode(raw)
        else:
            text = raw.decode(canonical)
    except UnicodeDecodeError as exc:
        where = ""
        if field is not None or row is not None:
            parts = []
            if field is not None:
                parts.append(f"field {field!r}")
            if row is not None:
                parts.append(f"row {row}")
            where = ", ".join(parts) + ": "
        bad = raw[exc.start]
        reason = exc.reason
        if reason == "character maps to <undefined>":
            reason = f"byte not defined in {canonical}"
        raise LegacyDecodeError(
            f"{where}text is not valid {canonical}: {reason} "
            f"(byte 0x{bad:02X} at offset {exc.start} of {_short_repr(raw)})",
            encoding=canonical,
            raw=raw,
            position=exc.start,
            field=field,
            row=row,
        ) from None
    return unicodedata.normalize("NFC", text)


def encode(text: str, encoding: str) -> bytes:
    """Encode text the way legacy Vietnamese software stored it (inverse of :func:`decode`).

    Why: tests and fixtures need byte-exact DBF values in each legacy encoding.  TCVN3 and
    VNI produce what the fonts' keyboard drivers (Unikey's tables) produce; in TCVN3 an
    uppercase toned letter becomes its lowercase byte (the ``.VnTimeH`` convention), so it
    decodes back in lowercase.  Windows-1258 uses a precomposed byte where the code page has
    one and a base letter plus a combining tone mark otherwise.  Characters the encoding
    lacks raise :class:`LegacyEncodeError`.
    """
    canonical = canonical_encoding(encoding)
    if canonical == "cp1258":
        return _cp1258_encode(text)
    try:
        if canonical == "tcvn3":
            return _tcvn3_encode(text)[0]
        if canonical == "vni":
            return _vni_encode(text)[0]
        return unicodedata.normalize("NFC", text).encode(canonical)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        raise LegacyEncodeError(
            f"character {char!r} (U+{ord(char):04X}) at position {exc.start} "
            f"cannot be written in {canonical}"
        ) from None


_EXTRA_ALLOWED = frozenset("\t\n\r\u00a0“”‘’–—…")  # whitespace, NBSP, typographic punctuation
_ALLOWED = frozenset(chr(c) for c in range(0x20, 0x7F)) | _EXTRA_ALLOWED | VIETNAMESE_LETTERS


def looks_vietnamese(text: str) -> bool:
    """Tell whether text is plausible Vietnamese (or ASCII) rather than mojibake.

    Why: bytes decoded with the wrong legacy table usually still "decode", but produce
    characters Vietnamese never uses (soft hyphens, "Ö", "ø", "Æ", "°" ...).  True when
    every character (after NFC) is printable ASCII, one of the 134 Vietnamese letters,
    tab/newline/no-break space or common typographic punctuation, and no accented capital
    follows a lowercase letter (cp1258 read as Latin-1 gives "PhýõÌng": all letters are
    Vietnamese, the capital Ì inside the word is not).
    """
    text = unicodedata.normalize("NFC", text)
    if not all(ch in _ALLOWED for ch in text):
        return False
    # "PhýõÌng", "ChƯ": a non-ASCII capital right after a lowercase letter is mojibake.
    # (TCVN3 capitals from the .VnTimeH font decode as "PHƯờNG": lowercase after a capital
    # is fine.)
    return not any(
        previous.islower() and char.isupper() and not char.isascii()
        for previous, char in itertools.pairwise(text)
    )


# Vietnamese syllable shape, used to break ties between encodings that all decode the
# samples into Vietnamese letters: a syllable is onset + vowel nucleus + final, carries at
# most one tone mark, on the vowel the spelling rules put it on.
_ONSETS = (*"ngh ng gh gi kh nh ph qu th tr ch b c d đ g h k l m n p r s t v x".split(), "")
_FINALS = frozenset({"c", "k", "m", "n", "ng", "p", "t"})  # "k" as in Đắk Lắk
_PALATAL = frozenset({"ch", "nh"})
_OPEN = frozenset({""})
_NUCLEI_WITHOUT_FINAL = (
    "iêu yêu uôi ươi ươu oai oay oao oeo uây uyu uya "
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu uơ"
).split()
# Vowel nucleus -> the finals it takes ("" = none).
_RIMES: dict[str, frozenset[str]] = {
    **dict.fromkeys(_NUCLEI_WITHOUT_FINAL, _OPEN),
    "a": _OPEN | _FINALS | _PALATAL,
    "oa": _OPEN | _FINALS | _PALATAL,
    "e": _OPEN | _FINALS,
    "oe": _OPEN | _FINALS,
    "o": _OPEN | _FINALS,
    "ô": _OPEN | _FINALS,
    "u": _OPEN | _FINALS,
    "ê": _OPEN | _PALATAL | {"m", "n", "p", "t"},
    "i": _OPEN | _PALATAL | {"m", "n", "p", "t"},
    "uê": _OPEN | _PALATAL | {"n", "t"},
    "y": _OPEN | _PALATAL | {"n", "t"},
    "uy": _OPEN | _PALATAL | {"n", "p", "t"},
    "ơ": _OPEN | {"m", "n", "p", "t"},
    "ư": _OPEN | {"c", "k", "m", "n", "ng", "t"},
    **dict.fromkeys(("ă", "â", "oă", "uâ", "iê", "yê", "uô", "ươ"), _FINALS),
    "uyê": frozenset({"n", "t"}),
    "oo": frozenset({"c", "ng"}),
}
_SHAPED_VOWELS = frozenset("ăâêôơư")
_WORD = re.compile(r"[^\W\d_]+")


def _tone_slots(nucleus: str, has_final: bool) -> frozenset[int]:
    """Positions in the nucleus where the tone mark may sit (old and new spelling)."""
    shaped = [i for i, ch in enumerate(nucleus) if ch in _SHAPED_VOWELS]
    if shaped:
        return frozenset({shaped[-1]})
    if len(nucleus) == 1:
        return frozenset({0})
    if len(nucleus) == 3:
        return frozenset({1})
    if has_final:
        return frozenset({len(nucleus) - 1})
    if nucleus in ("oa", "oe", "uy"):
        return frozenset({0, 1})  # hòa / hoà
    return frozenset({0})


def _is_syllable(word: str) -> bool:
    """Whether a word is spelled like a Vietnamese syllable."""
    letters = unicodedata.normalize("NFC", word.lower())
    tone_at = [
        i
        for i, ch in enumerate(letters)
        for mark in unicodedata.normalize("NFD", ch)
        if mark in _TONE_MARK_SET
    ]
    if len(tone_at) > 1:
        return False
    bare = unicodedata.normalize(
        "NFC",
        "".join(ch for ch in unicodedata.normalize("NFD", letters) if ch not in _TONE_MARK_SET),
    )
    if len(bare) != len(letters):
        return False
    for onset in _ONSETS:
        if not bare.startswith(onset):
            continue
        rest = bare[len(onset) :]
        for final in ("", *_FINALS, *_PALATAL):
            if not rest.endswith(final) or len(rest) == len(final):
                continue
            nucleus = rest[: len(rest) - len(final)]
            if final not in _RIMES.get(nucleus, ()):
                continue
            if not tone_at or tone_at[0] - len(onset) in _tone_slots(nucleus, bool(final)):
                return True
    return False


def _implausible_words(texts: Iterable[str]) -> tuple[int, int]:
    """Count (implausible, scored) words; only words with a non-ASCII letter are scored."""
    bad = total = 0
    for text in texts:
        for word in _WORD.findall(text):
            if word.isascii():
                continue
            total += 1
            if not _is_syllable(word):
                bad += 1
    return bad, total


_GUESS_ORDER = ("utf-8", "tcvn3", "vni", "cp1258")


def guess_encoding(samples: Iterable[bytes]) -> str | None:
    """Guess the encoding of a layer's text fields from sample raw values.

    Why: shapefiles without a ``.cpg`` give no hint.  Candidates are tried in the order
    utf-8, tcvn3, vni, cp1258; a candidate qualifies when every sample decodes, every
    decoded sample :func:`looks_vietnamese`, and the samples hold at least one Vietnamese
    letter.  Valid UTF-8 wins outright.  The legacy tables overlap (VNI bytes usually also
    "decode" as TCVN3 letters), so qualifying legacy candidates are ranked by how many
    words fail to form a Vietnamese syllable (one tone mark, a valid onset, vowel cluster
    and final); ties keep the order above.  Returns ``None`` when no candidate qualifies,
    when the samples are all ASCII, or when even the best candidate leaves more than half
    of the words implausible.  Trailing NUL/space padding of DBF fields is ignored.
    """
    values = [bytes(sample).rstrip(b"\x00 ") for sample in samples]
    if all(value.isascii() for value in values):
        return None
    best: tuple[int, int, str] | None = None
    for candidate in _GUESS_ORDER:
        try:
            texts = [decode(value, candidate) for value in values]
        except LegacyDecodeError:
            continue
        if not all(looks_vietnamese(text) for text in texts):
            continue
        if not any(ch in VIETNAMESE_LETTERS for text in texts for ch in text):
            continue
        if candidate == "utf-8":
            return candidate
        bad, total = _implausible_words(texts)
        if best is None or bad < best[0]:
            best = (bad, total, candidate)
    if best is None:
        return None
    bad, total, candidate = best
    if bad * 2 > total:
        return None
    return candidate


# --------------------------------------------------------------------------------------
# Python codec registration: b"...".decode("tcvn3"), "...".encode("vni")
# --------------------------------------------------------------------------------------


class _Tcvn3IncrementalEncoder(codecs.IncrementalEncoder):
    def encode(self, input: str, final: bool = False) -> bytes:
        return _tcvn3_encode(input, self.errors)[0]


class _Tcvn3IncrementalDecoder(codecs.IncrementalDecoder):
    def decode(self, input: bytes, final: bool = False) -> str:
        return _tcvn3_decode(bytes(input), self.errors)[0]


class _VniIncrementalEncoder(codecs.IncrementalEncoder):
    def encode(self, input: str, final: bool = False) -> bytes:
        return _vni_encode(input, self.errors)[0]


class _VniIncrementalDecoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(self, input: bytes, errors: str, final: bool) -> tuple[str, int]:
        return _vni_decode(input, errors, final)


_CODECS: dict[str, codecs.CodecInfo] = {
    "tcvn3": codecs.CodecInfo(
        name="tcvn3",
        encode=_tcvn3_encode,
        decode=_tcvn3_decode,
        incrementalencoder=_Tcvn3IncrementalEncoder,
        incrementaldecoder=_Tcvn3IncrementalDecoder,
    ),
    "vni": codecs.CodecInfo(
        name="vni",
        encode=_vni_encode,
        decode=_vni_decode,
        incrementalencoder=_VniIncrementalEncoder,
        incrementaldecoder=_VniIncrementalDecoder,
    ),
}


def _search_codec(name: str) -> codecs.CodecInfo | None:
    target = _CODEC_NAMES.get(name.replace("_", "-"))
    return _CODECS[target] if target else None


codecs.register(_search_codec)


_LOWER = "a-z" + "".join(
    sorted(ch for ch in VIETNAMESE_LETTERS if ch.islower() and not ch.isascii())
)
_UPPER_NON_ASCII = "".join(
    sorted(ch for ch in VIETNAMESE_LETTERS if ch.isupper() and not ch.isascii())
)
_NOT_VIETNAMESE = re.compile(
    "[^"
    + "".join(re.escape(ch) for ch in sorted(_ALLOWED))
    + "]"
    + f"|(?<=[{_LOWER}])[{_UPPER_NON_ASCII}]"
)


def first_not_vietnamese(values: list[str | None]) -> int | None:
    """Index of the first NFC value that `looks_vietnamese` would refuse, else None.

    The same rule as `looks_vietnamese`, run as one regular-expression scan over a whole
    column, because an import checks hundreds of thousands of values.
    """
    present = [(i, v) for i, v in enumerate(values) if v]
    if not _NOT_VIETNAMESE.search("\n".join(v for _i, v in present)):
        return None
    return next(i for i, v in present if _NOT_VIETNAMESE.search(v))


# The same rule for Arrow's RE2 engine, which has no look-behind: a lower-case letter
# followed by a non-ASCII capital is matched as a pair.
_NOT_VIETNAMESE_RE2 = (
    "[^"
    + "".join(re.escape(ch) for ch in sorted(_ALLOWED))
    + "]"
    + f"|[{_LOWER}][{_UPPER_NON_ASCII}]"
)


def first_not_vietnamese_array(array: "pa.Array") -> int | None:
    """`first_not_vietnamese` over an Arrow string column (NFC), vectorised."""
    import pyarrow.compute as pc

    bad = pc.fill_null(pc.match_substring_regex(array, _NOT_VIETNAMESE_RE2), False)
    if not pc.any(bad).as_py():
        return None
    return pc.index(bad, True).as_py()
