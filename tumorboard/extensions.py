"""Extension instances, initialised in :func:`tumorboard.create_app`."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from tumorboard.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
#: Rate limits on sign-in and password endpoints only (no default limit).
#: Storage is ``RATELIMIT_STORAGE_URI``: Redis when ``REDIS_URL`` is set, else
#: memory (per process).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
