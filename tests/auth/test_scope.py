"""Access scope (tumorboard.auth.scope): the SQL rule agrees with the rule in
plain Python for random boards, listings, attendance, reviews and notes, and
each way into the scope works on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.meetings.factories import make_board, make_item, make_meeting
from tumorboard.annotations.models import Annotation
from tumorboard.auth import scope
from tumorboard.auth.disciplines import Discipline
from tumorboard.cases.models import CaseStatus
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Attendance, Board, board_members
from tumorboard.reviews.models import DisciplineReview, ReviewRevision

N_BOARDS, N_USERS, N_CASES = 3, 4, 4

people = st.sampled_from(range(N_USERS))
maybe_person = st.one_of(st.none(), people)
boards = st.sampled_from(range(N_BOARDS))
world = st.fixed_dictionaries(
    {
        "members": st.lists(
            # Up to every board: a member of all of them has every case.
            st.sets(boards, max_size=N_BOARDS),
            min_size=N_USERS,
            max_size=N_USERS,
        ),
        "cases": st.lists(
            st.fixed_dictionaries(
                {
                    "board": boards,
                    "lead": maybe_person,
                    "key": maybe_person,
                    "listings": st.lists(
                        st.tuples(boards, st.sets(people, max_size=2)), max_size=2
                    ),
                    "reviewers": st.sets(people, max_size=2),
                    "annotators": st.sets(people, max_size=1),
                }
            ),
            min_size=N_CASES,
            max_size=N_CASES,
        ),
    }
)


def _build(spec, users, board_rows):
    """Write one random world; return the cases and their plain facts."""
    for index, chosen in enumerate(spec["members"]):
        for b in chosen:
            db.session.execute(
                board_members.insert().values(
                    board_id=board_rows[b].id, user_id=users[index].id
                )
            )
    built = []
    for n, one in enumerate(spec["cases"]):
        case = factories.make_case(
            board_id=board_rows[one["board"]].id,
            lead_clinician_id=users[one["lead"]].id
            if one["lead"] is not None
            else None,
            key_worker_id=users[one["key"]].id if one["key"] is not None else None,
        )
        for days, (b, present) in enumerate(one["listings"]):
            meeting = make_meeting(board_rows[b], days=-7 * (days + 1) - n)
            make_item(meeting, case)
            for person in present:
                db.session.add(
                    Attendance(
                        meeting_id=meeting.id,
                        user_id=users[person].id,
                        discipline=Discipline.RADIOLOGY,
                    )
                )
        for number, person in enumerate(sorted(one["reviewers"]), start=1):
            review = (
                db.session.query(DisciplineReview).filter_by(case_id=case.id).first()
            )
            if review is None:
                review = DisciplineReview(
                    case_id=case.id, discipline=Discipline.RADIOLOGY
                )
                db.session.add(review)
                db.session.flush()
            db.session.add(
                ReviewRevision(
                    review_id=review.id,
                    number=number,
                    author_id=users[person].id,
                    data={},
                )
            )
        for person in one["annotators"]:
            db.session.add(
                Annotation(
                    case_id=case.id,
                    author_id=users[person].id,
                    discipline=Discipline.RADIOLOGY,
                    body="Synthetic note.",
                )
            )
        facts = scope.Facts(
            case_board=one["board"],
            lead_clinician=one["lead"],
            key_worker=one["key"],
            listings=[(b, set(p)) for b, p in one["listings"]],
            review_authors=set(one["reviewers"]),
            annotation_authors=set(one["annotators"]),
        )
        built.append((case, facts))
    db.session.flush()
    return built


def test_the_sql_rule_agrees_with_the_reference_rule(app):
    users = [factories.make_user("radiologist", boards=[]) for _ in range(N_USERS)]
    board_rows = [make_board(members=[]) for _ in range(N_BOARDS)]
    db.session.commit()

    @given(spec=world)
    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(spec):
        savepoint = db.session.begin_nested()
        try:
            built = _build(spec, users, board_rows)
            ids = [case.id for case, _ in built]
            for index, user in enumerate(users):
                scope.forget()
                found = scope.scoped_ids(user.id, ids)
                expected = {
                    case.id
                    for case, facts in built
                    if scope.reference_scope(index, spec["members"][index], facts)
                }
                assert found == expected, (index, spec)
        finally:
            savepoint.rollback()

    check()


@pytest.fixture
def outsider(app):
    return factories.make_user("medical_oncologist", boards=[])


def test_an_outsider_reads_nothing(outsider):
    case = factories.make_case()
    assert scope.scoped_ids(outsider.id, [case.id]) == set()


@pytest.mark.parametrize(
    "way",
    ["board", "listed", "lead", "key_worker", "attended", "reviewed", "annotated"],
)
def test_each_way_into_the_scope(outsider, way):
    other_board = make_board(members=[])
    case = factories.make_case(board_id=other_board.id)
    if way == "board":
        factories.join_board(outsider, other_board)
    elif way == "listed":
        mine = make_board(members=[outsider])
        make_item(make_meeting(mine, days=-7), case)
    elif way == "lead":
        case.lead_clinician_id = outsider.id
    elif way == "key_worker":
        case.key_worker_id = outsider.id
    elif way == "attended":
        meeting = make_meeting(make_board(members=[]), days=-7)
        make_item(meeting, case)
        db.session.add(
            Attendance(
                meeting_id=meeting.id,
                user_id=outsider.id,
                discipline=Discipline.MEDICAL_ONCOLOGY,
            )
        )
    elif way == "reviewed":
        review = DisciplineReview(case_id=case.id, discipline=Discipline.RADIOLOGY)
        db.session.add(review)
        db.session.flush()
        db.session.add(
            ReviewRevision(
                review_id=review.id, number=1, author_id=outsider.id, data={}
            )
        )
    else:
        db.session.add(
            Annotation(
                case_id=case.id,
                author_id=outsider.id,
                discipline=Discipline.MEDICAL_ONCOLOGY,
                body="Synthetic note.",
            )
        )
    db.session.flush()
    assert scope.scoped_ids(outsider.id, [case.id]) == {case.id}


def test_absent_from_the_meeting_is_not_attending(outsider):
    case = factories.make_case(board_id=make_board(members=[]).id)
    meeting = make_meeting(make_board(members=[]), days=-7)
    make_item(meeting, case)
    db.session.add(
        Attendance(
            meeting_id=meeting.id,
            user_id=outsider.id,
            discipline=Discipline.MEDICAL_ONCOLOGY,
            present=False,
        )
    )
    db.session.flush()
    assert scope.scoped_ids(outsider.id, [case.id]) == set()


def test_a_running_grant_opens_the_case_and_an_expired_one_does_not(outsider):
    case = factories.make_case(board_id=make_board(members=[]).id)
    now = datetime.now(UTC)
    factories.make_grant(outsider, case, granted_at=now - timedelta(hours=13))
    assert not scope.may_read_case(outsider.id, case.id)
    factories.make_grant(outsider, case, granted_at=now)
    assert scope.may_read_case(outsider.id, case.id)
    assert scope.readable_ids(outsider.id, [case.id]) == {case.id}


def _note(author, case, body: str, at: datetime) -> None:
    db.session.add(
        Annotation(
            case_id=case.id,
            author_id=author.id,
            discipline=Discipline.MEDICAL_ONCOLOGY,
            body=body,
            created_at=at,
        )
    )
    db.session.flush()


def test_a_note_written_under_a_grant_keeps_no_access_after_it(outsider):
    case = factories.make_case(board_id=make_board(members=[]).id)
    now = datetime.now(UTC)
    factories.make_grant(outsider, case, granted_at=now - timedelta(hours=1))
    _note(outsider, case, "Seen tonight.", now)
    assert scope.may_read_case(outsider.id, case.id)  # the grant runs
    # The note was written during the grant: it opens nothing of its own, so
    # the case closes when the grant ends.
    assert scope.scoped_ids(outsider.id, [case.id]) == set()
    # A note written outside any grant does bring its author in.
    _note(outsider, case, "Follow-up note.", now + timedelta(hours=12))
    scope.forget()
    assert scope.scoped_ids(outsider.id, [case.id]) == {case.id}


def test_a_grant_on_another_case_does_not_cancel_a_note(outsider):
    """Only a grant on the case the note is about keeps the note from
    bringing its author in: one running on another case at the same time
    does not."""
    noted = factories.make_case(board_id=make_board(members=[]).id)
    other = factories.make_case(board_id=make_board(members=[]).id)
    now = datetime.now(UTC)
    factories.make_grant(outsider, other, granted_at=now - timedelta(hours=1))
    _note(outsider, noted, "Reviewed the outside imaging.", now)
    assert scope.scoped_ids(outsider.id, [noted.id, other.id]) == {noted.id}


def test_covers_tests_the_case_of_each_row(outsider):
    """``covers`` filters rows of another table by their case's scope."""
    board = make_board(members=[])
    mine = factories.make_case(board_id=board.id, lead_clinician_id=outsider.id)
    theirs = factories.make_case(board_id=board.id)
    meeting = make_meeting(board, days=7)
    listed = {make_item(meeting, case).id: case.id for case in (mine, theirs)}
    found = db.session.scalars(
        sa.select(AgendaItem.id).where(scope.covers(outsider.id, AgendaItem.case_id))
    ).all()
    assert [listed[i] for i in found] == [mine.id]


