# Production image: one image for the web (uvicorn), the Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY arcachat arcachat
COPY accesscodes accesscodes
COPY knowledge knowledge
COPY providers providers
RUN pip install .
COPY . .
# collectstatic needs settings that import: a throwaway key for the build step only.
RUN DEBUG=0 SECRET_KEY=build-only-$(python -c "import secrets;print(secrets.token_hex(32))") \
    python manage.py collectstatic --noinput \
    && (python manage.py compilemessages --ignore=.venv -v 0 || true)
# Writable by the app user: uploaded documents, and celery beat's schedule (both volumes).
RUN useradd --system --uid 1000 arcachat && mkdir -p /app/media /app/celerybeat \
    && chown arcachat /app/media /app/celerybeat
USER arcachat
EXPOSE 8000
# The client address is read by the app from its trusted proxies only (TRUSTED_PROXIES,
# core/clients.py), never by uvicorn; no access log: it would write every client address.
CMD ["uvicorn", "arcachat.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--no-proxy-headers", "--no-access-log"]
