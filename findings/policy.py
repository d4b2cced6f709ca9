"""Who may do what to a finding or a comment, now: one rule per action.

Each starts from the lifecycle table (``cases.policy.LIFECYCLE``: the person's role on the case and
the case's state), then adds what the finding says: whose it is, its state, and for a release
beyond the authoring agency, the two-person rule (a supervisor of that agency who neither wrote
nor edited the draft).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.roles import agency_membership
from cases.models import CaseState, ReviewCase
from cases.policy import Standing, standing, step_refusal
from core import formats, permissions
from core.models import Visibility
from core.policy import Refusal, forbidden
from findings.models import Finding, FindingState
from findings.permissions import VIEW_FINDING

# A release beyond the agency that the person cannot make themselves, but a supervisor can: the
# page offers "Ask a supervisor to release" instead.
NEEDS_SUPERVISOR = "needs_supervisor"


def _held(actor: Any, case: ReviewCase, standing_: Standing | None) -> Standing:
    return standing_ if standing_ is not None else standing(actor, case)


def _authoring_refusal(action: str, actor: Any, finding: Finding, held: Standing, *, doing: str) -> Refusal | None:
    """The table's answer, then: is the person of the agency that wrote the finding?"""
    if refusal := step_refusal(action, actor, finding.case, standing_=held):
        return refusal
    if held.agency_id != finding.agency_id:
        return forbidden(f"Only {finding.agency.short_name} can {doing} this finding.")
    return None


def finding_draft_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    """An assigned agency drafts a finding, on one of the configurations the firm offered: a
    finding makes no claim about a configuration nobody named."""
    if refusal := step_refusal("finding.draft", actor, case, standing_=_held(actor, case, standing_)):
        return refusal
    if not case.configurations.exists():
        return Refusal(
            f"The firm has not added a tested configuration to {case.reference} yet: "
            "a finding names the configuration it was made on.",
            "no_configuration",
        )
    return None


def finding_edit_refusal(actor: Any, finding: Finding, *, standing_: Standing | None = None) -> Refusal | None:
    held = _held(actor, finding.case, standing_)
    if refusal := _authoring_refusal("finding.edit", actor, finding, held, doing="edit"):
        return refusal
    if finding.state != FindingState.DRAFT:
        return Refusal("Only a draft can be edited; this finding has been released.")
    return None


def finding_release_refusal(actor: Any, finding: Finding, *, standing_: Standing | None = None) -> Refusal | None:
    """Release a draft at its visibility. Within the authoring agency anyone of it may; beyond it,
    a supervisor of that agency who neither wrote nor edited the draft (two-person rule)."""
    held = _held(actor, finding.case, standing_)
    if refusal := _authoring_refusal("finding.release", actor, finding, held, doing="release"):
        return refusal
    if finding.state != FindingState.DRAFT:
        return Refusal("This finding has already been released.")
    if finding.visibility == Visibility.AGENCY:
        return None
    assert held.membership is not None  # an agency member: the authoring check asked
    if not held.membership.is_supervisor:
        return Refusal(
            f"Releasing a finding beyond {held.membership.agency.short_name} takes a supervisor of the agency.",
            NEEDS_SUPERVISOR,
        )
    if finding.author_id == actor.pk:
        return Refusal("You wrote this finding: another supervisor of your agency must release it.", NEEDS_SUPERVISOR)
    if finding.editors.filter(pk=actor.pk).exists():
        return Refusal("You edited this draft: another supervisor of your agency must release it.", NEEDS_SUPERVISOR)
    return None


def finding_request_release_refusal(
    actor: Any, finding: Finding, *, standing_: Standing | None = None
) -> Refusal | None:
    """Ask the agency's supervisors to release a draft one cannot release oneself."""
    held = _held(actor, finding.case, standing_)
    if refusal := _authoring_refusal("finding.request_release", actor, finding, held, doing="ask to release"):
        return refusal
    release = finding_release_refusal(actor, finding, standing_=held)
    if release is None:
        return Refusal("You can release this finding yourself.", "not_needed")
    if release.code != NEEDS_SUPERVISOR:
        return release
    if finding.release_requested_at is not None:
        who = finding.release_requested_by.get_full_name() if finding.release_requested_by else "someone"
        return Refusal(
            f"{who} asked for its release on {formats.day(finding.release_requested_at)}; "
            f"{finding.agency.short_name}'s supervisors have it on their dashboard.",
            "requested",
        )
    return None


