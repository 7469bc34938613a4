"""WSGI entry point, for management tooling only: serve ArcaChat with ASGI so answers stream."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")

application = get_wsgi_application()
