"""Events of annotations that features built on them react to."""

from __future__ import annotations

from tumorboard.hooks import Hook

#: ``(actor, annotation, case, users)`` after an annotation that mentions
#: ``users`` (people allowed to read the case) is written, in its transaction.
mentioned = Hook("annotation.mentioned", "An annotation mentioned people.")
