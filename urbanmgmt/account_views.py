"""Signing in, signing up and one's own account page."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from urbanmgmt import policy
from urbanmgmt.accounts import AccountError, create_citizen
from urbanmgmt.forms import LoginForm, SignupForm


class SignInView(LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = create_citizen(
                    login=form.cleaned_data["login"],
                    password=form.cleaned_data["password1"],
                    full_name=form.cleaned_data["full_name"],
                )
            except AccountError as exc:
                form.add_error(None, str(exc))
            else:
                login(request, user, backend="urbanmgmt.backends.LoginNameBackend")
                return redirect("account")
        status = 400
    return render(request, "account/signup.html", {"form": form}, status=status)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    posts = policy.posts(request.user)
    return render(
        request,
        "account/home.html",
        {"posts": [p for p in posts], "is_official": policy.is_official(request.user)},
    )


def locked_out(
    request: HttpRequest, credentials: dict | None = None, *args, **kwargs
) -> HttpResponse:
    return render(request, "registration/locked_out.html", status=429)
