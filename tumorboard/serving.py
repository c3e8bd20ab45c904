"""The development server, without the server's and Python's versions in the
``Server`` header (Werkzeug sends ``Werkzeug/3.1.9 Python/3.11.2``).

``make run`` starts it: ``python -m tumorboard.serving --port 5000``. In
production gunicorn serves the app (``gunicorn.conf.py`` hides its name).
"""

from __future__ import annotations

import argparse

from werkzeug.serving import WSGIRequestHandler, run_simple

from tumorboard import create_app

#: What the ``Server`` header says, under every server.
SERVER_HEADER = "tumorboard"


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler with a ``Server`` header that names no
    software version."""

    def version_string(self) -> str:
        return SERVER_HEADER


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
