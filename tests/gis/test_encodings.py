"""Legacy Vietnamese DBF text (TCVN3, VNI, Windows-1258) decodes to NFC or fails loudly.

The byte strings below are written out literally from published tables (libiconv, xvnkb,
the vietnamese-conversion test data), never produced by ``encode``, so the tests check the
module's tables against independent sources rather than against themselves.
"""

import codecs
import io
import unicodedata

import pytest

from gis.encodings import (
    SUPPORTED,
    VIETNAMESE_LETTERS,
    LegacyDecodeError,
    LegacyEncodeError,
    UnknownEncodingError,
    canonical_encoding,
    decode,
    encode,
    guess_encoding,
    looks_vietnamese,
)

WARD_AND_STREET_NAMES = (
    "Phường 25",
    "Điện Biên Phủ",
    "Xô Viết Nghệ Tĩnh",
    "Bạch Đằng",
    "Nguyễn Hữu Cảnh",
    "Thành phố Hồ Chí Minh",
)
LAYER_VALUES = (
    *WARD_AND_STREET_NAMES,
    "Bến Nghé",
    "Cầu Ông Lãnh",
    "Đa Kao",
    "Thủ Thiêm",
    "Hoàn Kiếm",
    "Cầu Giấy",
    "Đống Đa",
    "Gò Vấp",
    "Lý Thường Kiệt",
    "Trần Hưng Đạo",
    "Đất ở đô thị",
    "Hành lang bảo vệ an toàn lưới điện",
    "Ủy ban nhân dân phường",
)
LOWERCASE = sorted(ch for ch in VIETNAMESE_LETTERS if ch.islower())
UPPERCASE = sorted(ch for ch in VIETNAMESE_LETTERS if ch.isupper())
TCVN3_UPPERCASE = ("Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ")

# koron/libiconv lib/tcvn.h, tcvn_2uni_2: byte -> code point for every position that the
# .VnTime font encoding (VN3) uses.  The rest of that table is VN1-only uppercase.
LIBICONV_TCVN_VN3_POSITIONS = {
    0xA0: 0x00A0, 0xA1: 0x0102, 0xA2: 0x00C2, 0xA3: 0x00CA, 0xA4: 0x00D4, 0xA5: 0x01A0,
    0xA6: 0x01AF, 0xA7: 0x0110, 0xA8: 0x0103, 0xA9: 0x00E2, 0xAA: 0x00EA, 0xAB: 0x00F4,
    0xAC: 0x01A1, 0xAD: 0x01B0, 0xAE: 0x0111, 0xB5: 0x00E0, 0xB6: 0x1EA3, 0xB7: 0x00E3,
    0xB8: 0x00E1, 0xB9: 0x1EA1, 0xBB: 0x1EB1, 0xBC: 0x1EB3, 0xBD: 0x1EB5, 0xBE: 0x1EAF,
    0xC6: 0x1EB7, 0xC7: 0x1EA7, 0xC8: 0x1EA9, 0xC9: 0x1EAB, 0xCA: 0x1EA5, 0xCB: 0x1EAD,
    0xCC: 0x00E8, 0xCE: 0x1EBB, 0xCF: 0x1EBD, 0xD0: 0x00E9, 0xD1: 0x1EB9, 0xD2: 0x1EC1,
    0xD3: 0x1EC3, 0xD4: 0x1EC5, 0xD5: 0x1EBF, 0xD6: 0x1EC7, 0xD7: 0x00EC, 0xD8: 0x1EC9,
    0xDC: 0x0129, 0xDD: 0x00ED, 0xDE: 0x1ECB, 0xDF: 0x00F2, 0xE1: 0x1ECF, 0xE2: 0x00F5,
    0xE3: 0x00F3, 0xE4: 0x1ECD, 0xE5: 0x1ED3, 0xE6: 0x1ED5, 0xE7: 0x1ED7, 0xE8: 0x1ED1,
    0xE9: 0x1ED9, 0xEA: 0x1EDD, 0xEB: 0x1EDF, 0xEC: 0x1EE1, 0xED: 0x1EDB, 0xEE: 0x1EE3,
    0xEF: 0x00F9, 0xF1: 0x1EE7, 0xF2: 0x0169, 0xF3: 0x00FA, 0xF4: 0x1EE5, 0xF5: 0x1EEB,
    0xF6: 0x1EED, 0xF7: 0x1EEF, 0xF8: 0x1EE9, 0xF9: 0x1EF1, 0xFA: 0x1EF3, 0xFB: 0x1EF7,
    0xFC: 0x1EF9, 0xFD: 0x00FD, 0xFE: 0x1EF5,
}  # fmt: skip

