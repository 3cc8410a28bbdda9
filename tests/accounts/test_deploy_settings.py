"""Django's own deployment check passes with the production settings (served over HTTPS)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env: str) -> subprocess.CompletedProcess:
    # The browser tests' fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment
    # does not, and check --deploy rightly objects to it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {
        **inherited,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "production-secret-key-long-enough-xyz" * 2,
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_settings():
    result = run_check(HTTPS="1", ALLOWED_HOSTS="gis.binhthanh.example.vn")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_served_without_https():
    result = run_check(ALLOWED_HOSTS="gis.binhthanh.example.vn")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr
