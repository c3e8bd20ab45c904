"""Annotations: sanitised markdown, threads, revisions on edit and delete."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from tests.reviews.factories import make_review
from tumorboard.annotations import services
from tumorboard.annotations.models import Annotation, AnnotationRevision
from tumorboard.annotations.rendering import render_markdown
from tumorboard.audit.models import AuditEntry
from tumorboard.errors import AccessDenied, Conflict, InvalidInput
from tumorboard.extensions import db


def test_markdown_is_rendered_and_links_are_made_safe():
    html = str(
        render_markdown("**Fix** it: [PACS](https://pacs.example.org/s/1) and *soon*")
    )
    assert "<strong>Fix</strong>" in html and "<em>soon</em>" in html
    assert 'href="https://pacs.example.org/s/1"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="vbscript:msgbox">x</a>',
    ],
)
def test_rendering_never_outputs_scripts_handlers_or_unsafe_links(body):
    html = str(render_markdown(body)).lower()
    # Raw HTML comes out as escaped text, and unsafe links are not links.
    assert "<script" not in html and "<img" not in html and "<a " not in html


def test_bare_web_addresses_become_safe_links():
    html = str(
        render_markdown("Key images: https://pacs.example.org/viewer?study=1&s=2 ok")
    )
    assert html == (
        '<p>Key images: <a href="https://pacs.example.org/viewer?study=1&amp;s=2" '
        'rel="noopener noreferrer nofollow">'
        "https://pacs.example.org/viewer?study=1&amp;s=2</a> ok</p>\n"
    )
    assert 'href="http://x.example.org/a"' in str(
        render_markdown("http://x.example.org/a.")
    )
    assert 'href="mailto:tumourboard@example.org"' in str(
        render_markdown("mailto:tumourboard@example.org")
    )


@pytest.mark.parametrize(
    "body",
    [
        "javascript:alert(1)",
        "JavaScript://example.org/%0Aalert(1)",
        "javascript://%0aalert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "ftp://files.example.org/report.pdf",
        "//evil.example.org/steal",
        "file:///etc/passwd",
        "www.example.org and example.org",
        "someone@example.org",
        "`https://inside.example.org/code`",
        "    https://indented.example.org/code-block",
    ],
)
def test_only_http_https_and_mailto_addresses_become_links(body):
    html = str(render_markdown(body))
    assert "<a " not in html and "href" not in html


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every element of ``html`` with its attributes, as a browser parses them."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


@pytest.mark.parametrize(
    ("body", "href"),
    [
        # Markup glued to an address ends the address; it never gets out as HTML.
        (
            'https://x.example.org/"><script>alert(1)</script>',
            "https://x.example.org/",
        ),
        ('https://x.example.org/" onmouseover="alert(1)', "https://x.example.org/"),
        (
            "https://x.example.org/<img src=x onerror=alert(1)>",
            "https://x.example.org/",
        ),
        # Quotes inside an address stay inside the href: no attribute appears.
        (
            "https://x.example.org/a'onclick='alert(1)",
            "https://x.example.org/a'onclick='alert(1)",
        ),
        ("(see https://x.example.org/a_(b))", "https://x.example.org/a_(b)"),
        ("**https://x.example.org/b**", "https://x.example.org/b"),
    ],
)
def test_hostile_text_around_a_bare_address_stays_text(body, href):
    tags = _tags(str(render_markdown(body)))
    assert {tag for tag, _ in tags} <= {"p", "a", "strong"}
    links = [attrs for tag, attrs in tags if tag == "a"]
    assert links == [{"href": href, "rel": "noopener noreferrer nofollow"}]


def test_an_explicit_link_is_not_linked_twice():
    html = str(
        render_markdown("[PACS](https://pacs.example.org/1) https://pacs.example.org/1")
    )
    links = [attrs["href"] for tag, attrs in _tags(html) if tag == "a"]
    assert links == ["https://pacs.example.org/1"] * 2
    assert ">PACS</a>" in html


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("<script>alert('x')</script>", "cannot contain <script> tags"),
        ("< SCRIPT src=//evil>", "cannot contain <script> tags"),
        ('<img src=x onerror="alert(1)">', "event handlers"),
        ("[x](javascript:alert(1))", "Only http, https and mailto links"),
        ("   ", "Write the annotation first"),
        ("x" * 10_001, "at most 10000 characters"),
    ],
)
def test_dangerous_or_empty_bodies_are_refused(make_case, make_user, body, match):
    case = make_case()
    with pytest.raises(InvalidInput, match=match):
        services.create_annotation(make_user("radiologist"), case, body)
    assert db.session.scalar(sa.select(sa.func.count(Annotation.id))) == 0


def test_annotation_records_discipline_review_and_timeline_entry(make_case, make_user):
    case = make_case()
    revision = make_review(case, "radiology")
    author = make_user("pathologist")
    note = services.create_annotation(
        author,
        case,
        "Core needle through the **lateral** approach, please.",
        review_id=revision.review_id,
    )
    assert note.discipline == "pathology"
    assert note.review_id == revision.review_id
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "annotation.create")
    ).one()
    assert entry.case_id == case.id
    assert entry.summary == f"Note by {author.name} (Pathology)"


def test_coordinator_notes_are_marked_coordination(make_case, make_user):
    note = services.create_annotation(
        make_user("coordinator"),
        make_case(),
        "Outside MRI requested from St Elsewhere.",
    )
    assert note.discipline == "coordination"


def test_replies_join_the_root_thread(make_case, make_user):
    case = make_case()
    root = services.create_annotation(make_user("radiologist"), case, "Skip lesion?")
    reply = services.create_annotation(
        make_user("orthopedic_oncologist"),
        case,
        "Agree, MRI whole femur.",
        parent_id=root.id,
    )
    nested = services.create_annotation(
        make_user("pathologist"), case, "Noted.", parent_id=reply.id
    )
    assert nested.parent_id == root.id
    threads = services.threads(case.id)
    assert len(threads) == 1 and [n.id for n in threads[0].replies] == [
        reply.id,
        nested.id,
    ]


def test_review_and_parent_must_belong_to_the_case(make_case, make_user):
    other = make_case()
    revision = make_review(other, "radiology")
    note = services.create_annotation(make_user("radiologist"), other, "Elsewhere")
    case = make_case()
    with pytest.raises(InvalidInput, match="not part of this case"):
        services.create_annotation(
            make_user("radiologist"), case, "x", review_id=revision.review_id
        )
    with pytest.raises(InvalidInput, match="not on this case"):
        services.create_annotation(
            make_user("radiologist"), case, "x", parent_id=note.id
        )


def test_edit_and_delete_keep_every_revision(make_case, make_user):
    case = make_case()
    author = make_user("radiologist")
    note = services.create_annotation(author, case, "First text")
    services.edit_annotation(author, case, note, "Second text", note.version)
    services.delete_annotation(author, case, note, note.version)
    assert note.is_deleted and note.current_number == 3
    history = services.annotation_history(author, note)
    assert [(r.action, r.body) for r in history] == [
        ("create", "First text"),
        ("edit", "Second text"),
        ("delete", "Second text"),
    ]
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_type == "annotation")
    ).all()
    assert actions == ["annotation.create", "annotation.update", "annotation.delete"]
    update = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "annotation.update")
    ).one()
    assert update.changes == {"body": ["First text", "Second text"]}


def test_only_the_author_changes_or_sees_history(make_case, make_user):
    case = make_case()
    note = services.create_annotation(make_user("radiologist"), case, "Mine")
    other = make_user("radiologist")
    with pytest.raises(AccessDenied):
        services.edit_annotation(other, case, note, "Theirs", note.version)
    with pytest.raises(AccessDenied):
        services.delete_annotation(other, case, note, note.version)
    with pytest.raises(AccessDenied):
        services.annotation_history(other, note)


def test_stale_edit_is_refused(make_case, make_user):
    case = make_case()
    author = make_user("radiologist")
    note = services.create_annotation(author, case, "Version one")
    stale = note.version
    services.edit_annotation(author, case, note, "Version two", note.version)
    with pytest.raises(Conflict, match="changed since you opened it"):
        services.edit_annotation(author, case, note, "Version three", stale)
    assert note.body == "Version two"
    assert db.session.scalar(sa.select(sa.func.count(AnnotationRevision.id))) == 2


def test_admin_cannot_annotate(make_case, make_user):
    with pytest.raises(AccessDenied):
        services.create_annotation(make_user("admin"), make_case(), "Hello")


def test_an_annotation_is_changed_only_through_its_own_case(make_case, make_user):
    author = make_user("radiologist")
    note = services.create_annotation(author, make_case(), "On the first case")
    other = make_case()
    with pytest.raises(AccessDenied):
        services.edit_annotation(author, other, note, "Moved", note.version)
    with pytest.raises(AccessDenied):
        services.delete_annotation(author, other, note, note.version)
    assert note.body == "On the first case" and not note.is_deleted
    assert db.session.scalar(sa.select(sa.func.count(AnnotationRevision.id))) == 1


@pytest.mark.parametrize("status", ["closed", "withdrawn"])
def test_annotations_of_a_closed_case_cannot_change(make_case, make_user, status):
    case = make_case()
    author = make_user("radiologist")
    note = services.create_annotation(author, case, "Written while open")
    case.status = status
    with pytest.raises(InvalidInput, match="closed or withdrawn"):
        services.edit_annotation(author, case, note, "Rewritten", note.version)
    with pytest.raises(InvalidInput, match="closed or withdrawn"):
        services.delete_annotation(author, case, note, note.version)
    assert note.body == "Written while open" and not note.is_deleted
