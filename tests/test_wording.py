"""Every page of the demo data, as each demo role sees it, reads correctly: no
doubled word, no label repeated inside its own value, "a"/"an" before the
right sound, and no descriptor cut in the middle of a word."""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import url_for

from tests import factories
from tests.conftest import FreshContextClient, on_backend
from tumorboard import demo
from tumorboard.annotations.models import Annotation
from tumorboard.attachments.models import Attachment
from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import ROLE_PERMISSIONS, Permission, declared_access
from tumorboard.auth.roles import Role
from tumorboard.cases.breakglass import BreakGlassGrant
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Board, Meeting
from tumorboard.patients.models import Patient
from tumorboard.quality.indicators import INDICATORS
from tumorboard.recommendations.models import Recommendation
from tumorboard.reviews import schemas
from tumorboard.reviews.models import DisciplineReview, ReviewRevision

# Visible text ------------------------------------------------------------------

#: Elements whose content is never shown.
HIDDEN = re.compile(
    r"<(script|style|template|noscript)\b.*?</\1\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
#: Elements that start a new line of text: words on either side of them are
#: not read together.
BLOCK = re.compile(
    r"</?(?:address|article|aside|blockquote|br|button|caption|dd|details|div|dl|"
    r"dt|fieldset|figcaption|figure|footer|form|h[1-6]|header|hr|input|label|"
    r"legend|li|main|nav|ol|optgroup|option|p|pre|section|select|summary|table|"
    r"tbody|td|textarea|tfoot|th|thead|title|tr|ul)\b[^>]*>",
    re.IGNORECASE,
)
TAG = re.compile(r"<[^>]*>")
TERM = re.compile(
    r"<dt\b[^>]*>(.*?)</dt>\s*<dd\b[^>]*>(.*?)</dd>", re.IGNORECASE | re.DOTALL
)


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub("", fragment)).split())


@dataclass
class PageText:
    """The visible text of a page, line by line, and its term–definition pairs."""

    lines: list[str]
    pairs: list[tuple[str, str]]


def page_text(page: str) -> PageText:
    """What a reader sees of ``page``: scripts, styles and tags left out, a new
    line at every block element."""
    page = HIDDEN.sub(" ", page)
    pairs = [(_plain(term), _plain(value)) for term, value in TERM.findall(page)]
    text = html.unescape(TAG.sub("", BLOCK.sub("\n", page)))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return PageText([line for line in lines if line], pairs)


# The checks --------------------------------------------------------------------

WORD = r"[^\W_](?:[\w'’-]*[^\W_])?"
DOUBLED = re.compile(rf"(?<![\w-])({WORD})\s+\1(?![\w-])", re.IGNORECASE)
#: Words a page may repeat back to back on purpose, each with why (none today:
#: every repeat the demo pages showed was a mistake).
DOUBLED_ALLOWED: dict[str, str] = {}

#: "Label: value" where the value starts with the label again.
LABEL_IN_VALUE = re.compile(
    rf"(?<![\w-])((?:{WORD}[ –-]){{0,3}}{WORD}):\s+\1(?![\w-])", re.IGNORECASE
)

ARTICLE = re.compile(rf"(?<![\w-])(a|an)\s+({WORD})", re.IGNORECASE)
#: Word beginnings spelt with a vowel but spoken with a consonant ("a unit",
#: "a one-off"); "un-" meaning "not" keeps "an" ("an unusual").
CONSONANT_SOUND = (
    *("unic", "unif", "unil", "unio", "uniq", "unis", "unit", "univ", "unan"),
    *("use", "usu", "ute", "uti", "uto", "ura", "ure", "uri", "uro", "ubi"),
    *("eu", "ewe", "one", "once"),
)
#: Word beginnings spelt with a consonant but spoken with a vowel ("an hour";
#: "an https:// address" is read letter by letter).
VOWEL_SOUND = ("hour", "honest", "honour", "heir", "http")
#: Capitals whose spoken name starts with a vowel ("an MRI", "an X-ray"); an
#: acronym starting with one may also be read as a word ("a SINS score"), so
#: either article passes before these.
VOWEL_NAMED_LETTERS = set("AEFHILMNORSX")

