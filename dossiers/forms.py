"""Forms of the dossier pages: they parse and validate input; the services decide."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from dossiers.documents import Upload
from dossiers.models import Procedure, Result
from dossiers.services import Applicant, Building
from gis.models import Parcel

_KEY = re.compile(r"^\s*(\d{5})[\s\-./]*(\d{1,4})[\s\-./]+(\d{1,5})\s*$")
_KEY_DIGITS = re.compile(r"^\s*(\d{5})(\d{3})(\d{4})\s*$")


def parse_parcel_key(text: str) -> tuple[str, int, int] | None:
    """'26905-010-0016', '26905 10 16' or '269050100016' → ('26905', 10, 16)."""
    match = _KEY_DIGITS.match(text) or _KEY.match(text)
    if not match:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def uploads(files: list[Any], label: str = "") -> list[Upload]:
    """The uploaded files as the service takes them (read whole: they are size-checked there),
    named after the file, with `label` before it when given."""
    return [
        Upload(name=f"{label}: {f.name}" if label else f.name, filename=f.name, content=f.read())
        for f in files
    ]


def _variant_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups = []
    for procedure in Procedure.objects.filter(active=True).exclude(deadline_variants=[]):
        options = [
            (f"{procedure.code}={item['code']}", f"{item['name']} ({item['days']})")
            for item in procedure.deadline_variants
        ]
        groups.append((f"{procedure.name} – {procedure.variant_label}", options))
    return groups


class IntakeForm(forms.Form):
    """Online intake by a citizen, and intake at the counter by an officer."""

    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=Procedure.objects.filter(active=True).order_by("name")
    )
    variants = forms.MultipleChoiceField(
        label=_("Project group or works grade"), required=False, choices=()
    )
    applicant_name = forms.CharField(label=_("Applicant's full name"), max_length=200)
    applicant_id_number = forms.CharField(
        label=_("ID number (12 digits)"),
        max_length=20,
        widget=forms.TextInput({"inputmode": "numeric"}),
    )
    applicant_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    applicant_email = forms.EmailField(label=_("Email (for the notifications)"), required=False)
    applicant_address = forms.CharField(
        label=_("Applicant's address"), max_length=300, required=False
    )
    parcel_key = forms.CharField(
        label=_("Parcel key (ward-sheet-parcel)"),
        max_length=30,
        required=False,
        help_text=_("Pick the parcel on the map, or type its key, e.g. 26905-010-0016."),
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    address = forms.CharField(label=_("Address of the site"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description of the works"), required=False, widget=forms.Textarea({"rows": 2})
    )
    floors = forms.IntegerField(label=_("Floors"), required=False, min_value=1, max_value=200)
    height_m = forms.DecimalField(
        label=_("Height (m)"),
        required=False,
        min_value=Decimal("0.1"),
        max_digits=6,
        decimal_places=2,
    )
    footprint_m2 = forms.DecimalField(
        label=_("Footprint (m²)"),
        required=False,
        min_value=Decimal("0.1"),
        max_digits=10,
        decimal_places=2,
    )
    gross_floor_area_m2 = forms.DecimalField(
        label=_("Gross floor area (m²)"),
        required=False,
        min_value=Decimal("0.1"),
        max_digits=12,
        decimal_places=2,
    )
    setback_m = forms.DecimalField(
        label=_("Setback from the road boundary (m)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=2,
    )
    documents = MultipleFileField(label=_("Documents (PDF, PNG or JPEG)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["variants"].choices = _variant_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        key = (data.get("parcel_key") or "").strip()
        data["parcel"] = None
        data["location"] = None
        if key:
            parsed = parse_parcel_key(key)
            parcel = (
                Parcel.objects.by_key(*parsed).select_related("ward").first() if parsed else None
            )
            if parcel is None:
                self.add_error("parcel_key", _("No parcel has this key."))
            data["parcel"] = parcel
        if data.get("lon") is not None and data.get("lat") is not None:
            data["location"] = Point(data["lon"], data["lat"], srid=4326)
        if data["parcel"] is None and data["location"] is None and not self.errors:
            self.add_error("parcel_key", _("Pick the parcel on the map or give its key."))
        return data

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            name=data["applicant_name"],
            id_number=data["applicant_id_number"],
            phone=data.get("applicant_phone") or "",
            email=data.get("applicant_email") or "",
            address=data.get("applicant_address") or "",
        )

    def building(self) -> Building | None:
        data = self.cleaned_data
        if data.get("floors") is None and data.get("height_m") is None:
            return None
        return Building(
            floors=data.get("floors") or 0,
            height_m=data.get("height_m") or Decimal(0),
            footprint_m2=data.get("footprint_m2") or Decimal(0),
            gross_floor_area_m2=data.get("gross_floor_area_m2") or Decimal(0),
            setback_m=data.get("setback_m"),
        )

    def chosen_variants(self) -> dict[str, str]:
        chosen = {}
        for value in self.cleaned_data.get("variants") or []:
            code, _sep, variant = value.partition("=")
            chosen[code] = variant
        return chosen

    def intake(self) -> dict[str, Any]:
        """The keyword arguments of the intake services."""
        data = self.cleaned_data
        return {
            "procedure": data["procedure"],
            "applicant": self.applicant(),
            "parcel": data["parcel"],
            "location": data["location"],
            "address": data.get("address") or "",
            "building": self.building(),
            "description": data.get("description") or "",
            "variants": self.chosen_variants(),
            "documents": uploads(data.get("documents") or []),
        }


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Dossier code"), max_length=60)
    id_number = forms.CharField(
        label=_("ID number of the applicant"),
        max_length=20,
        widget=forms.TextInput({"inputmode": "numeric"}),
    )


class RatingForm(LookupForm):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea({"rows": 2})
    )


class ActionForm(forms.Form):
    """The fields an officer's action may need; each action reads the ones it uses."""

    note = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))
    handler = forms.IntegerField(required=False)
    result = forms.ChoiceField(required=False, choices=[("", ""), *Result.choices])
    new_date = forms.DateField(required=False, widget=forms.DateInput({"type": "date"}))
    rating = forms.TypedChoiceField(
        required=False,
        choices=[("", "")] + [(i, str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
    )
    branch = forms.IntegerField(required=False)
    consultation = forms.IntegerField(required=False)
    agreed = forms.TypedChoiceField(
        required=False,
        choices=[("1", "1"), ("0", "0")],
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    documents = MultipleFileField(required=False)
