"""No input makes the application fail: out-of-range ids in URLs, absurd page
numbers, digits of other scripts, control characters and over-long text are
answered with a 4xx page, never a 5xx, on SQLite and on PostgreSQL.

The last tests sign in as a coordinator and as an administrator, walk the
pages of the demonstration data (starting from every page of ``app.url_map``
that takes no argument, then following links), and send random values to
every form and query parameter found there.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException, NotFound

from tests import factories
from tests.conftest import on_backend
from tumorboard import demo
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.extensions import db
from tumorboard.inputs import (
    CONTROL_MESSAGE,
    DIGITS_MESSAGE,
    JSON_MESSAGE,
    MAX_ID,
    IdConverter,
    database_id,
)
from tumorboard.patients.models import Patient

HUGE_IDS = [MAX_ID + 1, 3_000_000_000, 2**63, 10**30]


def _sign_in(client, email: str, password: str) -> None:
    response = factories.sign_in(client, email, password)
    assert response.status_code == 302, response.text


# -- ids in URLs ---------------------------------------------------------------


def _int_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IdConverter) for c in rule._converters.values())
    ]


def test_every_int_rule_takes_the_bounded_id_converter(app):
    rules = _int_rules(app)
    assert len(rules) > 40
    assert not [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "<int:" in rule.rule and rule not in rules
    ]


def test_the_largest_database_id_is_routed_and_one_more_is_not(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/cases/{MAX_ID}") == ("cases.detail", {"case_id": MAX_ID})
    for path in (f"/cases/{MAX_ID + 1}", "/cases/0", "/cases/١٢", "/cases/-1"):
        with pytest.raises(NotFound):
            adapter.match(path)


def test_an_id_beyond_the_database_range_is_a_404_on_every_page(app, client, login_as):
    login_as("coordinator")
    failures = {}
    for rule in _int_rules(app):
        for huge in HUGE_IDS:
            values = {
                name: huge if isinstance(c, IdConverter) else "radiology"
                for name, c in rule._converters.items()
            }
            path = rule.build(values, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                status = client.open(path, method=method).status_code
                if status != 404:
                    failures[f"{method} {path}"] = status
    assert failures == {}


@pytest.mark.parametrize("value", ["1", "007", str(MAX_ID)])
def test_database_id_accepts_ids_the_database_can_hold(value):
    assert database_id(value) == int(value)


@pytest.mark.parametrize(
    "value", ["", "0", "-1", "+1", " 1", "1.0", "١٢", "²", str(MAX_ID + 1), "9" * 40]
)
def test_database_id_refuses_anything_else(value):
    with pytest.raises(ValueError):
        database_id(value)


def _statuses(client, requests) -> dict:
    """``{(path, query value): status}`` for GETs of ``(path, name, value)``."""
    return {
        (path, name, value): client.get(path, query_string={name: value}).status_code
        for path, name, value in requests
    }


def test_a_signed_in_user_gets_the_404_page_for_an_impossible_id(client, login_as):
    login_as("coordinator")
    for path in [
        "/cases/3000000000",
        f"/cases/{2**63}",
        "/patients/3000000000",
        "/meetings/3000000000",
        "/cases/0",
        "/cases/%D9%A1%D9%A2",  # Arabic-Indic "12"
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in response.text


def test_the_anonymous_calendar_feed_with_a_huge_board_id_is_a_404(client):
    assert client.get("/calendar/boards/3000000000/x.ics").status_code == 404
    assert client.get(f"/calendar/boards/{2**63}/x.ics").status_code == 404


def test_a_control_character_in_a_text_part_of_the_url_is_a_404(client, login_as):
    assert client.get("/calendar/boards/1/%00.ics").status_code == 404
    login_as("coordinator")
    assert client.get("/cases/1/reviews/radi%01ology").status_code == 404


# -- page numbers and numeric filters -------------------------------------------

#: Paged lists and their page parameters, by the role that sees them.
LISTS = {
    "coordinator": [
        ("/cases/", "page"),
        ("/cases/mine", "page"),
        ("/worklist", "page"),
        ("/meetings/", "page"),
        ("/recommendations/overdue", "page"),
        ("/recommendations/overdue", "actions_page"),
    ],
    "admin": [("/admin/audit/", "page")],
}
IMPOSSIBLE_PAGES = ["-1", "0", str(10**30), str(MAX_ID + 1), "١٢", "²", "abc", "1.5"]
POSSIBLE_PAGES = ["", "1", "2", str(MAX_ID)]

#: Numeric filters in query strings, by the role that uses them.
NUMBER_FILTERS = {
    "coordinator": [
        ("/cases/", "lead"),
        ("/meetings/", "board"),
        ("/meetings/new", "board"),
    ],
    "admin": [("/admin/audit/", "case_id"), ("/admin/audit/", "actor")],
}


@pytest.mark.parametrize("role", sorted(LISTS))
def test_an_impossible_page_number_is_a_404(client, login_as, role):
    login_as(role)
    requests = [(p, n, v) for p, n in LISTS[role] for v in IMPOSSIBLE_PAGES]
    statuses = _statuses(client, requests)
    assert statuses == dict.fromkeys(statuses, 404)


@pytest.mark.parametrize("role", sorted(LISTS))
def test_a_possible_page_number_shows_the_list(client, login_as, role):
    login_as(role)
    requests = [(p, n, v) for p, n in LISTS[role] for v in POSSIBLE_PAGES]
    statuses = _statuses(client, requests)
    assert statuses == dict.fromkeys(statuses, 200)


@pytest.mark.parametrize("role", sorted(NUMBER_FILTERS))
def test_a_number_in_other_digits_is_refused_with_a_clear_message(
    client, login_as, role
):
    login_as(role)
    for path, name in NUMBER_FILTERS[role]:
        for value in ["²", "١٢", "TB-٠٠٠١٢", "۳"]:
            response = client.get(path, query_string={name: value})
            assert response.status_code == 400, (path, name, value)
            assert DIGITS_MESSAGE in response.text


@pytest.mark.parametrize("role", sorted(NUMBER_FILTERS))
def test_an_out_of_range_number_filter_is_not_a_server_error(client, login_as, role):
    login_as(role)
    values = [str(MAX_ID + 1), str(2**63), "9" * 30, "-1", "TB-" + "9" * 30]
    requests = [(p, n, v) for p, n in NUMBER_FILTERS[role] for v in values]
    statuses = _statuses(client, requests)
    assert {key: s for key, s in statuses.items() if s >= 500} == {}


# -- control characters ------------------------------------------------------------


def test_a_control_character_in_the_query_string_is_refused(client, login_as):
    login_as("coordinator")
    for value in ["\x00", "a\x00b", "\x1b[31m", "\x7f", "\x85", "a\tb", "\r\n"]:
        response = client.get("/cases/", query_string={"q": value})
        assert response.status_code == 400, repr(value)
        assert CONTROL_MESSAGE in response.text
    assert client.get("/cases/?q%00=x").status_code == 400


def _patient_form(**overrides) -> dict:
    data = {
        "mrn": "NUL000001",
        "given_name": "Robin",
        "family_name": "Testperson",
        "birth_date": "1975-03-04",
        "sex": "female",
    }
    data.update(overrides)
    return data


def test_a_control_character_in_a_form_is_refused_and_nothing_is_saved(
    client, login_as
):
    login_as("coordinator")
    for value in ["Test\x00person", "Test\x08person", "\x1b", "\x7f"]:
        response = client.post("/patients/new", data=_patient_form(family_name=value))
        assert response.status_code == 400, repr(value)
        assert CONTROL_MESSAGE in response.text
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Patient.id)).where(Patient.mrn == "NUL000001")
        )
        == 0
    )


def test_tab_and_line_breaks_in_a_text_area_are_accepted(
    client, login_as, make_patient
):
    login_as("coordinator")
    patient = make_patient()
    db.session.commit()
    text = "Night pain.\r\n\tWorse on weight bearing.\nNo fever."
    response = client.post(
        f"/cases/new/{patient.id}",
        data=factories.case_form_data(presentation=text),
    )
    assert response.status_code == 302, response.text
    stored = db.session.scalar(
        sa.select(Case.presentation).where(Case.patient_id == patient.id)
    )
    assert "\tWorse on weight bearing." in stored


def test_a_control_character_in_the_sign_in_email_is_refused_not_a_crash(
    client, make_user
):
    user = make_user("coordinator")
    db.session.commit()
    for email in [f"{user.email}\x00", "\x00", "a\x01b@example.org"]:
        response = client.post(
            "/login", data={"email": email, "password": factories.PASSWORD}
        )
        assert response.status_code == 400, repr(email)
        assert CONTROL_MESSAGE in response.text
    # The refusals left nothing behind: the real account still signs in.
    _sign_in(client, user.email, factories.PASSWORD)
    assert client.get("/cases/").status_code == 200


def test_a_control_character_in_a_json_body_is_refused(client):
    response = client.post("/login", json={"email": "a\x00b@example.org"})
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.text


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        "[" * 900 + "]" * 900,
        '["email", "password"]',
        '{"email": 5}',
        '{"email": {"nested": "x"}}',
        '{"email": ["a", 1]}',
        "null",
        "not json at all",
    ],
)
def test_a_json_body_that_is_not_shaped_like_form_fields_is_refused(client, body):
    response = client.post("/login", data=body, content_type="application/json")
    assert response.status_code == 400
    assert JSON_MESSAGE in response.text


def test_a_json_body_of_form_fields_reaches_the_form(client):
    response = client.post(
        "/login", json={"email": "nobody@example.org", "password": ["wrong-words"]}
    )
    assert response.status_code == 400
    assert JSON_MESSAGE not in response.text
    assert CONTROL_MESSAGE not in response.text


def test_a_control_character_in_an_uploaded_file_name_is_refused(
    client, login_as, make_case
):
    login_as("coordinator")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4\n"), "scan\x00.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.text


def test_the_user_agent_is_stored_without_control_characters(client, make_user):
    user = make_user("coordinator")
    db.session.commit()
    response = client.post(
        "/login",
        data={"email": user.email, "password": factories.PASSWORD},
        headers={"User-Agent": "Mozilla/5.0\x00\x01 (X11)\x7f"},
    )
    assert response.status_code == 302
    agents = db.session.scalars(
        sa.select(AuditEntry.user_agent).where(AuditEntry.user_agent.is_not(None))
    ).all()
    assert agents
    assert all(agent == "Mozilla/5.0 (X11)" for agent in agents)


def test_a_control_character_in_the_user_agent_does_not_stop_a_failed_sign_in(
    client, make_user
):
    user = make_user("coordinator")
    db.session.commit()
    response = client.post(
        "/login",
        data={"email": user.email, "password": "wrong-password"},
        headers={"User-Agent": "\x00\x1b"},
    )
    assert response.status_code == 400  # the sign-in form's refusal
    failed = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
    ).one()
    assert failed.user_agent is None


# -- random input on every form and query parameter ------------------------------

#: Signing out would end the session under test.
SKIPPED_ENDPOINTS = {"static", "auth.logout"}
#: Files rather than pages: not fetched while walking (PDFs are slow to make).
FILE_SUFFIXES = (".pdf", ".ics")
#: How many different URLs of one endpoint the walk visits.
URLS_PER_ENDPOINT = 1
#: Query parameters tried on every page besides those found in its links and forms.
COMMON_QUERY = ("page", "q", "next")

NASTY = [
    "\x00",
    str(10**30),
    "²",
    "x" * 10_000,
    "١٢",
    str(2**63),
    "a\x00b",
    str(MAX_ID + 1),
    "-1",
    "0",
    "\x01\x02\x7f",
    "\x85",
    "\r\n",
    "\t",
    "",
    " ",
    "٣٤٥",
    "TB-٠٠٠١٢",
    "00000000000000000001",
    str(MAX_ID),
    "-" + str(10**30),
    "1e309",
    "NaN",
    "Infinity",
    "0x1F",
    "1.5",
    "None",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "10000-01-01",
    "24:61",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "%00",
    "\u202e\u200b\ufeff",
    "😀" * 3,
    "é" * 10_000,
    "1" * 10_000,
]

VALUES = st.one_of(
    # Half of the values are the known troublemakers above...
    st.sampled_from(NASTY),
    # ...and half are anything at all.
    st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
        st.integers().map(str),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲¹²³", min_size=1, max_size=12),
        st.dates().map(str),
        st.builds(
            lambda char, n: char * n,
            st.sampled_from(["a", "\x00", "é", " "]),
            st.sampled_from([255, 256, 4_001, 10_000]),
        ),
    ),
)


@dataclass
class Form:
    """A form as the page shows it."""

    method: str
    action: str
    #: Field name -> the values the page offers (select options, check boxes).
    options: dict[str, list[str]] = field(default_factory=dict)
    #: Field name -> the values the page fills in.
    defaults: dict[str, list[str]] = field(default_factory=dict)
    #: Names of the file fields.
    files: set[str] = field(default_factory=set)


class PageParser(HTMLParser):
    """The links and forms of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "option" and self._form is not None and self._select:
            value = a.get("value", "")
            self._form.options[self._select].append(value)
            if "selected" in a or self._select not in self._form.defaults:
                self._form.defaults[self._select] = [value]
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("method", "get").upper(), a.get("action", ""))
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag in ("input", "button"):
            self._input(a)
        elif tag == "select":
            self._select = a["name"]
            self._form.options.setdefault(a["name"], [])
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.defaults[a["name"]] = [""]

    def _input(self, a):
        name, kind, value = a["name"], a.get("type", "text"), a.get("value", "")
        form = self._form
        if kind == "file":
            form.files.add(name)
        elif kind in ("checkbox", "radio"):
            form.options.setdefault(name, []).append(value or "on")
            if "checked" in a:
                form.defaults.setdefault(name, []).append(value or "on")
        elif kind not in ("submit", "button", "reset", "image") or value:
            form.defaults.setdefault(name, [value])

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.defaults[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


@dataclass
class Site:
    """What walking the pages found: URLs per endpoint, forms, query names."""

    pages: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    forms: dict[tuple, Form] = field(default_factory=dict)
    query_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    arg_values: dict[str, set] = field(default_factory=lambda: defaultdict(set))


def _local(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
        return None
    return parts.path, parts.query


def walk(app, client, skip_paths: set[str]) -> Site:
    """Fetch every argument-free GET page and follow links, a few per endpoint;
    every page fetched must not be a server error."""
    adapter = app.url_map.bind("localhost")
    site = Site()
    queue = deque(
        rule.rule
        for rule in app.url_map.iter_rules()
        if not rule.arguments
        and "GET" in rule.methods
        and rule.endpoint not in SKIPPED_ENDPOINTS
    )
    seen: set[str] = set()
    while queue:
        url = queue.popleft()
        local = _local(url)
        if local is None:
            continue
        path, query = local
        try:
            endpoint, args = adapter.match(path, method="GET")
        except HTTPException:
            continue
        if (
            path in seen
            or path in skip_paths
            or endpoint in SKIPPED_ENDPOINTS
            or len(site.pages[endpoint]) >= URLS_PER_ENDPOINT
        ):
            continue
        seen.add(path)
        for name, value in args.items():
            site.arg_values[name].add(value)
        site.query_names[endpoint].update(k for k, _ in parse_qsl(query))
        site.pages[endpoint].append(path)
        if path.endswith(FILE_SUFFIXES):
            continue
        response = client.get(path)
        assert response.status_code < 500, f"GET {path}: {response.status_code}"
        if response.mimetype != "text/html":
            continue
        parser = PageParser()
        parser.feed(response.text)
        for link in parser.links:
            queue.append(urljoin(path, link))
        for form in parser.forms:
            _add_form(site, adapter, path, form, skip_paths)
    return site


def _add_form(site: Site, adapter, page: str, form: Form, skip_paths) -> None:
    local = _local(urljoin(page, form.action or page))
    if local is None or local[0] in skip_paths:
        return
    action = local[0] + (f"?{local[1]}" if local[1] else "")
    try:
        endpoint, _ = adapter.match(local[0], method=form.method)
    except HTTPException:
        return
    if endpoint in SKIPPED_ENDPOINTS:
        return
    if form.method == "GET":
        site.query_names[endpoint].update(form.defaults)
        site.query_names[endpoint].update(form.options)
    form.action = action
    key = (form.method, endpoint, tuple(sorted({*form.defaults, *form.options})))
    site.forms.setdefault(key, form)


def _query_targets(site: Site) -> list[tuple[str, list[str]]]:
    return [
        (urls[0], sorted(site.query_names[endpoint] | set(COMMON_QUERY)))
        for endpoint, urls in sorted(site.pages.items())
        if not urls[0].endswith(FILE_SUFFIXES)
    ]


def _unvisited_post_rules(app, site: Site) -> list[str]:
    """POST URLs no form on the walked pages points at, with ids seen elsewhere."""
    posted = {key[1] for key in site.forms if key[0] == "POST"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        if rule.endpoint in posted:
            continue
        values = {
            name: min(site.arg_values.get(name) or {1}) for name in rule.arguments
        }
        urls.append(rule.build(values, append_unknown=False)[1])
    return urls


SETTINGS = settings(
    max_examples=4,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


def _fuzz_query(client, url: str, names: list[str]) -> None:
    @SETTINGS
    @given(st.dictionaries(st.sampled_from(names), VALUES, min_size=1))
    def query(values):
        _check(client.get(url, query_string=values), f"GET {url} {values!r}")

    query()


def _fuzz_form(client, form: Form) -> None:
    names = sorted({*form.defaults, *form.options})

    @SETTINGS
    @given(st.data())
    def submit(data):
        values = {k: list(v) for k, v in form.defaults.items()}
        # A form of a file alone (an import) has no field to vary.
        chosen = data.draw(st.sets(st.sampled_from(names), min_size=1)) if names else ()
        for name in chosen:
            choices = form.options.get(name)
            values[name] = data.draw(
                st.lists(
                    st.sampled_from(choices) | VALUES if choices else VALUES,
                    min_size=1,
                    max_size=2,
                )
            )
        payload: dict = dict(values)
        for name in form.files:
            payload[name] = (
                io.BytesIO(data.draw(st.binary(max_size=64))),
                data.draw(st.sampled_from(["a.pdf", "a\x00.pdf", "x" * 300])),
            )
        if form.method == "GET":
            response = client.get(form.action, query_string=values)
        else:
            response = client.post(form.action, data=payload)
        _check(response, f"{form.method} {form.action} {values!r}")

    submit()


def _fuzz_post(client, url: str, names: list[str]) -> bool:
    """Random fields posted to ``url``; False if the user may not post there."""
    refused = client.post(url)
    _check(refused, f"POST {url}")
    if refused.status_code in (403, 404):
        return False

    @SETTINGS
    @given(st.dictionaries(st.sampled_from(names), VALUES))
    def post(values):
        _check(client.post(url, data=values), f"POST {url} {values!r}")

    post()
    return True


def _fuzz_ids(app, client, site: Site) -> None:
    """Any integer at all in place of the ids of the walked pages' URLs."""
    rules = sorted(
        (rule for rule in _int_rules(app) if site.pages.get(rule.endpoint)),
        key=lambda rule: rule.rule,
    )
    if not rules:
        return

    @settings(SETTINGS, max_examples=len(rules))
    @given(st.data())
    def visit(data):
        rule = data.draw(st.sampled_from(rules))
        values = {
            name: data.draw(
                st.integers()
                if isinstance(converter, IdConverter)
                else st.sampled_from(sorted(site.arg_values[name]) or ["x"])
            )
            for name, converter in rule._converters.items()
        }
        path = rule.build(values, append_unknown=False)[1]
        _check(client.get(path), f"GET {path}")

    visit()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | VALUES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _fuzz_json(client, forms: list[Form]) -> None:
    """Form endpoints given JSON bodies, which Flask-WTF reads like forms."""
    actions = sorted({form.action for form in forms if form.method == "POST"})
    if not actions:
        return

    @settings(SETTINGS, max_examples=len(actions))
    @given(st.sampled_from(actions), JSON_VALUES)
    def post(action, document):
        _check(client.post(action, json=document), f"POST {action} {document!r}")

    post()


def fuzz(app, client, skip_paths: set[str]) -> Counter:
    """Random values on every query parameter and form of the walked pages."""
    site = walk(app, client, skip_paths)
    done: Counter = Counter()
    _fuzz_ids(app, client, site)
    for url, names in _query_targets(site):
        _fuzz_query(client, url, names)
        done["query"] += 1
    for form in site.forms.values():
        if form.defaults or form.options or form.files:
            _fuzz_form(client, form)
            done[form.method.lower()] += 1
    _fuzz_json(client, list(site.forms.values()))
    all_names = sorted({n for f in site.forms.values() for n in f.defaults})
    for url in _unvisited_post_rules(app, site):
        if _fuzz_post(client, url, all_names):
            done["other post"] += 1
    return done


@pytest.fixture
def demo_data(app):
    demo.load()
    # The administrator has set up multi-factor sign-in (with the test secret).
    factories.enrol_mfa(
        db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    )
    db.session.commit()


@on_backend("sqlite")
@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_random_input_on_every_form_and_query_parameter_is_never_a_server_error(
    app, client, demo_data, role
):
    email = f"{role}@example.org"
    _sign_in(client, email, demo.DEMO_PASSWORD)
    me = db.session.scalar(sa.select(User).where(User.email == email))
    # Editing one's own account could sign the walk out half-way.
    own = {f"/admin/users/{me.id}", f"/admin/users/{me.id}/password"}
    done = fuzz(app, client, own)
    assert done["query"] >= 5
    assert done["post"] >= (5 if role == "admin" else 20)