# lamdao/xvnkb vni.h: each vowel with no tone, acute, grave, hook, tilde, dot below (the
# order of its utf.h).  The VNI bytes are written as the Latin-1 glyphs the file shows.
XVNKB_VNI_ROWS = (
    ("AÁÀẢÃẠ", "A AÙ AØ AÛ AÕ AÏ"),
    ("ÂẤẦẨẪẬ", "AÂ AÁ AÀ AÅ AÃ AÄ"),
    ("ĂẮẰẲẴẶ", "AÊ AÉ AÈ AÚ AÜ AË"),
    ("EÉÈẺẼẸ", "E EÙ EØ EÛ EÕ EÏ"),
    ("ÊẾỀỂỄỆ", "EÂ EÁ EÀ EÅ EÃ EÄ"),
    ("OÓÒỎÕỌ", "O OÙ OØ OÛ OÕ OÏ"),
    ("ÔỐỒỔỖỘ", "OÂ OÁ OÀ OÅ OÃ OÄ"),
    ("ƠỚỜỞỠỢ", "Ô ÔÙ ÔØ ÔÛ ÔÕ ÔÏ"),
    ("UÚÙỦŨỤ", "U UÙ UØ UÛ UÕ UÏ"),
    ("ƯỨỪỬỮỰ", "Ö ÖÙ ÖØ ÖÛ ÖÕ ÖÏ"),
    ("IÍÌỈĨỊ", "I Í Ì Æ Ó Ò"),
    ("YÝỲỶỸỴ", "Y YÙ YØ YÛ YÕ Î"),
    ("Đ", "Ñ"),
    ("aáàảãạ", "a aù aø aû aõ aï"),
    ("âấầẩẫậ", "aâ aá aà aå aã aä"),
    ("ăắằẳẵặ", "aê aé aè aú aü aë"),
    ("eéèẻẽẹ", "e eù eø eû eõ eï"),
    ("êếềểễệ", "eâ eá eà eå eã eä"),
    ("oóòỏõọ", "o où oø oû oõ oï"),
    ("ôốồổỗộ", "oâ oá oà oå oã oä"),
    ("ơớờởỡợ", "ô ôù ôø ôû ôõ ôï"),
    ("uúùủũụ", "u uù uø uû uõ uï"),
    ("ưứừửữự", "ö öù öø öû öõ öï"),
    ("iíìỉĩị", "i í ì æ ó ò"),
    ("yýỳỷỹỵ", "y yù yø yû yõ î"),
    ("đ", "ñ"),
)


# --- names --------------------------------------------------------------------------------


def test_supported_lists_utf8_the_three_legacy_encodings_latin1_and_ascii():
    assert SUPPORTED == ("utf-8", "cp1258", "tcvn3", "vni", "latin-1", "ascii")


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("ABC", "tcvn3"),
        ("tcvn", "tcvn3"),
        ("TCVN5712", "tcvn3"),
        ("tcvn_5712_3", "tcvn3"),
        ("VNI-Windows", "vni"),
        ("vni", "vni"),
        ("Windows-1258", "cp1258"),
        ("CP1258", "cp1258"),
        ("UTF8", "utf-8"),
        ("ISO-8859-1", "latin-1"),
        (" latin1 ", "latin-1"),
    ],
)
def test_aliases_resolve_to_the_canonical_encoding_name(alias, canonical):
    assert canonical_encoding(alias) == canonical


