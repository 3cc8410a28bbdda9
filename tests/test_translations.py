"""Vietnamese is the default language: every string we wrote must have its translation."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("flag", ["--untranslated", "--only-fuzzy"])
def test_the_vietnamese_catalogue_has_no_missing_or_fuzzy_entry(flag):
    if shutil.which("msgattrib") is None:
        pytest.fail("gettext is not installed; run `make setup`")
    out = subprocess.run(
        ["msgattrib", flag, "--no-wrap", str(PO)], capture_output=True, text=True, check=True
    ).stdout
    entries = [
        block
        for block in out.split("\n\n")
        if "msgid" in block and 'msgid ""\nmsgstr ""\n"Project' not in block
    ]
    assert entries == []


def test_messages_come_out_in_vietnamese_by_default():
    with translation.override("vi"):
        assert translation.gettext("Wards") != "Wards"
        assert "ngoài" in translation.gettext("This place is outside the area we cover.").lower()
