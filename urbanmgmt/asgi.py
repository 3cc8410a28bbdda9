"""ASGI entry point, served by gunicorn's ASGI worker in `make run`.

The async fast paths (the planning lookup by point or parcel; see urbanmgmt/fastpath.py)
answer on each worker's event loop. Everything else is urbanmgmt.wsgi's application (the WSGI
fast paths, such as tiles, in front of Django), run in a pool of WSGI_THREADS threads, so
Django works exactly as under a threaded WSGI server: a connection per thread, kept for
CONN_MAX_AGE, blocking views and all.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmgmt.settings")

from django.conf import settings

from urbanmgmt.fastpath import AsyncFastPaths
from urbanmgmt.wsgi import application as wsgi_application

application = AsyncFastPaths(wsgi_application, threads=settings.WSGI_THREADS)
