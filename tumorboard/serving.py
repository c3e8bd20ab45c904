"""The development server, without the server's and Python's versions in the
``Server`` header (Werkzeug sends ``Werkzeug/3.1.9 Python/3.11.2``).

``make run`` starts it: ``python -m tumorboard.serving --port 5000``. In
production gunicorn serves the app (``gunicorn.conf.py`` hides its name and
calls :func:`dispose_engines` after each fork when the app is preloaded).
"""

from __future__ import annotations

import argparse

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, run_simple

from tumorboard import create_app
from tumorboard.extensions import db

#: What the ``Server`` header says, under every server.
SERVER_HEADER = "tumorboard"


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler with a ``Server`` header that names no
    software version."""

    def version_string(self) -> str:
        return SERVER_HEADER


def dispose_engines(wsgi) -> int:
    """Drop the pooled database connections of the Flask apps in ``wsgi``
    (the app itself, or a middleware around it) without closing them, which
    belong to the parent process after a fork; return how many engines."""
    seen, found = [wsgi], []
    while seen:
        current = seen.pop()
        if isinstance(current, Flask):
            found.append(current)
            continue
        for attribute in ("app", "wsgi_app"):
            inner = getattr(current, attribute, None)
            if inner is not None:
                seen.append(inner)
        seen.extend(getattr(current, "mounts", {}).values())
    disposed = 0
    for app in found:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)
                disposed += 1
    return disposed


def main(argv: list[str] | None = None) -> None:
    """Serve the app on ``--host``/``--port`` with the quiet handler."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument(
        "--reload", action="store_true", help="restart when the code changes"
    )
    options = parser.parse_args(argv)
    run_simple(
        options.host,
        options.port,
        create_app(),
        use_reloader=options.reload,
        threaded=True,
        request_handler=QuietRequestHandler,
    )


if __name__ == "__main__":
    main()
