"""Extensions, created unbound and attached to the app in create_app()."""

from authlib.integrations.flask_client import OAuth
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=False)
csrf = CSRFProtect()
login_manager = LoginManager()
oauth = OAuth()
# Limits are declared on the views that need them; none applies by default. The client
# address is request.remote_addr, which ProxyFix rewrites only behind a trusted proxy.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
