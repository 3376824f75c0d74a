"""WSGI entry point: `flask --app app run`, `gunicorn app:app`."""

from durus import create_app

app = create_app()
