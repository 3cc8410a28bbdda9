"""The least an app can do: a fixed JSON body with the headers our fast path sends.

bench/lookup.py serves it with the same gunicorn as our app (the ASGI worker, workers, access
log) to show what gunicorn itself costs per request (the floor under any answer we serve).
The body has the size of one of our answers (BENCH_FLOOR_BODY_BYTES)."""

import os

_SIZE = int(os.environ.get("BENCH_FLOOR_BODY_BYTES", "2500"))
BODY = b'{"x":"' + b"a" * max(0, _SIZE - 8) + b'"}'
HEADERS = [
    (name.lower().encode(), value.encode())
    for name, value in [
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
]


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
