"""Rate limits on filing and "me too", per device and per network address, in Django's cache.

One device files a few reports in a row at most; a whole street behind one carrier-grade NAT
address (Vietnamese mobile networks put thousands of phones behind one) must still get
through, so the address limit is far higher than the device limit and only stops floods.
Windows are fixed (counters that expire with their window); keys hold a keyed hash, never
the address or device id itself.

Settings (optional): REPORTS_RATE_LIMITS = {"device": [(seconds, count), ...], "ip": [...]}.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import caches

DEFAULT_LIMITS: dict[str, list[tuple[int, int]]] = {
    # 5 in 10 minutes and 20 a day from one phone (or account).
    "device": [(600, 5), (86_400, 20)],
    # 300 an hour from one address: a neighbourhood's worth of honest reporters.
    "ip": [(3_600, 300)],
}
CACHE_ALIAS = "default"


def keyed_hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _limits() -> dict[str, list[tuple[int, int]]]:
    return getattr(settings, "REPORTS_RATE_LIMITS", DEFAULT_LIMITS)


def _keys(action: str, identities: dict[str, str], now: float) -> list[tuple[str, int, int]]:
    keys = []
    for kind, identity in identities.items():
        if not identity:
            continue
        digest = keyed_hash(f"{kind}:{identity}")[:32]
        for window, count in _limits().get(kind, []):
            bucket = int(now // window)
            keys.append((f"reports:rl:{action}:{kind}:{digest}:{window}:{bucket}", window, count))
    return keys


def allowed(action: str, *, device: str = "", ip: str = "") -> bool:
    """True while every counter for this device and address is under its limit."""
    keys = _keys(action, {"device": device, "ip": ip}, time.time())
    if not keys:
        return True
    counts = caches[CACHE_ALIAS].get_many([key for key, _w, _c in keys])
    return all(counts.get(key, 0) < count for key, _w, count in keys)


def count(action: str, *, device: str = "", ip: str = "") -> None:
    """Count one more action against this device and address."""
    cache = caches[CACHE_ALIAS]
    for key, window, _count in _keys(action, {"device": device, "ip": ip}, time.time()):
        cache.add(key, 0, timeout=window + 60)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 60)
