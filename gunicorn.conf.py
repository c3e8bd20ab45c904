"""gunicorn settings for production.

gunicorn reads this file from the working directory (``gunicorn wsgi:app``
started in the repository root) or from ``-c gunicorn.conf.py``. Command-line
options and ``GUNICORN_CMD_ARGS`` still override what is set here.
"""

import os

import gunicorn
import gunicorn.http.wsgi

#: What the ``Server`` header says: the product, never a server name or
#: version (gunicorn would send ``gunicorn``; older releases added the version).
SERVER_HEADER = "tumorboard"

# gunicorn builds the header from the module constant ``SERVER``, which its
# HTTP module copied at import: set both, and the environ's SERVER_SOFTWARE.
gunicorn.SERVER = gunicorn.http.wsgi.SERVER = SERVER_HEADER
gunicorn.SERVER_SOFTWARE = gunicorn.http.wsgi.SERVER_SOFTWARE = SERVER_HEADER

# Sync workers, as measured in /work/shared/LIBRARIES.md; 2 per core is a
# good start. WEB_CONCURRENCY or --workers override it.
worker_class = "sync"

# WEB_CONCURRENCY (or --workers) sets the number of worker processes; each
# holds its own small database pool (config.py, DATABASE_POOL).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# A request still running after 60 s is killed with its worker; the app's
# PostgreSQL statement timeout (30 s) ends slow queries before that.
timeout = 60
graceful_timeout = 30
# Behind a reverse proxy that keeps connections to the app open.
keepalive = 5
# Renew workers now and then so that no slow growth of memory lasts.
max_requests = 2000
max_requests_jitter = 200
# The app logs each request itself (JSON, no query string: a search may carry
# a patient's name); gunicorn's access log would print the full URL.
accesslog = None
errorlog = "-"
# gunicorn's own messages as JSON lines too, like the app's (the app adds its
# JSON handler to the root logger itself: none here, or lines would double).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "INFO", "handlers": []},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
        }
    },
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        # No level: gunicorn's --log-level (info by default) sets it.
        "gunicorn.error": {
            "handlers": ["error_console"],
            "propagate": False,
            "qualname": "gunicorn.error",
        },
        "gunicorn.access": {
            "level": "INFO",
            "handlers": [],
            "propagate": False,
            "qualname": "gunicorn.access",
        },
    },
}


def post_fork(server, worker):
    """With ``--preload`` the app (and its database pool) was built in the
    master: each worker drops the inherited connections and opens its own,
    or two processes would talk over one socket."""
    if server.cfg.preload_app:
        from tumorboard.serving import dispose_engines

        dispose_engines(server.app.wsgi())
