from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from . import feeds, routes, search  # noqa: E402, F401