def test_an_unknown_encoding_name_is_refused_as_both_lookup_and_value_error():
    with pytest.raises(UnknownEncodingError, match="klingon") as raised:
        decode(b"abc", "klingon")
    assert isinstance(raised.value, LookupError)
    assert isinstance(raised.value, ValueError)


# --- the alphabet -------------------------------------------------------------------------


def test_there_are_134_vietnamese_letters_outside_ascii_67_in_each_case():
    assert len(VIETNAMESE_LETTERS) == 134
    assert len(LOWERCASE) == len(UPPERCASE) == 67
    assert {"đ", "Đ", "ệ", "Ỵ", "ữ", "Ẵ"} <= VIETNAMESE_LETTERS
    assert all(unicodedata.is_normalized("NFC", ch) for ch in VIETNAMESE_LETTERS)


# --- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258", "vni"])
def test_every_vietnamese_letter_round_trips_in_both_cases(encoding):
    for letter in (*LOWERCASE, *UPPERCASE):
        assert decode(encode(letter, encoding), encoding) == letter, letter


def test_every_lowercase_letter_round_trips_through_tcvn3_in_one_byte():
    for letter in LOWERCASE:
        raw = encode(letter, "tcvn3")
        assert len(raw) == 1, letter
        assert decode(raw, "tcvn3") == letter, letter


def test_tcvn3_keeps_the_seven_uppercase_letters_it_has():
    for letter in TCVN3_UPPERCASE:
        assert decode(encode(letter, "tcvn3"), "tcvn3") == letter


def test_tcvn3_writes_uppercase_toned_letters_as_the_lowercase_byte_the_vntimeh_font_uses():
    toned_capitals = [ch for ch in UPPERCASE if ch not in TCVN3_UPPERCASE]
    assert len(toned_capitals) == 60
    for letter in toned_capitals:
        assert encode(letter, "tcvn3") == encode(letter.lower(), "tcvn3"), letter
        assert decode(encode(letter, "tcvn3"), "tcvn3") == letter.lower(), letter


def test_whole_names_round_trip_through_every_encoding():
    for name in LAYER_VALUES:
        for encoding in ("utf-8", "cp1258", "vni"):
            assert decode(encode(name, encoding), encoding) == name, (name, encoding)


def test_whole_names_round_trip_through_tcvn3_except_the_case_of_toned_capitals():
    assert decode(encode("Thành phố Hồ Chí Minh", "tcvn3"), "tcvn3") == "Thành phố Hồ Chí Minh"
    assert decode(encode("Ủy ban nhân dân", "tcvn3"), "tcvn3") == "ủy ban nhân dân"
    assert decode(encode("ĐƯỜNG Bạch Đằng", "tcvn3"), "tcvn3") == "ĐƯờNG Bạch Đằng"


# --- published tables ---------------------------------------------------------------------


def test_every_tcvn3_byte_decodes_as_the_libiconv_table_says():
    for byte, code_point in LIBICONV_TCVN_VN3_POSITIONS.items():
        assert decode(bytes([byte]), "tcvn3") == chr(code_point), hex(byte)


def test_tcvn3_covers_67_lowercase_letters_7_capitals_and_the_no_break_space():
    decoded = {decode(bytes([byte]), "tcvn3") for byte in LIBICONV_TCVN_VN3_POSITIONS}
    assert len(LIBICONV_TCVN_VN3_POSITIONS) == 75
    assert decoded == set(LOWERCASE) | set(TCVN3_UPPERCASE) | {"\u00a0"}


def test_tcvn3_refuses_the_bytes_outside_the_vntime_font_encoding():
    undefined = set(range(0x80, 0x100)) - set(LIBICONV_TCVN_VN3_POSITIONS)
    assert {0x80, 0x9F, 0xAF, 0xB0, 0xB4, 0xBA, 0xC0, 0xE0, 0xF0, 0xFF} <= undefined
    for byte in undefined:
        with pytest.raises(LegacyDecodeError):
            decode(bytes([byte]), "tcvn3")