def test_a_member_of_every_board_has_every_case_in_scope(outsider):
    """``on_every_board``: answered once per statement, it lets a count skip
    the tests of each case; a board the person is not on, active or not,
    makes it false and the tests of each case apply again."""

    def on_every_board() -> bool:
        return db.session.scalar(sa.select(scope.on_every_board(outsider.id)))

    for board in db.session.scalars(sa.select(Board)):
        factories.join_board(outsider, board)
    sat = make_board(members=[outsider])
    case = factories.make_case(board_id=sat.id)
    meeting = make_meeting(sat, days=7)
    item = make_item(meeting, case)
    assert on_every_board()
    assert scope.scoped_ids(outsider.id, [case.id]) == {case.id}

    elsewhere = make_board(members=[], is_active=False)
    other = factories.make_case(board_id=elsewhere.id)
    other_item = make_item(make_meeting(elsewhere, days=7), other)
    scope.forget()
    assert not on_every_board()
    assert scope.scoped_ids(outsider.id, [case.id, other.id]) == {case.id}
    found = db.session.scalars(
        sa.select(AgendaItem.id)
        .where(scope.covers(outsider.id, AgendaItem.case_id))
        .where(AgendaItem.id.in_([item.id, other_item.id]))
    ).all()
    assert found == [item.id]


def test_a_request_knows_whether_its_user_sits_on_every_board(
    client, login_as, count_queries
):
    """Checked with the session on each request: for a person on every board
    the worklist's count and page are plain, with no test of each case; once
    a board they are not on exists, the tests of each case come back, and
    the new board's case stays out of their list."""
    coordinator = login_as("coordinator")
    for board in db.session.scalars(
        sa.select(Board).where(~Board.id.in_(scope.board_ids_of(coordinator.id)))
    ):
        factories.join_board(coordinator, board)
    mine = factories.make_case(status=CaseStatus.WORKUP)
    db.session.commit()

    def cases_statements() -> tuple[list[str], str]:
        with count_queries() as counter:
            page = client.get("/worklist")
        assert page.status_code == 200
        return [s for s in counter.statements if "FROM cases" in s], page.text

    plain, text = cases_statements()
    assert plain and mine.reference in text
    assert not [s for s in plain if "board_members" in s or "attendances" in s]

    elsewhere = make_board(members=[])
    theirs = factories.make_case(board_id=elsewhere.id, status=CaseStatus.WORKUP)
    db.session.commit()
    tested, text = cases_statements()
    assert [s for s in tested if "board_members" in s and "attendances" in s]
    assert mine.reference in text and theirs.reference not in text
