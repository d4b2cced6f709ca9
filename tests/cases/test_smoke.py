from cases.models import CaseState
from cases.selectors import cases_for
from findings.selectors import findings_for
from findings.services import finding_draft, finding_release, finding_resolve, finding_respond
from tests import builders
from workflow.services import closeout_decide, closeout_request


def test_a_case_goes_through_its_whole_lifecycle(alex, dod_reviewer, dod_supervisor, coordinator, kim):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    assert case.state == CaseState.IN_REVIEW
    assert list(cases_for(dod_reviewer)) == [case]
    assert list(cases_for(kim)) == []
    finding = finding_draft(
        case=case,
        actor=dod_reviewer,
        title="Jailbreak",
        description="d",
        category="safeguard_bypass",
        severity="high",
        target_kind="safeguard",
        target_component="input classifier",
        visibility="firm",
        configuration=builders.configuration(case),
    )
    assert list(findings_for(alex)) == []
    finding_release(finding=finding, actor=dod_supervisor)
    assert list(findings_for(alex)) == [finding]
    finding_respond(finding=finding, actor=alex, choice="mitigated", text="Patched")
    finding_resolve(finding=finding, actor=dod_reviewer, note="Mitigation verified.")
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="Done")
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
