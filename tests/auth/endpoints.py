"""Access matrix rows for multi-factor sign-in."""

from __future__ import annotations

from tumorboard.auth.permissions import AUTHENTICATED, Permission

ENDPOINTS = [
    ("/account/mfa", "GET", AUTHENTICATED),
    ("/account/mfa/recovery-codes", "POST", AUTHENTICATED),
    ("/account/mfa/disable", "POST", AUTHENTICATED),
    ("/admin/users/{user}/mfa-reset", "POST", Permission.USER_MANAGE),
]