#: A word followed by an ellipsis: text shortened for display.
CUT = re.compile(r"([^\W\d_]+)…")
#: Words shown before "…" that are whole although no whole text shows them,
#: each with why (none today).
ELLIPSIS_ALLOWED: dict[str, str] = {}


def _vowel_sound(word: str) -> bool | None:
    """True or False where English is sure, None for an acronym read either
    letter by letter or as a word."""
    if word[:2].isupper() or (len(word) == 1 and word.isupper()):
        first = word[0].upper()
        if first in "AEIO":
            return True
        return None if first in VOWEL_NAMED_LETTERS else False
    lower = word.lower()
    if lower.startswith(CONSONANT_SOUND):
        return False
    if lower.startswith(VOWEL_SOUND):
        return True
    return lower[0] in "aeiou"


def problems_in(lines: list[str], pairs: list[tuple[str, str]]) -> list[str]:
    """Doubled words, labels repeated in their values and wrong articles."""
    found = []
    for line in lines:
        for match in DOUBLED.finditer(line):
            if match.group(1).lower() not in DOUBLED_ALLOWED:
                found.append(f"doubled word {match.group(0)!r} in {line!r}")
        for match in LABEL_IN_VALUE.finditer(line):
            found.append(f"label repeated {match.group(0)!r} in {line!r}")
        for match in ARTICLE.finditer(line):
            article, word = match.group(1).lower(), match.group(2)
            vowel = _vowel_sound(word)
            if (article, vowel) in (("a", True), ("an", False)):
                found.append(f"wrong article {match.group(0)!r} in {line!r}")
    for term, value in pairs:
        if term and value.lower().startswith(term.lower() + " "):
            found.append(f"label repeated in its value: {term!r}, {value!r}")
    return found


def cut_words(lines: list[str], whole_texts: list[str], words: set[str]) -> list[str]:
    """Text cut in the middle of a word before "…".

    Where the whole text is known (``whole_texts``: every line shown whole and
    every descriptor of the review forms), the letter after the cut must not be
    a letter; otherwise the word before "…" must be one seen whole (``words``).
    """
    found = []
    for line in lines:
        for match in CUT.finditer(line):
            word = match.group(1)
            if word.lower() in ELLIPSIS_ALLOWED:
                continue
            shown = line[: match.end(1)].rsplit(" — ", 1)[-1]
            ends = [
                text[text.index(shown) + len(shown) :][:1]
                for text in whole_texts
                if shown in text
            ]
            if ends:
                cut = all(end.isalpha() for end in ends)
            else:
                cut = word.lower() not in words
            if cut:
                found.append(f"word cut before the ellipsis {word + '…'!r} in {line!r}")
    return found


def descriptors() -> list[str]:
    """Every choice text of the review forms, whole."""
    texts = []
    for schema in schemas.SCHEMAS.values():
        for group in schema.groups:
            for item in group.items:
                fields = item.fields if isinstance(item, schemas.Rows) else (item,)
                texts.extend(label for f in fields for _, label in f.choices)
    return texts


