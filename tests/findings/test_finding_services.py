"""The finding services: each transition's success path with its audit event, and each refusal
with its message and nothing changed (tests.assertions.refused)."""

import datetime

from django.utils import timezone

from audit.models import AuditEvent
from findings.models import Comment, Finding, FindingResponse, FindingState
from findings.selectors import comments_for, findings_for
from findings.services import (
    finding_draft,
    finding_edit,
    finding_release,
    finding_resolve,
    finding_respond,
    finding_send_back,
    finding_withdraw,
)
from tests import builders
from tests.assertions import audit_actions, refused
from tests.builders import draft, released, responded
from workflow.services import closeout_request

# --- draft -----------------------------------------------------------------------------------


def test_a_reviewer_drafts_a_finding_only_their_agency_sees(case, dod_reviewer, dod_supervisor, treasury_reviewer):
    due = timezone.localdate() + datetime.timedelta(days=10)
    finding = finding_draft(
        case=case,
        actor=dod_reviewer,
        title="  Filter bypass  ",
        description="The input classifier misses base64 payloads.",
        category="safeguard_bypass",
        severity="critical",
        target_kind="safeguard",
        target_component=" input classifier ",
        visibility="firm",
        response_due=due,
        configuration=builders.configuration(case),
    )
    finding.refresh_from_db()
    assert finding.state == FindingState.DRAFT
    assert (finding.agency.code, finding.author, finding.title) == ("dod", dod_reviewer, "Filter bypass")
    assert (finding.target_kind, finding.target_component) == ("safeguard", "input classifier")
    assert finding.response_due == due
    assert finding.released_at is None
    assert audit_actions(finding) == ["finding.drafted"]
    event = AuditEvent.objects.get(action="finding.drafted")
    assert (event.actor, event.case) == (dod_reviewer, case)
    assert event.data == {
        "agency": "dod",
        "severity": "critical",
        "visibility": "firm",
        "configuration": builders.configuration(case).pk,
    }
    assert list(findings_for(dod_supervisor)) == [finding]
    assert list(findings_for(treasury_reviewer)) == []


def test_a_model_target_drops_a_stray_component_name(case, dod_reviewer):
    finding = draft(case, dod_reviewer, target_kind="model", target_component="ignored")
    assert finding.target_component == ""


SEVERITIES = "Choose from: Critical, High, Medium, Low, Informational."
VISIBILITIES = "Choose from: Authoring agency only, All assigned agencies, Assigned agencies and the firm."
NAME_THE_COMPONENT = "Name the safeguard component (a classifier, a filter, the access system)."
BAD_DRAFTS = [
    ({"title": "   "}, "A finding needs a title."),
    ({"description": ""}, "A finding needs a description."),
    ({"title": "x" * 201}, "A finding's title is at most 200 characters."),
    (
        {"category": "vibes"},
        "'vibes' is not a category. Choose from: Cyber offense capability, Critical-infrastructure risk, "
        "Financial-system risk, CBRN uplift, Autonomy / loss of control, Model and weight security, "
        "Safeguard bypass, Other.",
    ),
    ({"severity": "apocalyptic"}, f"'apocalyptic' is not a severity. {SEVERITIES}"),
    ({"visibility": "public"}, f"'public' is not a visibility. {VISIBILITIES}"),
    ({"target_kind": "weights"}, "'weights' is not a target. Choose from: The model itself, A safeguard component."),
    ({"target_kind": "safeguard", "target_component": " "}, NAME_THE_COMPONENT),
    ({"response_due": datetime.date(2020, 1, 1)}, "The response due date cannot be in the past."),
    ({"response_due": "next week"}, "The response due date must be a date."),
]


def test_a_draft_with_bad_fields_is_refused(case, dod_reviewer):
    for fields, message in BAD_DRAFTS:
        with refused(message, note=str(fields)):
            draft(case, dod_reviewer, **fields)


def test_only_reviewers_of_an_assigned_agency_draft(case, alex, kim, cisa_reviewer, cisa_supervisor, coordinator):
    for outsider in (alex, kim, cisa_reviewer, cisa_supervisor, coordinator):
        with refused(f"Only reviewers of an agency assigned to {case.reference} can write findings."):
            draft(case, outsider)


