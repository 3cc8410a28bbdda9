"""ASGI entry point, served by gunicorn's ASGI worker in `make run`.

The async fast paths (the planning lookup by point or parcel; see urbanmgmt/fastpath.py)
answer on each worker's event loop. Everything else is urbanmgmt.wsgi's application (the WSGI
fast paths in front of Django), run by a2wsgi in a pool of WSGI_THREADS threads, so Django
works exactly as under a threaded WSGI server: a connection per thread, kept for
CONN_MAX_AGE, blocking views and all.
"""

import os

from a2wsgi import WSGIMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmgmt.settings")

from django.conf import settings

from urbanmgmt.fastpath import AsyncFastPaths
from urbanmgmt.wsgi import application as wsgi_application

application = AsyncFastPaths(WSGIMiddleware(wsgi_application, workers=settings.WSGI_THREADS))
