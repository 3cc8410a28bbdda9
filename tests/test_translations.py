"""Vietnamese is the default language: every string we wrote must have its translation."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
# The project's catalogue and one per app (each app keeps its own strings).
CATALOGUES = sorted(
    [
        ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po",
        *ROOT.glob("*/locale/vi/LC_MESSAGES/django.po"),
    ]
)


def test_each_app_with_strings_has_a_vietnamese_catalogue():
    names = {po.relative_to(ROOT).parts[0] for po in CATALOGUES}
    assert {"locale", "gis", "planning"} <= names


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: str(po.relative_to(ROOT)))
@pytest.mark.parametrize("flag", ["--untranslated", "--only-fuzzy"])
def test_the_vietnamese_catalogue_has_no_missing_or_fuzzy_entry(flag, po):
    if shutil.which("msgattrib") is None:
        pytest.fail("gettext is not installed; run `make setup`")
    out = subprocess.run(
        ["msgattrib", flag, "--no-wrap", str(po)], capture_output=True, text=True, check=True
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
