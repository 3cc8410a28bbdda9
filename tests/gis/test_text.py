import unicodedata

import pyarrow as pa

from gis.text import fold, fold_array, nfc, nfc_array

SAMPLES = [
    "  Phường  25 ",
    None,
    unicodedata.normalize("NFD", "Điện Biên Phủ"),
    "ĐẠI lộ\tX",
    "",
    "Xô Viết Nghệ Tĩnh",
]
# Odd but real: non-breaking and ideographic spaces, a lone combining mark, letters that
# fold to several (Hangul), text beyond Vietnamese, white space only.
UNUSUAL = [
    "\u00a0Nguyễn\u2003Trãi\u3000",
    "a \u0301 b",
    "한국 Đường",
    "İstanbul Straße",
    " \t\n ",
    "Ελληνικά Кириллица",
]


def test_folding_a_column_gives_what_folding_each_value_gives():
    assert fold_array(pa.array(SAMPLES)).to_pylist() == [fold(v) if v else "" for v in SAMPLES]


def test_folding_unusual_text_gives_what_folding_each_value_gives():
    values = SAMPLES + UNUSUAL
    assert fold_array(pa.array(values)).to_pylist() == [fold(v) if v else "" for v in values]


def test_folding_part_of_a_column_folds_only_that_part():
    column = pa.array(["Bà Chiểu", "Thạnh Mỹ Tây", "Gia Định", "Chợ Lớn"]).slice(1, 2)
    assert fold_array(column).to_pylist() == ["thanh my tay", "gia dinh"]


def test_folding_an_empty_or_all_missing_column():
    assert fold_array(pa.array([], pa.string())).to_pylist() == []
    assert fold_array(pa.array([None, None], pa.string())).to_pylist() == ["", ""]


def test_normalising_a_column_gives_what_normalising_each_value_gives():
    assert nfc_array(pa.array(SAMPLES)).to_pylist() == [
        None if v is None else nfc(v) for v in SAMPLES
    ]


def test_normalising_text_that_is_already_nfc_or_ascii_changes_only_its_ends():
    values = ["  Phường 25 ", "Quan 1 ", None]
    assert nfc_array(pa.array(values)).to_pylist() == ["Phường 25", "Quan 1", None]


def test_search_folding_ignores_diacritics_and_case():
    assert fold("Phường 25") == fold("phuong 25") == "phuong 25"
    assert fold("Điện Biên Phủ") == "dien bien phu"
