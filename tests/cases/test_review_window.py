"""The review window: 0 < sharing_date - access_date <= 30 days, at creation, at edit and when the
firm moves its sharing date (audited, with a reason)."""

import pytest

from cases.models import CaseState
from cases.services import case_create, case_edit, case_move_sharing_date
from tests import builders
from tests.assertions import audit_events, refused
from tests.builders import days

TOO_LONG = "The review window would be 31 days; the sharing date must be at most 30 days after the access date."
NOT_AFTER = "The sharing date must be after the access date."


# --- at creation -------------------------------------------------------------------------------


def test_a_30_day_window_is_accepted_at_creation(alex):
    case = case_create(model=builders.make_model(alex), actor=alex, access_date=days(1), sharing_date=days(31))
    assert (case.sharing_date - case.access_date).days == 30


def test_a_31_day_window_is_refused_at_creation(alex):
    model = builders.make_model(alex)
    with refused(TOO_LONG):
        case_create(model=model, actor=alex, access_date=days(1), sharing_date=days(32))


@pytest.mark.parametrize("sharing_offset", [0, -1], ids=["same-day", "before-access"])
def test_the_sharing_date_must_come_after_the_access_date(alex, sharing_offset):
    model = builders.make_model(alex)
    with refused(NOT_AFTER):
        case_create(model=model, actor=alex, access_date=days(10), sharing_date=days(10 + sharing_offset))


# --- editing a draft ---------------------------------------------------------------------------


def test_editing_a_draft_keeps_the_30_day_rule(alex):
    case = builders.make_case(alex, days_to_sharing=20, window_days=10)  # access in 10 days
    with refused(TOO_LONG):
        case_edit(case=case, actor=alex, sharing_date=days(41))
    with refused(TOO_LONG):
        case_edit(case=case, actor=alex, access_date=days(-11))
    with refused(NOT_AFTER):
        case_edit(case=case, actor=alex, access_date=days(20))

    case_edit(case=case, actor=alex, sharing_date=days(40))
    case.refresh_from_db()
    assert (case.sharing_date - case.access_date).days == 30


# --- moving the sharing date -------------------------------------------------------------------


def test_the_firm_moves_the_sharing_date_with_a_reason_and_the_audit_keeps_from_and_to(alex, sam, coordinator):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator, days_to_sharing=20, window_days=25)
    old = case.sharing_date

    case_move_sharing_date(case=case, actor=sam, new_sharing_date=days(24), reason="Partner launch slipped a week.")

    case.refresh_from_db()
    assert case.sharing_date == days(24)
    assert case.state == CaseState.IN_REVIEW
    [event] = audit_events("case.sharing_date_moved", case=case)
    assert event.actor == sam
    assert event.data == {
        "from": old.isoformat(),
        "to": days(24).isoformat(),
        "reason": "Partner launch slipped a week.",
    }


def test_moving_the_sharing_date_keeps_the_30_day_rule(alex, coordinator):
    # Access was 5 days ago: the window may end at most 25 days from today.
    case = builders.make_case(alex, state="in_review", coordinator=coordinator, days_to_sharing=10, window_days=15)
    with refused(TOO_LONG):
        case_move_sharing_date(case=case, actor=alex, new_sharing_date=days(26), reason="Later launch")

    case_move_sharing_date(case=case, actor=alex, new_sharing_date=days(25), reason="Later launch")
    case.refresh_from_db()
    assert (case.sharing_date - case.access_date).days == 30


def test_moving_the_sharing_date_needs_a_reason(alex, coordinator):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    with refused("Say why the sharing date moves: the reason is kept in the case record."):
        case_move_sharing_date(case=case, actor=alex, new_sharing_date=days(18), reason="   ")


def test_the_sharing_date_is_not_moved_into_the_past(alex, coordinator):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator, days_to_sharing=10, window_days=15)
    with refused("The new sharing date cannot be in the past."):
        case_move_sharing_date(case=case, actor=alex, new_sharing_date=days(-1), reason="Shared early")


def test_moving_to_the_same_date_is_refused(alex, coordinator):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    with refused("That is already the sharing date."):
        case_move_sharing_date(case=case, actor=alex, new_sharing_date=case.sharing_date, reason="No change")


def test_the_sharing_date_moves_after_the_window_opened(alex, coordinator):
    # The access date was 20 days ago: the review is well under way.
    case = builders.make_case(alex, state="in_review", coordinator=coordinator, days_to_sharing=5, window_days=25)
    assert case.access_date < days(0)

    case_move_sharing_date(case=case, actor=alex, new_sharing_date=days(2), reason="Sharing sooner")

    case.refresh_from_db()
    assert case.sharing_date == days(2)


def test_a_draft_moves_its_sharing_date_the_same_way(alex):
    case = builders.make_case(alex)
    case_move_sharing_date(case=case, actor=alex, new_sharing_date=days(18), reason="Earlier partner date")
    case.refresh_from_db()
    assert case.sharing_date == days(18)
    assert len(audit_events("case.sharing_date_moved", case=case)) == 1


def test_only_the_firm_moves_the_sharing_date(alex, coordinator, dod_supervisor):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    for someone in (coordinator, dod_supervisor):
        with refused("Only a liaison of the case's firm can move its sharing date.", code="forbidden"):
            case_move_sharing_date(case=case, actor=someone, new_sharing_date=days(18), reason="Because")