def test_no_finding_is_drafted_before_review_or_after_closeout_is_requested(alex, coordinator, dod_reviewer):
    submitted = builders.make_case(alex, state="submitted", coordinator=coordinator)
    with refused(f"Only reviewers of an agency assigned to {submitted.reference} can write findings."):
        draft(submitted, dod_reviewer)
    case = builders.make_case(alex, state="in_review", agencies=("dod",), coordinator=coordinator)

    closeout_request(case=case, actor=dod_reviewer, summary="Nothing found.")
    with refused(f"Case {case.reference} is closeout requested; you can write findings only when it is in review."):
        draft(case, dod_reviewer)


# --- edit ------------------------------------------------------------------------------------


def test_the_authoring_agency_edits_its_draft(case, dod_reviewer, dod_supervisor):
    finding = draft(case, dod_reviewer)
    finding_edit(
        finding=finding,
        actor=dod_supervisor,
        title=" Sharper title ",
        severity="medium",
        target_kind="safeguard",
        target_component="output filter",
        visibility="government",
    )
    finding.refresh_from_db()
    assert (finding.title, finding.severity, finding.visibility) == ("Sharper title", "medium", "government")
    assert finding.target_component == "output filter"
    assert audit_actions(finding) == ["finding.drafted", "finding.edited"]
    event = AuditEvent.objects.filter(action="finding.edited").get()
    assert event.actor == dod_supervisor
    assert event.data == {"fields": ["severity", "target_component", "target_kind", "title", "visibility"]}


def test_an_edit_that_changes_nothing_writes_no_audit_event(case, dod_reviewer):
    finding = draft(case, dod_reviewer)
    finding_edit(finding=finding, actor=dod_reviewer, title=finding.title, severity=finding.severity)
    assert audit_actions(finding) == ["finding.drafted"]


BAD_EDITS = [
    ({"title": ""}, "A finding needs a title."),
    ({"severity": "extreme"}, f"'extreme' is not a severity. {SEVERITIES}"),
    ({"visibility": "everyone"}, f"'everyone' is not a visibility. {VISIBILITIES}"),
    ({"target_kind": "safeguard"}, NAME_THE_COMPONENT),
    ({"response_due": datetime.date(2020, 1, 1)}, "The response due date cannot be in the past."),
    ({"state": "released"}, "These fields cannot be edited: state."),
    ({"agency_id": 3, "author_id": 1}, "These fields cannot be edited: agency_id, author_id."),
]


def test_a_bad_edit_is_refused(case, dod_reviewer):
    finding = draft(case, dod_reviewer)
    for changes, message in BAD_EDITS:
        with refused(message, note=str(changes)):
            finding_edit(finding=finding, actor=dod_reviewer, **changes)
    assert finding.state == FindingState.DRAFT


def test_another_agency_cannot_edit(case, dod_reviewer, dod_supervisor, treasury_supervisor):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="government")
    with refused("Only DoD can edit this finding."):
        finding_edit(finding=finding, actor=treasury_supervisor, title="Hijacked")


def test_a_released_finding_is_not_edited(case, dod_reviewer, dod_supervisor):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    with refused("Only a draft can be edited; this finding has been released."):
        finding_edit(finding=finding, actor=dod_supervisor, description="Quietly softened.")


# --- release and the two-person rule ---------------------------------------------------------


def test_a_reviewer_releases_an_agency_finding_to_their_agency(case, dod_reviewer, dod_supervisor, alex):
    finding = draft(case, dod_reviewer, visibility="agency")
    finding_release(finding=finding, actor=dod_reviewer)
    finding.refresh_from_db()
    assert finding.state == FindingState.RELEASED
    assert finding.released_by == dod_reviewer
    assert finding.released_at is not None
    assert audit_actions(finding) == ["finding.drafted", "finding.released"]
    assert AuditEvent.objects.get(action="finding.released").data == {"visibility": "agency", "response_due": None}
    assert list(findings_for(dod_supervisor)) == [finding]
    assert list(findings_for(alex)) == []


BEYOND_THE_AGENCY = ("government", "firm")


def test_a_reviewer_cannot_release_beyond_the_agency(case, dod_reviewer, dod_supervisor):
    for author in (dod_reviewer, dod_supervisor):
        for visibility in BEYOND_THE_AGENCY:
            finding = draft(case, author, visibility=visibility)
            with refused("Releasing a finding beyond DoD takes a supervisor of the agency.", note=visibility):
                finding_release(finding=finding, actor=dod_reviewer)


