"""The meetings blueprint; every meetings view module registers its routes on it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("meetings", __name__)
