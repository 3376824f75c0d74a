from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from . import routes  # noqa: E402, F401
