"""What features built on cases add to them, without cases importing them."""

from __future__ import annotations

from tumorboard.hooks import Hook

#: ``(user, grant, case)`` after a break-glass grant is given, inside the same
#: transaction (notifications tell the case's lead clinician).
glass_broken = Hook("case.glass_broken", "Someone broke the glass on a case.")