def test_every_vni_sequence_decodes_as_the_xvnkb_table_says():
    for letters, glyphs in XVNKB_VNI_ROWS:
        raw = glyphs.encode("latin-1")
        assert decode(raw, "vni") == " ".join(letters), letters
        assert encode(" ".join(letters), "vni") == raw, letters


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (b"Ph\xad\xeang", "tcvn3"),  # "Ph­êng": ư = 0xAD, ờ = 0xEA
        (b"Ph\xf6\xf4\xf8ng", "vni"),  # "Phöôøng": ư = ö, ờ = ô + grave ø
        (b"Ph\xfd\xf5\xccng", "cp1258"),  # ư, ơ, then COMBINING GRAVE ACCENT at 0xCC
        (b"Ph\xc6\xb0\xe1\xbb\x9dng", "utf-8"),
    ],
)
def test_phuong_written_as_raw_bytes_decodes_to_phuong(raw, encoding):
    assert decode(raw, encoding) == "Phường"


@pytest.mark.parametrize(
    ("raw", "encoding", "text"),
    [
        # duydev/vietnamese-conversion tests/helpers/test-data.ts
        (b"Xin ch\xb5o c\xb8c b\xb9n", "tcvn3", "Xin chào các bạn"),  # "Xin chµo c¸c b¹n"
        (b"Xin cha\xf8o ca\xf9c ba\xefn", "vni", "Xin chào các bạn"),  # "Xin chaøo caùc baïn"
        (b"T\xabi \xaei h\xe4c", "tcvn3", "Tôi đi học"),  # "T«i ®i häc"
        (b"To\xe2i \xf1i ho\xefc", "vni", "Tôi đi học"),  # "Toâi ñi hoïc"
        (b"B\xb6o Th\xbeng", "tcvn3", "Bảo Thắng"),  # "B¶o Th¾ng"
        (b"M\xad\xeang Kh\xad\xacng", "tcvn3", "Mường Khương"),  # "M­êng Kh­¬ng"
    ],
)
def test_published_example_strings_decode_to_the_published_unicode(raw, encoding, text):
    assert decode(raw, encoding) == text


# --- Windows-1258 -------------------------------------------------------------------------


def test_cp1258_combining_tone_marks_come_out_composed_as_nfc():
    text = decode(b"Vi\xea\xf2t Nam, Ph\xfd\xf5\xccng 25", "cp1258")
    assert text == "Việt Nam, Phường 25"
    assert unicodedata.is_normalized("NFC", text)
    assert all(unicodedata.combining(ch) == 0 for ch in text)


def test_cp1258_is_written_precomposed_where_the_code_page_has_the_letter():
    assert encode("á", "cp1258") == b"\xe1"
    assert encode("ạ", "cp1258") == b"a\xf2"  # a + COMBINING DOT BELOW
    assert encode("ệ", "cp1258") == b"\xea\xf2"  # ê + COMBINING DOT BELOW


def test_every_decoder_returns_nfc_text():
    for name in LAYER_VALUES:
        for encoding in ("utf-8", "cp1258", "tcvn3", "vni"):
            text = decode(encode(name, encoding), encoding)
            assert unicodedata.is_normalized("NFC", text), (name, encoding)


def test_decomposed_utf8_input_is_returned_composed():
    raw = unicodedata.normalize("NFD", "Nguyễn Hữu Cảnh").encode("utf-8")
    assert decode(raw, "utf-8") == "Nguyễn Hữu Cảnh"


# --- errors -------------------------------------------------------------------------------


def test_invalid_utf8_raises_a_value_error_naming_the_field_and_the_row():
    with pytest.raises(LegacyDecodeError) as raised:
        decode(b"Ph\xad\xeang", "utf-8", field="TEN_PHUONG", row=17)
    error = raised.value
    assert isinstance(error, ValueError)
    assert "'TEN_PHUONG'" in str(error)
    assert "row 17" in str(error)
    assert "utf-8" in str(error)
    assert (error.field, error.row, error.position, error.encoding) == (
        "TEN_PHUONG",
        17,
        2,
        "utf-8",
    )


def test_a_byte_undefined_in_tcvn3_is_reported_with_its_value_and_offset():
    with pytest.raises(LegacyDecodeError, match=r"tcvn3.*0x80 at offset 3"):
        decode(b"abc\x80", "tcvn3")