def test_the_supervisor_who_wrote_it_cannot_release_it(case, dod_supervisor):
    for visibility in BEYOND_THE_AGENCY:
        finding = draft(case, dod_supervisor, visibility=visibility)
        with refused("You wrote this finding: another supervisor of your agency must release it.", note=visibility):
            finding_release(finding=finding, actor=dod_supervisor)


def test_another_supervisor_of_the_agency_releases_it(
    case, dod_supervisor, other_dod_supervisor, treasury_reviewer, alex
):
    government, firm = (draft(case, dod_supervisor, visibility=visibility) for visibility in BEYOND_THE_AGENCY)
    for finding in (government, firm):
        finding_release(finding=finding, actor=other_dod_supervisor)
        finding.refresh_from_db()
        assert (finding.state, finding.released_by) == (FindingState.RELEASED, other_dod_supervisor)
    assert set(findings_for(treasury_reviewer)) == {government, firm}
    assert list(findings_for(alex)) == [firm]


def test_a_supervisor_who_edited_a_reviewers_draft_cannot_release_it(
    case, dod_reviewer, dod_supervisor, other_dod_supervisor, alex
):
    """The attack of the outside test: a supervisor rewrites a reviewer's draft (title, text,
    visibility) and then releases it, so the firm reads text one person wrote and approved."""
    finding = draft(case, dod_reviewer, visibility="agency", title="Minor filter gap")
    finding_edit(
        finding=finding,
        actor=dod_supervisor,
        title="Rewritten by the supervisor",
        description="Text the supervisor wrote.",
        visibility="firm",
    )
    with refused("You edited this draft: another supervisor of your agency must release it."):
        finding_release(finding=finding, actor=dod_supervisor)
    assert list(findings_for(alex)) == []

    # Another supervisor, who neither wrote nor edited it, may release it.
    finding_release(finding=finding, actor=other_dod_supervisor)
    finding.refresh_from_db()
    assert (finding.state, finding.released_by) == (FindingState.RELEASED, other_dod_supervisor)
    assert list(findings_for(alex)) == [finding]


def test_an_edit_that_changes_nothing_does_not_make_an_editor(case, dod_reviewer, dod_supervisor):
    finding = draft(case, dod_reviewer, visibility="firm", title="Same title")
    finding_edit(finding=finding, actor=dod_supervisor, title="Same title")
    finding_release(finding=finding, actor=dod_supervisor)
    assert Finding.objects.get(pk=finding.pk).state == FindingState.RELEASED


def test_the_author_editing_their_own_draft_is_not_a_second_person(case, dod_reviewer, dod_supervisor):
    finding = draft(case, dod_reviewer, visibility="firm")
    finding_edit(finding=finding, actor=dod_reviewer, title="Clarified by its author")
    assert list(finding.editors.all()) == []
    finding_release(finding=finding, actor=dod_supervisor)
    assert Finding.objects.get(pk=finding.pk).state == FindingState.RELEASED


def test_a_supervisor_of_another_agency_cannot_release(case, dod_reviewer, treasury_supervisor):
    for visibility in ("agency", "government", "firm"):
        finding = draft(case, dod_reviewer, visibility=visibility)
        with refused("Only DoD can release this finding.", note=visibility):
            finding_release(finding=finding, actor=treasury_supervisor)


def test_a_supervisor_may_release_their_own_agency_level_finding(case, dod_supervisor):
    finding = draft(case, dod_supervisor, visibility="agency")
    finding_release(finding=finding, actor=dod_supervisor)
    assert Finding.objects.get(pk=finding.pk).state == FindingState.RELEASED


def test_a_finding_is_released_once(case, dod_reviewer, dod_supervisor, other_dod_supervisor):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    with refused("This finding has already been released."):
        finding_release(finding=finding, actor=other_dod_supervisor)


def test_release_queues_its_notice_after_commit_and_a_refusal_queues_none(
    case, dod_reviewer, dod_supervisor, django_capture_on_commit_callbacks
):
    finding = draft(case, dod_reviewer, visibility="firm")
    with (
        django_capture_on_commit_callbacks() as callbacks,
        refused("Releasing a finding beyond DoD takes a supervisor of the agency."),
    ):
        finding_release(finding=finding, actor=dod_reviewer)
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        finding_release(finding=finding, actor=dod_supervisor)
    assert len(callbacks) == 1


