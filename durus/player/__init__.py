"""Listening: the audio itself, progress sync, and the images listener pages show."""

from flask import Blueprint

bp = Blueprint("player", __name__)

from . import images, progress, routes  # noqa: E402, F401