def test_a_vni_diacritic_byte_without_a_letter_to_sit_on_is_an_error():
    with pytest.raises(LegacyDecodeError, match="diacritic"):
        decode(b"Ph\xf9", "vni")  # acute after "h"


def test_a_vni_diacritic_in_the_other_letter_case_is_an_error():
    with pytest.raises(LegacyDecodeError):
        decode(b"A\xf9", "vni")  # lowercase acute after a capital A


def test_a_byte_undefined_in_cp1258_is_an_error():
    with pytest.raises(LegacyDecodeError, match="cp1258"):
        decode(b"abc\x81", "cp1258")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("€", "tcvn3"), ("ç", "vni"), ("中", "cp1258"), ("ệ", "latin-1"), ("đ", "ascii")],
)
def test_characters_an_encoding_lacks_cannot_be_encoded(text, encoding):
    with pytest.raises(LegacyEncodeError, match=encoding):
        encode(text, encoding)


# --- mojibake -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Phường 25",
        "Thành phố Hồ Chí Minh",
        "Tôi yêu tiếng nước tôi từ khi mới ra đời",
        "ĐƯỜNG NGUYỄN HỮU CẢNH – “Quận 1”…",
        "PHƯờNG 25",  # TCVN3 capitals typed in the .VnTimeH font
        "Hello, world! 123 #@$%",
        "",
    ],
)
def test_normal_vietnamese_and_plain_ascii_look_vietnamese(text):
    assert looks_vietnamese(text)


def test_tcvn3_bytes_read_as_cp1258_are_recognised_as_mojibake():
    wrong = decode(b"Ph\xad\xeang", "cp1258")
    assert wrong == "Ph\u00adêng"
    assert not looks_vietnamese(wrong)


def test_vni_bytes_read_as_cp1258_are_recognised_as_mojibake():
    wrong = decode(b"Ph\xf6\xf4\xf8ng", "cp1258")
    assert wrong == "Phöôøng"
    assert not looks_vietnamese(wrong)


def test_utf8_bytes_read_as_latin1_are_recognised_as_mojibake():
    wrong = decode("Phường".encode(), "latin-1")
    assert wrong.startswith("PhÆ°")
    assert not looks_vietnamese(wrong)


@pytest.mark.parametrize(
    ("name", "right", "wrong"),
    [
        (name, right, wrong)
        for name in WARD_AND_STREET_NAMES
        for right in ("tcvn3", "vni", "cp1258")
        for wrong in ("cp1258", "latin-1")
        if right != wrong
    ],
)
def test_legacy_bytes_read_with_a_latin_table_never_look_vietnamese(name, right, wrong):
    raw = encode(name, right)
    try:
        text = decode(raw, wrong)
    except LegacyDecodeError:
        return
    assert not looks_vietnamese(text), (name, right, wrong, text)


# --- guessing -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "tcvn3", "vni", "cp1258"])
@pytest.mark.parametrize("name", WARD_AND_STREET_NAMES)
def test_guess_encoding_recognises_each_ward_or_street_name_in_each_encoding(name, encoding):
    assert guess_encoding([encode(name, encoding)]) == encoding


@pytest.mark.parametrize("encoding", ["utf-8", "tcvn3", "vni", "cp1258"])
def test_guess_encoding_recognises_a_whole_layer_in_each_encoding(encoding):
    samples = [encode(value, encoding) for value in LAYER_VALUES]
    assert guess_encoding(samples) == encoding


def test_guess_encoding_picks_vni_for_vni_bytes_that_tcvn3_can_also_read():
    raw = b"Ph\xf6\xf4\xf8ng"  # VNI; as TCVN3 it reads "Phửụứng", three tone marks
    assert decode(raw, "tcvn3") == "Phửụứng"
    assert guess_encoding([raw]) == "vni"


