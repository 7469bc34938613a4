"""ASGI entry point (uvicorn): the chat view streams answers from here."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")

application = get_asgi_application()
