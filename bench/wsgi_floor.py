"""The least a WSGI app can do: a fixed JSON body with the headers our fast path sends.

bench/lookup.py serves it with the same gunicorn, workers, threads and access log as our app,
to show what gunicorn itself costs per request (the floor under any answer we serve).
The body has the size of one of our answers (BENCH_FLOOR_BODY_BYTES)."""

import os

_SIZE = int(os.environ.get("BENCH_FLOOR_BODY_BYTES", "2500"))
BODY = b'{"x":"' + b"a" * max(0, _SIZE - 8) + b'"}'
HEADERS = [
    ("Content-Type", "application/json"),
    ("Allow", "GET, HEAD, OPTIONS"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Vary", "Cookie"),
    ("Content-Language", "vi"),
    ("Content-Length", str(len(BODY))),
]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