def test_the_checks_catch_each_kind_of_mistake():
    page = page_text(
        "<html><head><title>Case</title><style>p{}</style></head><body>"
        "<script>var a = 'an orange';</script>"
        "<p><strong>IIB</strong> <span>IIB — high grade</span></p>"
        "<p>Read the the notes.</p>"
        "<ul><li><strong>Greatest dimension</strong>: Greatest dimension 90 mm</li>"
        "<li>Waiting for a orthopaedic oncology review</li>"
        "<li>Write an radiology review</li></ul>"
        "<dl><dt>Biopsy</dt><dd>Biopsy done elsewhere</dd></dl>"
        "<select><option>2 — unable to carry out any w…</option></select>"
        "</body></html>"
    )
    assert page.lines[:2] == ["Case", "IIB IIB — high grade"]
    assert "orange" not in " ".join(page.lines) and "p{}" not in page.lines
    found = problems_in(page.lines, page.pairs)
    assert len(found) == 6, found
    for needle in (
        "'IIB IIB'",
        "'the the'",
        "'Greatest dimension: Greatest dimension'",
        "'a orthopaedic'",
        "'an radiology'",
        "'Biopsy', 'Biopsy done elsewhere'",
    ):
        assert any(needle in problem for problem in found), needle
    whole = ["2 — unable to carry out any work activities"]
    assert cut_words(page.lines, whole, set()) == [
        "word cut before the ellipsis 'w…' in '2 — unable to carry out any w…'"
    ]
    assert cut_words(["2 — unable to carry out any…"], whole, set()) == []
    # Where no whole text is known, the word must be one seen whole elsewhere.
    assert cut_words(["Notes about the MRI sequ…"], [], {"notes"}) != []


@pytest.mark.parametrize(
    "text",
    [
        "an MRI, a CT, an X-ray and a SINS score",
        "a unit, a one-off, an hour, an unusual lesion, an https:// address",
        "Differential: lytic metastasis",
        "Enneking IIB high grade",
        "Revision 1 Signed 1 Dec 2026 15:36 by Dr Jonas Berg",
    ],
)
def test_the_checks_pass_correct_english(text):
    assert problems_in([text], []) == []


# The pages ---------------------------------------------------------------------

#: Endpoints that answer with a file, a feed, JSON or a redirect, not a page.
NOT_PAGES = {
    "static",
    "attachments.download",
    "documents.case_summary",
    "documents.minutes",
    "documents.outcome_letter",
    "meetings.ics",
    "meetings.board_feed",
    "meetings.follow_state",
    "main.health",
    "main.ready",
    "auth.login",
    "quality.download",
    "quality.teaching_case_pdf",
    "quality.teaching_meeting_pdf",
}


def _ids(model) -> list[int]:
    return list(db.session.scalars(sa.select(model.id).order_by(model.id)))


def demo_urls(app) -> dict[str, list[str]]:
    """Every GET page of the app by endpoint, its parameters filled from the
    demo records."""
    cases = _ids(Case)
    ready = list(
        db.session.scalars(sa.select(Case.id).where(Case.status == CaseStatus.READY))
    )
    written = {
        (c, Discipline(d).value)
        for c, d in db.session.execute(
            sa.select(DisciplineReview.case_id, DisciplineReview.discipline)
        )
    }
    reviews = [{"case_id": c, "discipline": d} for c, d in sorted(written)]
    # A review page without a review is the same page for every case: one
    # case per discipline shows it.
    for discipline in REVIEW_DISCIPLINES:
        case = next((c for c in cases if (c, discipline.value) not in written), None)
        if case is not None:
            reviews.append({"case_id": case, "discipline": discipline.value})
    # Every earlier revision has a page, and so have the changes of a revised
    # review. The current revision's page is the review page itself, so one
    # review per discipline shows it (and its changes page, "no change").
    first_case: dict[str, int] = {}
    for case_id, discipline in sorted(written):
        first_case.setdefault(discipline, case_id)
    samples = {(case_id, d) for d, case_id in first_case.items()}
    revisions = [
        {"case_id": c, "discipline": Discipline(d).value, "number": n}
        for c, d, n, current in db.session.execute(
            sa.select(
                DisciplineReview.case_id,
                DisciplineReview.discipline,
                ReviewRevision.number,
                DisciplineReview.current_number,
            ).join(ReviewRevision, ReviewRevision.review_id == DisciplineReview.id)
        )
        if n < current or (c, Discipline(d).value) in samples
    ]
    compared = {(r["case_id"], r["discipline"]) for r in revisions}
    meetings = _ids(Meeting)
    items = db.session.execute(sa.select(AgendaItem.meeting_id, AgendaItem.id)).all()
    values = {
        "case_id": cases,
        "patient_id": _ids(Patient),
        "meeting_id": meetings,
        "board_id": _ids(Board),
        "rec_id": _ids(Recommendation),
        "user_id": _ids(User),
        "annotation_id": _ids(Annotation),
        "grant_id": _ids(BreakGlassGrant),
        "attachment_id": _ids(Attachment),
        "discipline": [d.value for d in REVIEW_DISCIPLINES],
    }
    by_endpoint = {
        "reviews.show": reviews,
        "reviews.diff": [
            r for r in reviews if (r["case_id"], r["discipline"]) in compared
        ],
        "reviews.revision": revisions,
        "meetings.present_item": [{"meeting_id": m, "item_id": i} for m, i in items],
        "meetings.follow_stage": [{"meeting_id": m, "item_id": i} for m, i in items],
        "meetings.add_item": [
            {"meeting_id": m, "case_id": c}
            for m, c in itertools.product(meetings, ready)
        ],
        "recommendations.record": [{"meeting_id": m, "item_id": i} for m, i in items],
        "quality.drilldown": [{"key": i.key} for i in INDICATORS],
    }
    urls: dict[str, list[str]] = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
                continue
            if rule.endpoint in by_endpoint:
                choices = by_endpoint[rule.endpoint]
            else:
                keys = sorted(rule.arguments)
                choices = [
                    dict(zip(keys, combo, strict=True))
                    for combo in itertools.product(*(values[k] for k in keys))
                ]
            urls[rule.endpoint] = [url_for(rule.endpoint, **a) for a in choices]
    return urls


