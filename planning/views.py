"""The citizens' planning map and the printable planning-information sheet."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def map_page(request: HttpRequest) -> HttpResponse:
    return render(request, "planning/map.html", {})


def sheet(request: HttpRequest, key: str) -> HttpResponse:
    return render(request, "planning/sheet.html", {})
