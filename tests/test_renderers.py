"""urbanmgmt.renderers: orjson's output read as DRF's JSONRenderer writes it."""

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy, override
from rest_framework.renderers import JSONRenderer

from urbanmgmt.renderers import FastJSONRenderer, json_bytes

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")


def drf(data, media_type=None):
    return JSONRenderer().render(data, media_type)


def test_it_writes_what_drf_writes_byte_for_byte():
    data = {
        "name": "Phường Điện Biên Phủ",  # diacritics kept, not escaped
        "key": "26920-010-0016",
        "day": dt.date(2026, 11, 27),
        "at": dt.datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=SAIGON),
        "utc": dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC),
        "time": dt.time(7, 5),
        "fee": Decimal("150000.50"),
        "share": 0.4375,
        "area": 123.4,
        "floors": 5,
        "none": None,
        "yes": True,
        "nested": [{"a": [1, 2.5, "x"]}, []],
        "quote": 'say "hi"\\ \n\t',
    }
    with override("vi"):
        data["label"] = gettext_lazy("Bad Request")

        assert json_bytes(data) == drf(data)


def test_it_escapes_the_line_separators_as_drf_does():
    data = {"text": "a\u2028b\u2029c"}

    assert json_bytes(data) == drf(data) == b'{"text":"a\\u2028b\\u2029c"}'


def test_what_orjson_refuses_is_written_by_the_standard_library():
    data = {"big": 2**70, 5: "a key that is not a string"}

    assert json_bytes(data) == drf(data)


def test_small_floats_are_the_same_numbers_in_another_notation():
    data = {"tiny": 1e-05, "huge": 1e22, "third": 1 / 3}

    assert json_bytes(data) == b'{"tiny":0.00001,"huge":1e+22,"third":0.3333333333333333}'
    assert json.loads(json_bytes(data)) == json.loads(drf(data)) == data


def test_an_indented_answer_is_left_to_drf():
    data = {"a": [1, {"b": "Quận 4"}]}
    media_type = "application/json; indent=2"

    assert FastJSONRenderer().render(data, media_type) == drf(data, media_type)
    assert b"\n  " in FastJSONRenderer().render(data, media_type)
