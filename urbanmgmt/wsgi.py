"""WSGI entry point: the fast paths (tiles, the planning lookup; see urbanmgmt/fastpath.py)
in front of Django. `make run` serves it inside urbanmgmt/asgi.py, in a pool of threads of
gunicorn's ASGI worker; any WSGI server can serve it alone."""

import os

from django.core.wsgi import get_wsgi_application

from urbanmgmt.fastpath import FastPaths

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmgmt.settings")
application = FastPaths(get_wsgi_application())
