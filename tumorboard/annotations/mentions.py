"""@mentions in annotations: ``@handle`` names a person by their e-mail
address's local part (``@radiology``), or by the whole address where two
people share one (``@radiology@example.org``). A mention of someone unknown,
deactivated, or not allowed to read the case is refused at write time."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tumorboard.auth.models import User
from tumorboard.auth.permissions import can_view_case
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db

#: ``@handle`` not preceded by a word character or a dot (an e-mail address
#: in the text is not a mention); an optional ``@domain`` names one address.
MENTION = re.compile(
    r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._%+-]*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)"
)

#: Most people one annotation may mention.
MAX_MENTIONS = 10

#: People offered by the autocomplete per request.
SUGGESTIONS = 8


def handles(text: str) -> list[str]:
    """The handles mentioned in ``text``, in order, each once (lower case)."""
    seen: list[str] = []
    for match in MENTION.finditer(text):
        handle = match.group(1).rstrip(".").lower()
        if handle not in seen:
            seen.append(handle)
    return seen


def handle_of(user: User) -> str:
    """The short handle of ``user``: their e-mail address's local part."""
    return user.email.split("@", 1)[0].lower()


def resolve_mentions(text: str, case) -> list[User]:
    """The people ``text`` mentions; refuses unknown, ambiguous, deactivated
    people and people who may not read ``case``."""
    wanted = handles(text)
    if not wanted:
        return []
    if len(wanted) > MAX_MENTIONS:
        raise InvalidInput(
            f"An annotation can mention at most {MAX_MENTIONS} people.", "body"
        )
    locals_ = {h.split("@", 1)[0] for h in wanted}
    candidates = list(
        db.session.scalars(
            sa.select(User).where(
                sa.or_(
                    *(sa.func.lower(User.email).like(f"{local}@%") for local in locals_)
                )
            )
        )
    )
    people: list[User] = []
    for handle in wanted:
        if "@" in handle:
            matches = [u for u in candidates if u.email.lower() == handle]
        else:
            matches = [u for u in candidates if handle_of(u) == handle]
        if not matches:
            raise InvalidInput(
                f"Nobody is called @{handle}; check the spelling (a mention is "
                "the first part of the person's e-mail address).",
                "body",
            )
        if len(matches) > 1:
            raise InvalidInput(
                f"@{handle} names more than one person; write the whole e-mail "
                f"address, for example @{matches[0].email}.",
                "body",
            )
        user = matches[0]
        if not user.is_active:
            raise InvalidInput(
                f"@{handle} ({user.name}) has a deactivated account and cannot "
                "be mentioned.",
                "body",
            )
        if not can_view_case(user, case):
            raise InvalidInput(
                f"@{handle} ({user.name}) may not read this case and cannot be "
                "mentioned in its notes.",
                "body",
            )
        if user not in people:
            people.append(user)
    return people


def suggestions(prefix: str, case) -> list[dict[str, str]]:
    """Active people who may read ``case`` whose handle or name starts with
    ``prefix``: the autocomplete's answer."""
    prefix = (prefix or "").strip().lstrip("@").lower()[:60]
    query = sa.select(User).where(User.is_active.is_(True)).order_by(User.name)
    if prefix:
        like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            sa.or_(
                sa.func.lower(User.email).like(f"{like}%", escape="\\"),
                sa.func.lower(User.name).like(f"{like}%", escape="\\"),
                sa.func.lower(User.name).like(f"% {like}%", escape="\\"),
            )
        )
    found = []
    for user in db.session.scalars(query.limit(SUGGESTIONS * 3)):
        if can_view_case(user, case):
            found.append(
                {"handle": handle_of(user), "name": user.name, "role": user.role_label}
            )
        if len(found) == SUGGESTIONS:
            break
    return found
