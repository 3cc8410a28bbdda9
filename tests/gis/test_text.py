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


def test_folding_a_column_gives_what_folding_each_value_gives():
    assert fold_array(pa.array(SAMPLES)).to_pylist() == [fold(v) if v else "" for v in SAMPLES]


def test_normalising_a_column_gives_what_normalising_each_value_gives():
    assert nfc_array(pa.array(SAMPLES)).to_pylist() == [
        None if v is None else nfc(v) for v in SAMPLES
    ]


def test_search_folding_ignores_diacritics_and_case():
    assert fold("Phường 25") == fold("phuong 25") == "phuong 25"
    assert fold("Điện Biên Phủ") == "dien bien phu"
