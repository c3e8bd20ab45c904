"""The search box on the worklist and in the top bar."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tumorboard.auth import scope
from tumorboard.cases import listing
from tumorboard.cases.models import Case
from tumorboard.extensions import db


@pytest.fixture
def cases(make_patient, make_case):
    """A femoral osteosarcoma of Anna-Lena Müller and a spinal metastasis."""
    femur = make_case(
        make_patient(mrn="DEMO-100009", given_name="Anna-Lena", family_name="Müller"),
        site_code="C40.2",
        clinical_question="Suspected osteosarcoma: biopsy route?",
    )
    spine = make_case(
        make_patient(mrn="DEMO-200001", given_name="Bo", family_name="Berg"),
        case_type="skeletal_metastasis",
        known_primary="breast",
        site_code="C41.2",
        clinical_question="Stabilisation before radiotherapy?",
    )
    db.session.commit()
    return femur, spine


def test_worklist_search_finds_by_diagnosis_and_bone(client, login_as, cases):
    login_as("coordinator")
    femur, spine = cases
    page = client.get("/cases/?q=osteosarcoma+femur")
    assert page.status_code == 200
    assert femur.reference in page.text
    assert spine.reference not in page.text
    assert "1 in all" in page.text
    page = client.get("/cases/?q=breast+vertebral")
    assert spine.reference in page.text and femur.reference not in page.text


def test_mrn_typed_with_dashes_and_spaces(client, login_as, cases):
    login_as("coordinator")
    femur, _ = cases
    for q in ("DEMO100009", "demo-100 009", "mull"):
        page = client.get("/cases/", query_string={"q": q})
        assert femur.reference in page.text, q
        assert "1 in all" in page.text, q


def test_search_from_the_top_bar_on_any_page(client, login_as, cases):
    login_as("coordinator")
    page = client.get("/meetings/").text
    assert 'role="search"' in page
    assert 'action="/cases/"' in page
    # The top bar keeps what was searched on the worklist.
    assert 'value="femur"' in client.get("/cases/?q=femur").text


def test_no_search_box_for_roles_without_cases(client, login_as):
    login_as("admin")
    assert 'aria-label="Find cases"' not in client.get("/").text


def test_too_long_a_search_is_a_clear_400(client, login_as, cases):
    login_as("coordinator")
    response = client.get("/cases/", query_string={"q": "femur " * 40})
    assert response.status_code == 400
    assert "The search is 239 characters long; use at most 200 characters." in (
        response.text
    )
    assert "femur femur" in response.text  # what was typed is kept
    response = client.get("/cases/", query_string={"q": "x" * 10_000})
    assert response.status_code == 400
    assert "10,000 characters" in response.text


@pytest.mark.parametrize(
    "q",
    ["!!!", "*", '"', "( )", ":&|!", "–", "\u200b"],
)
def test_a_search_without_letters_or_digits_says_so(client, login_as, cases, q):
    login_as("coordinator")
    response = client.get("/cases/", query_string={"q": q})
    assert response.status_code == 200
    assert "has no letters or digits to search for" in response.text
    assert cases[0].reference not in response.text


@pytest.mark.parametrize(
    "q",
    [
        '"femur"',
        "femur*",
        "femur:*",
        "femur & osteo",
        "femur | x",
        "!femur",
        "(femur)",
        "femur NEAR osteo",
        "femur AND osteosarcoma",
        "femur OR spine",
        "'femur'",
        "femur%",
        "fem_r",
    ],
)
def test_search_syntax_is_read_as_words(client, login_as, cases, q):
    login_as("coordinator")
    response = client.get("/cases/", query_string={"q": q})
    assert response.status_code == 200
    assert "No case matches" in response.text or cases[0].reference in response.text


@pytest.mark.parametrize("q", ["femur\x00", "\x00", "\x01\x02", "fe\x7fmur"])
def test_control_characters_are_refused_with_the_input_message(
    client, login_as, cases, q
):
    login_as("coordinator")
    response = client.get("/cases/", query_string={"q": q})
    assert response.status_code == 400
    assert "control character (such as NUL)" in response.text


def test_syntax_characters_are_ignored_around_words(client, login_as, cases):
    login_as("coordinator")
    for q in ('"femur"', "(femur)", "femur*", "!femur", "femur AND osteosarcoma"):
        page = client.get("/cases/", query_string={"q": q}).text
        assert cases[0].reference in page, q
        assert "1 in all" in page, q


def test_no_match_is_said_plainly(client, login_as, cases):
    login_as("coordinator")
    page = client.get("/cases/?q=humerus").text
    assert "No case matches “humerus”." in page


@pytest.mark.parametrize("size", [3, 12])
def test_search_page_uses_a_fixed_number_of_statements(
    client, login_as, make_case, make_patient, count_queries, size
):
    login_as("coordinator")
    for n in range(size):
        make_case(make_patient(family_name=f"Femurson{n}"))
    db.session.commit()
    with count_queries() as counter:
        response = client.get("/cases/?q=femur+osteosarcoma")
    assert response.status_code == 200
    assert f"{size} in all" in response.text
    # session and user, clinicians for filters, the page's case ids with the
    # number of matches, those cases, the audit entry of the list read
    # (chain lock, previous MAC, insert), and the unread notifications in
    # the navigation; the coordinator sits on every board, so which cases
    # they may open needs no query
    assert counter.count == 8, counter.statements


def test_my_cases_search(client, login_as, make_case, make_patient):
    lead = login_as("orthopedic_oncologist")
    mine = make_case(make_patient(family_name="Mine"), lead_clinician_id=lead.id)
    make_case(make_patient(family_name="Other"))
    db.session.commit()
    page = client.get("/cases/mine?q=femur").text
    assert mine.reference in page
    assert "1 in all" in page


def test_a_plain_search_counts_its_matches_in_the_index_alone(
    app, cases, client, login_as, count_queries
):
    """A search that nothing else filters, by someone with every case in
    scope, counts the matching rows of the search index without reading
    their cases; any other search counts through the cases."""
    viewer = login_as("coordinator")

    def counted(select: sa.Select) -> int:
        sub = select.order_by(None).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(sub))

    with app.test_request_context():
        scope.remember_on_every_board(viewer.id, True)
        for words in ("osteosarcoma femur", "Müller", "berg", "humerus"):
            filters = listing.CaseFilters(q=words, viewer_id=viewer.id)
            alone = listing.search_counted(filters)
            assert alone is not None
            listed = listing.case_list_query(filters)
            assert counted(alone) == counted(listed)
            # The page's keys, read off the search table, come in the list's
            # order, each with the number of matches.
            ids = db.session.scalars(
                listed.with_only_columns(Case.id, maintain_column_froms=True)
            ).all()
            keys = listing.search_keys(filters)
            for offset, limit in ((0, 100), (1, 2)):
                page = db.session.execute(*keys(offset, limit)).all()
                assert [key for key, _ in page] == ids[offset : offset + limit]
                assert {total for _, total in page} <= {len(ids)}
            sorted_otherwise = listing.CaseFilters(
                q=words, sort="referral", viewer_id=viewer.id
            )
            assert listing.search_keys(sorted_otherwise) is None
        for filters in (
            listing.CaseFilters(q="femur", status="referred", viewer_id=viewer.id),
            listing.CaseFilters(q="femur", site="C40.2", viewer_id=viewer.id),
            listing.CaseFilters(q=cases[0].reference, viewer_id=viewer.id),
            listing.CaseFilters(viewer_id=viewer.id),
        ):
            assert listing.search_counted(filters) is None
            assert listing.search_keys(filters) is None
    # Not known to have every case: the matches are counted through the cases.
    filters = listing.CaseFilters(q="femur", viewer_id=viewer.id)
    assert listing.search_counted(filters) is None

    with count_queries() as counter:
        page = client.get("/cases/?q=osteosarcoma+femur")
    assert "1 in all" in page.text
    # The page's keys carry the number of matches: in the same scan on
    # PostgreSQL, off the FTS5 table on SQLite.
    (count,) = [s for s in counter.statements if "count(*)" in s]
    assert "LIMIT" in count
    if db.engine.dialect.name == "sqlite":
        assert (
            "count(*) AS count_1 \nFROM (SELECT rowid AS case_id \nFROM case_search_fts"
            in count
        )
    else:
        assert "OVER ()" in count
    assert "case_search" in count and "cases" not in count.replace("case_search", "")
    # Nothing found: the same statements, and no count beside the keys'.
    with count_queries() as nothing:
        page = client.get("/cases/?q=humerus")
    assert "No case matches" in page.text
    assert nothing.count == counter.count
    assert not [s for s in nothing.statements if "count(*)" in s and "LIMIT" not in s]


def test_the_pages_keys_follow_the_ranks_across_their_boundaries(
    app, login_as, make_patient, make_case
):
    """The page's keys of a plain search come in the list's order (exact MRN,
    then names, then any other word, newest first within each) on every
    page, also when a page spans two ranks, and each carries the number of
    matches."""
    viewer = login_as("coordinator")
    made = [
        make_case(make_patient(given_name="Berg", family_name="Lind")),
        make_case(make_patient(), clinical_question="Seen by Dr Bergman?"),
        make_case(make_patient(mrn="BERG", family_name="Holm")),
        make_case(make_patient(family_name="Bergström")),
        make_case(make_patient(), clinical_question="Referred from Bergen."),
        make_case(make_patient(given_name="Ann", family_name="Berg")),
        make_case(make_patient(family_name="Holm")),  # no match
    ]
    db.session.commit()
    expected = [made[i].id for i in (2, 5, 3, 0, 4, 1)]
    with app.test_request_context():
        scope.remember_on_every_board(viewer.id, True)
        filters = listing.CaseFilters(q="berg", viewer_id=viewer.id)
        listed = listing.case_list_query(filters)
        assert [c.id for c in db.session.scalars(listed).unique()] == expected
        keys = listing.search_keys(filters)
        for offset in range(len(expected) + 1):
            for limit in (1, 2, 3, 50):
                page = db.session.execute(*keys(offset, limit)).all()
                assert [key for key, _ in page] == expected[offset : offset + limit]
                assert {total for _, total in page} <= {len(expected)}
        # Two words: both must start one of the names for the second rank.
        filters = listing.CaseFilters(q="ann berg", viewer_id=viewer.id)
        page = db.session.execute(*listing.search_keys(filters)(0, 50)).all()
        assert page == [(made[5].id, 1)]
