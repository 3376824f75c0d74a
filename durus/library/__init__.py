"""A signed-in listener's own space: favourites, saved series, continue listening, history."""

from flask import Blueprint

bp = Blueprint("library", __name__)

from . import marks, routes  # noqa: E402, F401
