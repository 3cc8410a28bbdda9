"""The citizen's filing form and the officials' action forms (parsing only; rules live in
reports.services)."""

from __future__ import annotations

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from reports.models import Category, CategoryGroup


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.label


def grouped_categories() -> list:
    """Choices grouped as urban order / environment and sanitation, for an <optgroup> select."""
    categories = list(Category.objects.filter(active=True))
    groups = []
    for value, label in CategoryGroup.choices:
        members = [(c.code, c.label) for c in categories if c.group == value]
        if members:
            groups.append((label, members))
    return [("", _("Choose a category")), *groups]


class FileReportForm(forms.Form):
    category = forms.ChoiceField(label=_("What is the problem?"))
    lon = forms.FloatField(widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(widget=forms.HiddenInput, min_value=-90, max_value=90)
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your description and photos will be public; your name and contact will not."),
    )
    photos = MultipleFileField(label=_("Photos (up to 5)"), required=False)
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    reporter_email = forms.EmailField(
        label=_("Email, to be told of each step (optional)"), required=False
    )
    reporter_phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = grouped_categories()
        self.fields["lon"].error_messages["required"] = _("Choose the place on the map.")
        self.fields["lat"].error_messages["required"] = _("Choose the place on the map.")

    @property
    def point(self) -> Point:
        return Point(self.cleaned_data["lon"], self.cleaned_data["lat"], srid=4326)

    def category_object(self) -> Category:
        return Category.objects.get(code=self.cleaned_data["category"])


class NoteForm(forms.Form):
    public_note = forms.CharField(label=_("Public update"), required=False, max_length=2000)


class AssignForm(NoteForm):
    assignee = forms.IntegerField(label=_("Officer"))


class ResolveForm(NoteForm):
    photo = forms.FileField(label=_("Photo after the work"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class MergeForm(NoteForm):
    into = forms.CharField(label=_("Tracking code of the original report"), max_length=9)


class HandOnForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=16)
    department = forms.CharField(
        label=_("Department code (optional)"), max_length=20, required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000)
    public_note = forms.CharField(label=_("Public update"), required=False, max_length=2000)