def may_open(app, role: Role, endpoint: str) -> bool:
    """False where the role's permissions refuse the endpoint outright (the
    403 page); object rules inside the view are left to the view."""
    access = declared_access(app.view_functions[endpoint])
    return not isinstance(access, Permission) or access in ROLE_PERMISSIONS[role]


# The test ----------------------------------------------------------------------


@on_backend("postgresql")
def test_every_demo_page_reads_correctly(app):
    """Each demo role opens every page of the demo data it may open."""
    demo.load()
    # The administrator has set up multi-factor sign-in (with the test secret).
    factories.enrol_mfa(
        db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    )
    db.session.commit()
    urls = demo_urls(app)
    app.test_client_class = FreshContextClient
    # Each line and term–definition pair once, with the first page showing it.
    lines: dict[str, str] = {}
    pairs: dict[tuple[str, str], str] = {}
    opened = {}
    for email, _, role in demo.DEMO_USERS:
        client = app.test_client()
        signed_in = factories.sign_in(client, email, demo.DEMO_PASSWORD)
        assert signed_in.status_code == 302, (role, signed_in.status_code)
        opened[role] = 0
        for endpoint, addresses in urls.items():
            if not may_open(app, Role(role), endpoint):
                continue
            for address in addresses:
                response = client.get(address)
                status = response.status_code
                assert status in (200, 302, 403, 404), (role, address, status)
                if status != 200 or response.mimetype != "text/html":
                    continue
                opened[role] += 1
                text = page_text(response.get_data(as_text=True))
                where = f"{role} {address}"
                for line in text.lines:
                    lines.setdefault(line, where)
                for pair in text.pairs:
                    pairs.setdefault(pair, where)
    # Every role saw the pages of its work, not only the home page.
    assert min(opened.values()) >= 10, opened
    assert sum(opened.values()) > 1500, opened

    whole = sorted({line for line in lines if "…" not in line} | set(descriptors()))
    words = {w.lower() for line in whole for w in re.findall(r"[^\W\d_]+", line)}
    report = [
        f"{problem}\n    first on {where}"
        for line, where in lines.items()
        for problem in problems_in([line], []) + cut_words([line], whole, words)
    ] + [
        f"{problem}\n    first on {where}"
        for pair, where in pairs.items()
        for problem in problems_in([], [pair])
    ]
    assert not report, "\n".join(sorted(report)[:40])
