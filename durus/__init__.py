"""Durus: publish and listen to recorded lectures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from . import config as settings
from .extensions import csrf, db, limiter, migrate, oauth


def create_app(config: dict[str, Any] | None = None) -> Flask:
    instance_path = Path((config or {}).get("INSTANCE_PATH", settings.DEFAULT_INSTANCE_PATH))
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(settings.PROJECT_ROOT / "templates"),
        static_folder=str(settings.PROJECT_ROOT / "static"),
    )
    app.config.update(settings.from_environment(instance_path, config or {}))

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    oauth.init_app(app)

    if app.config["DATABASE_IS_EXTERNAL"]:
        from .database import check_connection

        with app.app_context():
            check_connection(db.engine)

    from . import analytics, errors, i18n, security, templating
    from .auth import oidc, sessions

    analytics.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    sessions.init_app(app)
    oidc.init_app(app)

    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .catalogue import bp as catalogue_bp
    from .editorial import bp as editorial_bp
    from .library import bp as library_bp
    from .player import bp as player_bp

    app.register_blueprint(catalogue_bp)
    app.register_blueprint(editorial_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(player_bp)
    app.register_blueprint(library_bp)
    app.register_blueprint(admin_bp)

    from .cli import register_commands

    register_commands(app)
    return app
