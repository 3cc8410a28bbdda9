"""WSGI entry point, served by gunicorn in `make run`: the fast paths (tiles, the planning
lookup; see urbanmgmt/fastpath.py) in front of Django."""

import os

from django.core.wsgi import get_wsgi_application

from urbanmgmt.fastpath import FastPaths

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmgmt.settings")
application = FastPaths(get_wsgi_application())
