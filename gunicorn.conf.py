"""gunicorn settings for production.

gunicorn reads this file from the working directory (``gunicorn wsgi:app``
started in the repository root) or from ``-c gunicorn.conf.py``. Command-line
options and ``GUNICORN_CMD_ARGS`` still override what is set here.
"""

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
