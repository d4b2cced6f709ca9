"""A withdrawn or closed case is read-only for everyone: no finding or comment service changes
anything on it, and the people of the case are told why."""

import pytest

from cases.services import case_withdraw
from findings.services import (
    comment_add,
    finding_edit,
    finding_release,
    finding_resolve,
    finding_respond,
    finding_send_back,
    finding_withdraw,
)
from tests.assertions import refused
from tests.builders import draft, released, responded
from workflow.services import closeout_decide, closeout_request


@pytest.fixture
def findings(case, dod_reviewer, dod_supervisor, alex):
    return {
        "draft": draft(case, dod_reviewer, visibility="firm"),
        "released": released(case, dod_reviewer, dod_supervisor, visibility="firm"),
        "responded": responded(case, dod_reviewer, dod_supervisor, alex),
    }


def _withdraw(case, alex, **_):
    case_withdraw(case=case, actor=alex, reason="We shipped a different snapshot.")


def _close(case, findings, dod_reviewer, dod_supervisor, treasury_supervisor, **_):
    carried = {findings[name].pk: "The firm declined to act." for name in ("released", "responded")}
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="Reviewed.", carried_forward=carried)
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")
    closeout_decide(closeout=closeout, actor=treasury_supervisor, approve=True, statement="The review is concluded.")


@pytest.mark.parametrize(("ending", "state"), [(_withdraw, "withdrawn"), (_close, "closed")])
def test_nothing_changes_on_a_withdrawn_or_closed_case(
    case, findings, alex, sam, dod_reviewer, dod_supervisor, other_dod_supervisor, treasury_supervisor, ending, state
):
    ending(
        case=case,
        findings=findings,
        alex=alex,
        dod_reviewer=dod_reviewer,
        dod_supervisor=dod_supervisor,
        treasury_supervisor=treasury_supervisor,
    )
    case.refresh_from_db()
    assert case.state == state
    read_only = f"Case {case.reference} is {case.get_state_display().lower()}: it is read-only."
    attempts = {  # a failure names the attempt
        "draft": lambda: draft(case, dod_reviewer),
        "edit": lambda: finding_edit(finding=findings["draft"], actor=dod_reviewer, title="Later"),
        "release": lambda: finding_release(finding=findings["draft"], actor=other_dod_supervisor),
        "withdraw": lambda: finding_withdraw(finding=findings["released"], actor=dod_reviewer, reason="Moot."),
        "respond": lambda: finding_respond(finding=findings["released"], actor=sam, choice="declined", text="No."),
        "send back": lambda: finding_send_back(finding=findings["responded"], actor=dod_reviewer, reason="Why?"),
        "resolve": lambda: finding_resolve(
            finding=findings["responded"], actor=dod_supervisor, note="Mitigation verified."
        ),
        "agency comment": lambda: comment_add(case=case, actor=treasury_supervisor, body="Late note."),
        "firm comment": lambda: comment_add(case=case, actor=alex, body="Late note.", finding=findings["released"]),
    }
    for name, attempt in attempts.items():
        with refused(read_only, note=name):
            attempt()
