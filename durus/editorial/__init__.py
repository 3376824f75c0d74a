"""The editorial workspace: editors manage the scholars in their scope; admins everything."""

from flask import Blueprint

bp = Blueprint("editorial", __name__, url_prefix="/editorial")

from . import history, lectures, notes, routes, scholars, series  # noqa: E402, F401