# --- the firm's response, send back, resolve -------------------------------------------------


def test_the_firm_answers_a_finding_shared_with_it(case, dod_reviewer, dod_supervisor, sam):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    response = finding_respond(finding=finding, actor=sam, choice="declined", text="  Out of scope for us.  ")
    finding.refresh_from_db()
    assert finding.state == FindingState.FIRM_RESPONDED
    assert (response.responder, response.choice, response.text) == (sam, "declined", "Out of scope for us.")
    assert audit_actions(finding)[-1] == "finding.firm_responded"
    assert AuditEvent.objects.get(action="finding.firm_responded").data == {"choice": "declined"}


def test_a_response_without_a_choice_or_words_is_refused(case, dod_reviewer, dod_supervisor, alex):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    with refused("Choose a response: acknowledged, mitigated, disputed, declined."):
        finding_respond(finding=finding, actor=alex, choice="ignored", text="Noted.")
    with refused("Write a few words with your response."):
        finding_respond(finding=finding, actor=alex, choice="acknowledged", text="   ")


def test_the_firm_cannot_answer_a_finding_not_shared_with_it(case, dod_reviewer, dod_supervisor, alex):
    not_shared = {
        "agency": released(case, dod_reviewer, dod_supervisor, visibility="agency"),
        "government": released(case, dod_reviewer, dod_supervisor, visibility="government"),
        "firm draft": draft(case, dod_reviewer, visibility="firm"),
    }
    for name, finding in not_shared.items():
        with refused("This finding has not been shared with your firm.", note=name):
            finding_respond(finding=finding, actor=alex, choice="acknowledged", text="Noted.")


def test_only_the_cases_firm_answers(case, dod_reviewer, dod_supervisor, kim, treasury_supervisor, coordinator):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    for outsider in (kim, treasury_supervisor, dod_supervisor, coordinator):
        with refused("Only a liaison of the case's firm can answer its findings."):
            finding_respond(finding=finding, actor=outsider, choice="acknowledged", text="Noted.")


def test_the_firm_answers_once_until_its_response_is_sent_back(case, dod_reviewer, dod_supervisor, alex, sam):
    finding = responded(case, dod_reviewer, dod_supervisor, alex)
    with refused("This finding is firm responded: it is not awaiting your answer."):
        finding_respond(finding=finding, actor=sam, choice="mitigated", text="Second thoughts.")

    finding_send_back(finding=finding, actor=dod_reviewer, reason="  The filter does not block the variant in 4.2. ")
    finding.refresh_from_db()
    assert finding.state == FindingState.RELEASED
    first = FindingResponse.objects.get(finding=finding)
    assert (first.sent_back_by, first.sent_back_reason) == (
        dod_reviewer,
        "The filter does not block the variant in 4.2.",
    )
    assert first.sent_back_at is not None

    finding_respond(finding=finding, actor=sam, choice="mitigated", text="Patched in 4.3.")
    finding.refresh_from_db()
    assert finding.state == FindingState.FIRM_RESPONDED
    assert FindingResponse.objects.filter(finding=finding).count() == 2
    assert audit_actions(finding) == [
        "finding.drafted",
        "finding.released",
        "finding.firm_responded",
        "finding.response_sent_back",
        "finding.firm_responded",
    ]
    assert AuditEvent.objects.get(action="finding.response_sent_back").data == {"response": first.pk}


def test_a_response_is_sent_back_only_with_a_reason_and_only_once_answered(
    case, dod_reviewer, dod_supervisor, alex, treasury_supervisor
):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    with refused("Only a finding the firm has answered can have its response sent back."):
        finding_send_back(finding=finding, actor=dod_reviewer, reason="Try again.")
    finding_respond(finding=finding, actor=alex, choice="acknowledged", text="Noted.")
    with refused("Say why the response is sent back: the firm will read your reason."):
        finding_send_back(finding=finding, actor=dod_reviewer, reason="  ")
    with refused("Only DoD can send responses back on this finding."):
        finding_send_back(finding=finding, actor=treasury_supervisor, reason="Not good enough.")
    with refused(f"Only reviewers of an agency assigned to {case.reference} can send responses back."):
        finding_send_back(finding=finding, actor=alex, reason="Undo my own answer.")


