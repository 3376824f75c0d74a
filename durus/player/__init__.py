"""Listening: the audio itself (and, later, the player and progress sync)."""

from flask import Blueprint

bp = Blueprint("player", __name__)

from . import progress, routes  # noqa: E402, F401