def test_guess_encoding_reads_tcvn3_capitals_typed_in_the_vntimeh_font():
    samples = [b"PH\xa6\xeaNG 25", b"\xa7I\xd6N BI\xa3N PH\xf1"]  # PHƯờNG 25, ĐIệN BIÊN PHủ
    assert guess_encoding(samples) == "tcvn3"


def test_guess_encoding_ignores_the_nul_and_space_padding_of_dbf_fields():
    assert guess_encoding([b"Ph\xf6\xf4\xf8ng 25      \x00\x00"]) == "vni"


def test_guess_encoding_returns_none_for_ascii_only_samples():
    assert guess_encoding([b"Quan 1", b"Phuong 25", b""]) is None


def test_guess_encoding_returns_none_when_no_encoding_gives_vietnamese():
    assert guess_encoding([b"Stra\xdfe \x80\x81"]) is None
    assert guess_encoding(["Müller Straße".encode("latin-1")]) is None


def test_a_lone_value_with_only_latin1_accents_is_ambiguous_and_tcvn3_wins_the_tie():
    raw = encode("Cát Lái", "cp1258")
    assert decode(raw, "tcvn3") == "Cỏt Lỏi"  # also spelled like Vietnamese
    assert guess_encoding([raw]) == "tcvn3"
    layer = [encode(value, "cp1258") for value in ("Cát Lái", "Thạnh Mỹ Lợi", "Bình Trưng")]
    assert guess_encoding(layer) == "cp1258"


# --- Python codecs ------------------------------------------------------------------------


def test_importing_the_module_registers_tcvn3_and_vni_python_codecs():
    assert b"Ph\xad\xeang".decode("tcvn3") == "Phường"
    assert b"Ph\xf6\xf4\xf8ng".decode("VNI-Windows") == "Phường"
    assert "Phường".encode("tcvn5712") == b"Ph\xad\xeang"
    assert "Phường".encode("vni") == b"Ph\xf6\xf4\xf8ng"
    assert codecs.lookup("vni_win").name == "vni"


def test_the_codecs_honour_python_error_handlers():
    assert b"a\x80b".decode("tcvn3", "replace") == "a\ufffdb"
    assert b"a\x80b".decode("vni", "replace") == "a\ufffdb"
    assert "a€b".encode("vni", "replace") == b"a?b"
    assert "a€b".encode("tcvn3", "ignore") == b"ab"
    with pytest.raises(UnicodeDecodeError):
        b"\xf9".decode("vni")


def test_the_vni_incremental_decoder_waits_for_a_mark_split_from_its_letter():
    decoder = codecs.getincrementaldecoder("vni")()
    assert decoder.decode(b"Ph\xf6\xf4") == "Phư"  # 0xF4 is ơ, unless a tone byte follows
    assert decoder.decode(b"\xf8ng", final=True) == "ờng"


def test_a_vni_text_file_can_be_read_through_io():
    stream = io.TextIOWrapper(io.BytesIO(b"Ph\xf6\xf4\xf8ng 25\nBa\xefch \xd1a\xe8ng\n"), "vni")
    assert stream.read().splitlines() == ["Phường 25", "Bạch Đằng"]


def test_the_column_check_agrees_with_the_value_check():
    from gis.encodings import first_not_vietnamese, looks_vietnamese

    values = ["Phường 25", None, "Điện Biên Phủ", "ĐƯờNG", "PhýõÌng", "Ph\xadêng", "plain ascii"]
    expected = [i for i, v in enumerate(values) if v and not looks_vietnamese(v)]
    assert expected == [4, 5]
    assert first_not_vietnamese(values) == 4
    assert first_not_vietnamese(values[:4] + values[6:]) is None
    assert first_not_vietnamese(["x", "ChƯ"]) == 1


def test_the_arrow_column_check_agrees_with_the_value_check():
    import pyarrow as pa

    from gis.encodings import first_not_vietnamese_array

    assert first_not_vietnamese_array(pa.array(["Phường 25", None, "ĐƯờNG", "PhýõÌng"])) == 3
    assert first_not_vietnamese_array(pa.array(["Ph\xadêng"])) == 0
    assert first_not_vietnamese_array(pa.array(["Điện Biên Phủ", None])) is None