def finding_withdraw_refusal(actor: Any, finding: Finding, *, standing_: Standing | None = None) -> Refusal | None:
    held = _held(actor, finding.case, standing_)
    if refusal := _authoring_refusal("finding.withdraw", actor, finding, held, doing="withdraw"):
        return refusal
    if finding.state in (FindingState.RESOLVED, FindingState.WITHDRAWN):
        return Refusal(f"This finding is already {finding.get_state_display().lower()}.")
    return None


def finding_resolve_refusal(actor: Any, finding: Finding, *, standing_: Standing | None = None) -> Refusal | None:
    held = _held(actor, finding.case, standing_)
    if refusal := _authoring_refusal("finding.resolve", actor, finding, held, doing="resolve"):
        return refusal
    if finding.state not in (FindingState.RELEASED, FindingState.FIRM_RESPONDED):
        return Refusal(f"A {finding.get_state_display().lower()} finding cannot be resolved.")
    return None


def finding_send_back_refusal(actor: Any, finding: Finding, *, standing_: Standing | None = None) -> Refusal | None:
    held = _held(actor, finding.case, standing_)
    if refusal := _authoring_refusal("finding.send_back", actor, finding, held, doing="send responses back on"):
        return refusal
    if finding.state != FindingState.FIRM_RESPONDED:
        return Refusal("Only a finding the firm has answered can have its response sent back.")
    return None


def finding_respond_refusal(actor: Any, finding: Finding, *, standing_: Standing | None = None) -> Refusal | None:
    """The firm answers a finding shared with it: its own, voluntary, choice."""
    held = _held(actor, finding.case, standing_)
    if refusal := step_refusal("finding.respond", actor, finding.case, standing_=held):
        return refusal
    if not permissions.has(actor, VIEW_FINDING, finding):
        return forbidden("This finding has not been shared with your firm.")
    if finding.state != FindingState.RELEASED:
        return Refusal(f"This finding is {finding.get_state_display().lower()}: it is not awaiting your answer.")
    return None


def comment_add_refusal(
    actor: Any,
    case: ReviewCase,
    *,
    finding: Finding | None = None,
    visibility: str | None = None,
    standing_: Standing | None = None,
) -> Refusal | None:
    """A comment on the case, or on one of its findings, at a visibility. What an agency tells the
    firm is a supervisor's to write, as for findings (two-person rule)."""
    held = _held(actor, case, standing_)
    if refusal := step_refusal("comment.add", actor, case, standing_=held):
        return refusal
    if finding is not None:
        if finding.case_id != case.pk:
            return Refusal("That finding belongs to another case.")
        if not permissions.has(actor, VIEW_FINDING, finding):
            if held.membership is None:
                return forbidden("This finding has not been shared with your firm.")
            return forbidden("You cannot see that finding.")
    if visibility == Visibility.FIRM and held.membership is not None and not held.membership.is_supervisor:
        return Refusal(
            f"A comment the firm reads is written by a supervisor of {held.membership.agency.short_name}: "
            "choose your agency or all assigned agencies, or ask a supervisor."
        )
    return None


def findings_awaiting_release_by(user: Any, findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """The drafts of ``findings`` that ``user`` may release beyond their agency now: the rule of
    ``finding_release_refusal``, as one query (a supervisor's dashboard)."""
    membership = agency_membership(user)
    if membership is None or not membership.is_supervisor:
        return findings.none()
    return (
        findings.filter(agency_id=membership.agency_id, state=FindingState.DRAFT, case__state=CaseState.IN_REVIEW)
        .exclude(visibility=Visibility.AGENCY)
        .exclude(author=user)
        .exclude(editors=user)
    )
