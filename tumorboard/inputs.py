"""Request input checked once, where it enters the application.

Every value a client can send is untrusted text. Before any view runs:

- an id in a URL (every ``<int:...>`` rule) is a number the database can hold
  (1 to 2**31-1, written with the digits 0-9); anything else is no page (404);
- a page number in the query string (``page``, ``actions_page``, any
  ``..._page``) is such a number too, or there is no such page (404);
- numbers in the query string (ids, page numbers, filters) use the digits
  0-9: a query value holding other scripts' digits ("١٢") or superscripts
  ("²") is refused with a 400 page that says so;
- a JSON body (which Flask-WTF reads like a form) is an object of texts or
  lists of texts, as a form's fields are: anything else is a 400 page;
- no query value, form value, uploaded file name, JSON string or text part of
  the URL holds a control character (NUL and the like; tab, carriage return
  and line feed are allowed in form bodies only): a 400 page, or a 404 for the
  URL path;
- the headers the application stores (User-Agent in the audit log, the client
  address) are cleaned of control characters instead of refused, since they
  are not typed by the user.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Request, abort, current_app, request
from werkzeug.routing import IntegerConverter, Map
from werkzeug.utils import cached_property

#: Largest id the database stores (PostgreSQL ``integer``); URL ids and page
#: numbers above it are answered with a 404.
MAX_ID = 2**31 - 1

#: Control characters (C0, DEL, C1) and unpaired surrogates, which PostgreSQL
#: refuses or which have no business in text typed by a person.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: The same, allowing tab, line feed and carriage return (multi-line text).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_ASCII_NUMBER = re.compile(r"[0-9]+")

CONTROL_MESSAGE = (
    "The request contains a control character (such as NUL) that cannot be "
    "stored. Remove it, for example by retyping the text instead of pasting "
    "it, and try again."
)
JSON_MESSAGE = (
    "The request could not be read: a JSON body must be an object of form "
    "fields whose values are texts or lists of texts."
)
DIGITS_MESSAGE = (
    "Numbers in the address must be written with the digits 0 to 9. Correct "
    "the address, or use the filters on the page, and try again."
)


class IdConverter(IntegerConverter):
    """``<int:...>`` in every URL rule: the digits 0-9 only, and by default a
    value from 1 to :data:`MAX_ID`, so that an id the database cannot hold is a
    404 rather than a database error."""

    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(
            map, fixed_digits=fixed_digits, min=min, max=max, signed=signed
        )


class InputRequest(Request):
    """The request, with the stored header values cleaned of control characters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.remote_addr is not None:
            self.remote_addr = clean_header(self.remote_addr) or None

    @cached_property
    def user_agent(self):  # type: ignore[override]
        return self.user_agent_class(clean_header(self.headers.get("User-Agent", "")))


def clean_header(value: str) -> str:
    """``value`` without its control characters."""
    return _CONTROL.sub("", value).strip() if _CONTROL.search(value) else value


def has_control(value: str, *, multiline: bool = False) -> bool:
    """Whether ``value`` holds a control character (tab, CR and LF count as text
    when ``multiline``)."""
    return (_CONTROL_IN_TEXT if multiline else _CONTROL).search(value) is not None


def has_foreign_digits(value: str) -> bool:
    """Whether ``value`` holds a digit other than 0-9 ("١", "²", "٣")."""
    return not value.isascii() and any(c.isdigit() and not c.isascii() for c in value)


def database_id(value: str) -> int:
    """``value`` as an id the database can hold, for ``request.args.get(name,
    type=database_id)``: the digits 0-9 only, from 1 to :data:`MAX_ID`;
    anything else raises ValueError (and ``get`` returns its default)."""
    if _ASCII_NUMBER.fullmatch(value) is None or len(value) > 10:
        raise ValueError(f"not an id: {value!r}")
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"not an id: {value!r}")
    return number


def is_page_parameter(name: str) -> bool:
    """``page``, ``actions_page`` and the like: which page of a list to show."""
    return name == "page" or name.endswith("_page")


def valid_page(value: str) -> bool:
    """A page number from 1 to :data:`MAX_ID`, in the digits 0-9 (or empty)."""
    if value == "":
        return True
    try:
        database_id(value)
    except ValueError:
        return False
    return True


def _form_like(data: Any) -> bool:
    """Whether a JSON body has the shape of form fields: an object whose values
    are texts or lists of texts (Flask-WTF fills forms from such bodies)."""
    return isinstance(data, dict) and all(
        isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        for value in data.values()
    )


def _json_strings(data: dict[str, str | list[str]]) -> Iterator[str]:
    for name, value in data.items():
        yield name
        yield from [value] if isinstance(value, str) else value


def _texts(data: Any, depth: int = 0) -> Iterator[str]:
    """Every key and text in a JSON document, at any depth (bounded)."""
    if depth > 50:
        yield "\x00"
    elif isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _texts(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _texts(value, depth + 1)


def check_request() -> None:
    """Refuse the request before its view runs if its input cannot be right."""
    if request.view_args and any(
        isinstance(v, str) and has_control(v) for v in request.view_args.values()
    ):
        abort(404)
    # The JSON API checks its own parameters and bodies against its schemas.
    typed = request.path.startswith(tuple(current_app.config["TYPED_JSON_PATHS"]))
    for name, value in request.args.items(multi=True):
        if has_control(name) or has_control(value):
            abort(400, CONTROL_MESSAGE)
        if typed:
            continue
        if is_page_parameter(name) and not valid_page(value):
            abort(404)
        if has_foreign_digits(value):
            abort(400, DIGITS_MESSAGE)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for name, value in request.form.items(multi=True):
        if has_control(name) or has_control(value, multiline=True):
            abort(400, CONTROL_MESSAGE)
    for name, upload in request.files.items(multi=True):
        if has_control(name) or has_control(upload.filename or ""):
            abort(400, CONTROL_MESSAGE)
    if request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError:
            data = None
        if typed:
            # A JSON API's documents are typed (numbers, nested objects); its
            # schemas check their shape, and every text is checked here.
            if data is not None and any(
                has_control(s, multiline=True) for s in _texts(data)
            ):
                abort(400, CONTROL_MESSAGE)
            return
        if not _form_like(data):
            abort(400, JSON_MESSAGE)
        if any(has_control(s, multiline=True) for s in _json_strings(data)):
            abort(400, CONTROL_MESSAGE)


def init_app(app: Flask) -> None:
    """Install the checks; call before any blueprint adds its URL rules."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = InputRequest
    #: Path prefixes whose JSON bodies are typed documents (the JSON API adds
    #: its own), not form fields.
    app.config.setdefault("TYPED_JSON_PATHS", [])
    app.before_request(check_request)
