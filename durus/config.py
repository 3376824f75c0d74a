"""Settings from the environment, with defaults that work on a laptop with no configuration.

Every setting is read here and nowhere else; README.md lists them.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"


class ConfigurationError(SystemExit):
    """A setting that stops Durus from starting; shown to the operator as one line."""

    def __init__(self, message: str) -> None:
        super().__init__(f"durus: {message}")


def sqlalchemy_url(url: str) -> str:
    """Make a libpq-style URL use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("postgresql+psycopg://"):
        return url
    raise ConfigurationError(
        "DATABASE_URL must be a PostgreSQL URL (postgresql://user:password@host:port/name)"
    )


def instance_secret_key(instance_path: Path) -> str:
    """A secret generated once into instance/secret_key, readable by its owner only."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def database_url(instance_path: Path) -> tuple[str, bool]:
    """(SQLAlchemy URL, whether it is external). Unset DATABASE_URL means the embedded server."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return sqlalchemy_url(url), True
    from .embedded_db import embedded_database_url

    try:
        return sqlalchemy_url(embedded_database_url(instance_path)), False
    except Exception as exc:  # pgserver raises assorted errors; the operator needs one line
        raise ConfigurationError(
            f"could not start the embedded PostgreSQL in {instance_path / 'pgdata'}: {exc}"
        ) from exc


MIN_SECRET_KEY_LENGTH = 32
MAX_REMEMBER_DAYS = 30


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Any, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None


def security_settings(env: Any, instance_path: Path) -> dict[str, Any]:
    """Cookies, sessions, proxies, rate limits and mail."""
    https = _flag(env.get("HTTPS"))
    remember_days = min(_int(env, "REMEMBER_DAYS", MAX_REMEMBER_DAYS), MAX_REMEMBER_DAYS)
    return {
        "DURUS_ENV": env.get("DURUS_ENV", "development").strip() or "development",
        "SECRET_KEY_FALLBACKS": [
            key.strip() for key in env.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()
        ],
        "HTTPS": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_DURATION": timedelta(days=remember_days),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=_int(env, "SESSION_IDLE_MINUTES", 8 * 60)),
        "SESSION_MAX_AGE": timedelta(days=_int(env, "SESSION_MAX_DAYS", 7)),
        # A lecture page stays open for hours and keeps posting progress: the token lives
        # as long as the session does.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "PASSWORD_SIGN_IN": _flag(env.get("PASSWORD_SIGN_IN"), default=True),
        "PASSWORD_RESET_MAX_AGE": timedelta(minutes=_int(env, "PASSWORD_RESET_MINUTES", 60)),
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "outbox"),
        "MAIL_OUTBOX": env.get("MAIL_OUTBOX") or str(instance_path / "outbox"),
        "MAIL_FROM": env.get("MAIL_FROM", "Durus <no-reply@durus.localhost>"),
        "SMTP_HOST": env.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": _int(env, "SMTP_PORT", 587),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _flag(env.get("SMTP_STARTTLS"), default=True),
        "OIDC_PROVIDERS": oidc_providers(env),
        "PODCAST_OWNER_EMAIL": env.get("PODCAST_OWNER_EMAIL", "").strip() or None,
    }


def oidc_providers(env: Any) -> list[dict[str, str]]:
    """OIDC_PROVIDERS=google,staff names providers; each has OIDC_<NAME>_ISSUER,
    OIDC_<NAME>_CLIENT_ID, OIDC_<NAME>_CLIENT_SECRET and OIDC_<NAME>_DISPLAY_NAME."""
    providers = []
    for name in [n.strip().lower() for n in env.get("OIDC_PROVIDERS", "").split(",") if n.strip()]:
        prefix = f"OIDC_{name.upper()}_"
        missing = [k for k in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET") if not env.get(prefix + k)]
        if missing:
            raise ConfigurationError(
                f"OpenID Connect provider {name!r} needs {', '.join(prefix + k for k in missing)}"
            )
        providers.append(
            {
                "name": name,
                "issuer": env[prefix + "ISSUER"],  # exactly: it is compared with discovery
                "client_id": env[prefix + "CLIENT_ID"],
                "client_secret": env[prefix + "CLIENT_SECRET"],
                "display_name": env.get(prefix + "DISPLAY_NAME") or name.title(),
            }
        )
    return providers


def accel_redirect_prefix(env: Any) -> str | None:
    """MEDIA_ACCEL_REDIRECT_PREFIX=/_media/: audio bytes are left to the front web server
    (nginx's X-Accel-Redirect to an internal location); unset, Durus sends them itself."""
    raw = env.get("MEDIA_ACCEL_REDIRECT_PREFIX", "").strip()
    if not raw:
        return None
    if not raw.startswith("/") or any(c in raw for c in "?#\\ ") or ".." in raw:
        raise ConfigurationError(
            f"MEDIA_ACCEL_REDIRECT_PREFIX must be a path such as /_media/, not {raw!r}"
        )
    return raw if raw.endswith("/") else raw + "/"


def check_secret_key(config: dict[str, Any]) -> None:
    """Outside development a real key is required: a missing or short one stops start-up."""
    if config["DURUS_ENV"] == "development" or config.get("TESTING"):
        return
    key = config.get("SECRET_KEY") or ""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            f"SECRET_KEY must be set to at least {MIN_SECRET_KEY_LENGTH} random characters "
            f"when DURUS_ENV is {config['DURUS_ENV']!r}"
        )


def from_environment(instance_path: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """The application's configuration. `overrides` (tests) win over the environment, and a
    given SQLALCHEMY_DATABASE_URI means the database is not looked up at all."""
    env = os.environ
    config: dict[str, Any] = {
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(instance_path / "media"),
        "ANALYTICS_DIR": env.get("ANALYTICS_DIR") or str(instance_path / "analytics"),
        "MEDIA_ACCEL_REDIRECT_PREFIX": accel_redirect_prefix(env),
        # While the database is away a request fails within seconds (a 503), never hangs: a
        # connection is tested before use (pre-ping), opening one gives up after 3 s, waiting
        # for a free one in the pool after 5 s; over TCP, a server that stops answering is
        # noticed after 10 s of unacknowledged data (tcp_user_timeout) or idle keepalives.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "pool_timeout": 5,
            "connect_args": {
                "connect_timeout": 3,
                "application_name": "durus",
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 2,
                "tcp_user_timeout": 10000,
            },
        },
        "SQLALCHEMY_RECORD_QUERIES": False,
        "DATABASE_IS_EXTERNAL": False,
        "TEMPLATES_AUTO_RELOAD": None,
        "HOME_LECTURE_COUNT": 20,
        "COMPLETION_TAIL_SECONDS": _int(env, "COMPLETION_TAIL_SECONDS", 30),
        "COMPLETION_FRACTION": float(env.get("COMPLETION_FRACTION") or 0.97),
        "MAX_AUDIO_UPLOAD_MB": _int(env, "MAX_AUDIO_UPLOAD_MB", 500),
        "MAX_IMAGE_UPLOAD_MB": _int(env, "MAX_IMAGE_UPLOAD_MB", 5),
    }
    config.update(security_settings(env, instance_path))
    config.update(overrides)
    # The largest request Flask reads: an audio upload (plus its few form fields).
    config.setdefault("MAX_CONTENT_LENGTH", (config["MAX_AUDIO_UPLOAD_MB"] + 1) * 1024 * 1024)
    check_secret_key(config)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret_key(instance_path)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        url, external = database_url(instance_path)
        config["SQLALCHEMY_DATABASE_URI"] = url
        config["DATABASE_IS_EXTERNAL"] = external
    return config
