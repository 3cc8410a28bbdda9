from django.http import HttpRequest, HttpResponse


def track(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse(code)