def test_the_authoring_agency_resolves_a_released_or_answered_finding(case, dod_reviewer, dod_supervisor, alex):
    for finding in (
        released(case, dod_reviewer, dod_supervisor, visibility="firm"),
        responded(case, dod_reviewer, dod_supervisor, alex),
    ):
        finding_resolve(finding=finding, actor=dod_reviewer, note="Mitigation verified.")
        finding.refresh_from_db()
        assert finding.state == FindingState.RESOLVED
        assert finding.resolved_at is not None
        assert audit_actions(finding)[-1] == "finding.resolved"


def test_resolving_is_refused_to_others_and_out_of_order(case, dod_reviewer, dod_supervisor, treasury_reviewer, alex):
    finding = draft(case, dod_reviewer, visibility="government")
    with refused("A draft finding cannot be resolved."):
        finding_resolve(finding=finding, actor=dod_reviewer, note="Mitigation verified.")
    finding_release(finding=finding, actor=dod_supervisor)
    with refused("Only DoD can resolve this finding."):
        finding_resolve(finding=finding, actor=treasury_reviewer, note="Mitigation verified.")
    with refused(f"Only reviewers of an agency assigned to {case.reference} can resolve findings."):
        finding_resolve(finding=finding, actor=alex, note="Mitigation verified.")
    finding_resolve(finding=finding, actor=dod_supervisor, note="Mitigation verified.")
    with refused("A resolved finding cannot be resolved."):
        finding_resolve(finding=finding, actor=dod_supervisor, note="Mitigation verified.")
    with refused("This finding is already resolved."):
        finding_withdraw(finding=finding, actor=dod_supervisor, reason="Changed our minds.")
    with refused("Only a finding the firm has answered can have its response sent back."):
        finding_send_back(finding=finding, actor=dod_supervisor, reason="Reopen.")


# --- withdraw --------------------------------------------------------------------------------


def test_a_draft_is_withdrawn_without_a_reason(case, dod_reviewer):
    finding = draft(case, dod_reviewer)
    finding_withdraw(finding=finding, actor=dod_reviewer)
    finding.refresh_from_db()
    assert finding.state == FindingState.WITHDRAWN
    assert finding.withdrawn_at is not None
    assert Comment.objects.count() == 0
    assert AuditEvent.objects.get(action="finding.withdrawn").data == {"from_state": "draft"}


def test_a_released_finding_is_withdrawn_with_a_reason_its_readers_see(
    case, dod_reviewer, dod_supervisor, alex, treasury_reviewer
):

    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    with refused("Say why a released finding is withdrawn: its readers will see the reason."):
        finding_withdraw(finding=finding, actor=dod_reviewer, reason=" ")
    finding_withdraw(finding=finding, actor=dod_reviewer, reason="Could not reproduce on the final snapshot.")
    finding.refresh_from_db()
    assert finding.state == FindingState.WITHDRAWN
    assert list(findings_for(alex)) == [finding]  # still on the record, marked withdrawn
    reason = Comment.objects.get(finding=finding)
    assert reason.body == "Could not reproduce on the final snapshot."
    assert list(comments_for(alex)) == [reason]
    assert list(comments_for(treasury_reviewer)) == [reason]
    assert audit_actions(finding)[-1] == "finding.withdrawn"
    with refused("This finding is already withdrawn."):
        finding_withdraw(finding=finding, actor=dod_reviewer, reason="Again.")
    for message, action in (
        ("This finding has already been released.", lambda: finding_release(finding=finding, actor=dod_supervisor)),
        (
            "A withdrawn finding cannot be resolved.",
            lambda: finding_resolve(finding=finding, actor=dod_supervisor, note="Mitigation verified."),
        ),
        (
            "This finding is withdrawn: it is not awaiting your answer.",
            lambda: finding_respond(finding=finding, actor=alex, choice="acknowledged", text="Noted."),
        ),
        (
            "Only a draft can be edited; this finding has been released.",
            lambda: finding_edit(finding=finding, actor=dod_reviewer, title="Back from the dead"),
        ),
    ):
        with refused(message):
            action()


def test_another_agency_cannot_withdraw(case, dod_reviewer, dod_supervisor, treasury_supervisor):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="government")
    with refused("Only DoD can withdraw this finding."):
        finding_withdraw(finding=finding, actor=treasury_supervisor, reason="Not ours to keep.")
