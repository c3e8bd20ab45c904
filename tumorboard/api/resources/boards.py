"""Boards: their settings, members and coordinators (as the board pages show
them to those who manage boards)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from tumorboard.api.board_schemas import BoardOut, BoardPage
from tumorboard.api.core import access, etag_of, page
from tumorboard.api.problems import Problem, problem
from tumorboard.api.schemas import PageQuery
from tumorboard.auth.disciplines import discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Permission
from tumorboard.auth.roles import Role
from tumorboard.extensions import db
from tumorboard.meetings.models import Board

bp = Blueprint("api_boards", __name__, url_prefix="/boards", description="Boards")


def person(user: User) -> dict[str, Any]:
    """A board member or attendee: name, role and the discipline it stands for."""
    discipline = discipline_of(user.role)
    return {
        "id": user.id,
        "name": user.name,
        "role": Role(user.role).value,
        "discipline": discipline.value if discipline else None,
    }


def board_out(board: Board) -> dict[str, Any]:
    """A board with its members (loaded) and, among them, its coordinators."""
    members = [person(u) for u in board.members]
    return {
        **{
            key: getattr(board, key)
            for key in BoardOut().fields
            if key not in ("members", "coordinators")
        },
        "members": members,
        "coordinators": [m for m in members if m["role"] == Role.COORDINATOR],
    }


@bp.route("/")
@access(Permission.BOARD_MANAGE)
@bp.arguments(PageQuery, location="query", as_kwargs=True)
@bp.response(200, BoardPage)
def index(limit: int, cursor: int | None = None):
    """Every board with its members, in order of creation, one page per cursor."""
    stmt = sa.select(Board).options(selectinload(Board.members)).order_by(Board.id)
    if cursor is not None:
        stmt = stmt.where(Board.id > cursor)
    result = page(list(db.session.scalars(stmt.limit(limit + 1))), limit)
    result["items"] = [board_out(b) for b in result["items"]]
    return result


@bp.route("/<int:board_id>")
@access(Permission.BOARD_MANAGE)
@bp.response(200, BoardOut)
@problem(bp, 404, "No such board")
def detail(board_id: int):
    """One board with its members and coordinators, with its ETag."""
    board = db.session.scalar(
        sa.select(Board)
        .where(Board.id == board_id)
        .options(selectinload(Board.members))
    )
    if board is None:
        raise Problem(404, f"There is no board {board_id}.")
    g.etag = etag_of(board)
    return board_out(board)
