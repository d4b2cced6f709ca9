"""The engine's loop checked against its tables: every row of ``demo.data`` became an object made
through the services, in the state its row names, and nothing was made that no row names."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from accounts.roles import agency_membership, firm_membership
from audit.actions import AuditAction
from audit.models import AuditEvent
from cases.models import AIModel, CaseState, Closeout, CloseoutDecision, Decision, ReviewCase
from demo import data
from demo.data import Role
from documents.models import Document
from findings.models import Comment, Finding, FindingResponse, FindingState, TargetKind
from firms.models import Firm
from tests.assertions import rows_unchanged

FIRM_ROLES = (Role.FIRM_ADMIN, Role.LIAISON)


def _role(user: User) -> tuple[Role, str]:
    """What the account table would say of ``user``: their role and organisation."""
    if membership := firm_membership(user):
        return (Role.FIRM_ADMIN if membership.is_admin else Role.LIAISON), membership.firm.name
    if membership := agency_membership(user):
        return (Role.SUPERVISOR if membership.is_supervisor else Role.REVIEWER), membership.agency.short_name
    assert user.is_staff, user.email
    return Role.COORDINATOR, "Program office"


def _agency_of(email: str) -> str:
    return agency_membership(User.objects.get(email=email)).agency.code


def test_the_tables_refer_only_to_rows_and_people_that_exist():
    people = {account.email for account in data.ACCOUNTS}
    models = {row.key for row in data.MODELS}
    cases = {row.key for row in data.CASES}
    findings = {row.key: row for row in data.FINDINGS}
    closeouts = {row.key for row in data.CLOSEOUTS}
    for table in (data.MODELS, data.CASES, data.FINDINGS, data.CLOSEOUTS):
        keys = [row.key for row in table]
        assert len(keys) == len(set(keys)), f"a key is used twice: {keys}"
    assert {account.added_by for account in data.ACCOUNTS} - {""} <= people
    assert {row.firm for row in data.MODELS} == set(data.FIRMS)
    assert {row.registered_by for row in data.MODELS} <= people
    for row in data.CASES:
        assert row.model in models, row.key
        assert {row.opened_by, *row.reviewers} <= people, row.key
    for row in data.DOCUMENTS:
        assert row.case in cases, row.title
        assert row.uploaded_by in people, row.title
    for row in data.FINDINGS:
        assert row.case in cases, row.key
        assert {response.by for response in row.responses} <= people, row.key
        assert not row.answered_after or row.answered_after in closeouts, row.key
    for row in data.COMMENTS:
        assert row.case in cases, row.body
        assert row.author in people, row.body
        assert not row.finding or row.finding in findings, row.body
    for row in data.CLOSEOUTS:
        assert row.case in cases, row.key
        assert {row.requested_by, *(decision.by for decision in row.decisions)} <= people, row.key
        for key, _reason in row.carried_forward:
            assert findings[key].case == row.case, row.key


def test_every_row_became_an_object_in_the_state_its_row_names(seeded):
    today = timezone.localdate()
    words = data.load_day_words(today)

    def day(offset: int | None) -> datetime.date | None:
        return None if offset is None else today + datetime.timedelta(days=offset)

    roles = {account.email: account.role for account in data.ACCOUNTS}

    for account in data.ACCOUNTS:
        person = User.objects.get(email=account.email)
        assert person.full_name == account.full_name
        assert _role(person) == (account.role, account.organisation), account.email
    assert User.objects.count() == len(data.ACCOUNTS)
    assert list(Firm.objects.order_by("pk").values_list("name", flat=True)) == list(data.FIRMS)

    models = {}
    for row in data.MODELS:
        model = AIModel.objects.get(firm__name=row.firm, name=row.name, version=row.version.format_map(words))
        assert model.created_by.email == row.registered_by, row.key
        assert (model.description, model.modalities, model.intended_partners) == (
            row.description,
            list(row.modalities),
            row.intended_partners,
        ), row.key
        models[row.key] = model
    assert AIModel.objects.count() == len(data.MODELS)

    cases = {}
    for row in data.CASES:
        case = ReviewCase.objects.get(model=models[row.model], model_snapshot=row.snapshot.format_map(words))
        cases[row.key] = case
        assert case.state == row.state, row.key
        assert case.created_by.email == row.opened_by, row.key
        assert case.access_date == day(row.access), row.key
        sharing = row.sharing if row.sharing_moved_to is None else row.sharing_moved_to
        assert case.sharing_date == day(sharing), row.key
        assert (case.trusted_partners, case.safeguard_configuration, case.evaluator_access) == (
            row.partners,
            row.safeguards,
            row.evaluator_access,
        ), row.key
        assert sorted(case.agency_assignments.values_list("agency__code", flat=True)) == sorted(row.agencies)
        leads = {_agency_of(email): email for email in reversed(row.reviewers)}  # each agency's first
        assigned = set(case.reviewer_assignments.values_list("reviewer__email", "is_lead"))
        assert assigned == {(email, leads[_agency_of(email)] == email) for email in row.reviewers}, row.key
        assert case.withdrawal_reason == row.withdrawal_reason, row.key
        moves = AuditEvent.objects.filter(case=case, action=AuditAction.CASE_SHARING_DATE_MOVED)
        reasons = [event.data["reason"] for event in moves]
        assert reasons == ([row.sharing_move_reason] if row.sharing_moved_to is not None else []), row.key
    assert ReviewCase.objects.count() == len(data.CASES)

    for row in data.DOCUMENTS:
        case = cases[row.case]
        document = Document.objects.get(case=case, title=row.title.format(model=case.model.name))
        version = document.versions.get()
        uploader = User.objects.get(email=row.uploaded_by)
        assert (document.kind, document.marking, document.created_by, version.original_name) == (
            row.kind,
            row.marking,
            uploader,
            row.file_name,
        ), row.title
        if roles[row.uploaded_by] in FIRM_ROLES:
            assert document.agency is None, row.title
        else:
            assert (document.agency.code, document.visibility) == (_agency_of(row.uploaded_by), row.visibility)
        # The writer's text for this case (its dates may have moved since: compare the heading).
        written = row.content(case, uploader)
        stored = version.file.open("rb").read()
        expected = written.encode() if isinstance(written, str) else written
        assert stored.splitlines()[0] == expected.splitlines()[0], row.title
    assert Document.objects.count() == len(data.DOCUMENTS)

    findings = {}
    for row in data.FINDINGS:
        finding = Finding.objects.get(title=row.title)
        findings[row.key] = finding
        assert (finding.case, finding.agency.code) == (cases[row.case], row.agency), row.key
        assert agency_membership(finding.author).role == row.author, row.key
        assert (finding.category, finding.severity, finding.visibility, finding.state) == (
            row.category,
            row.severity,
            row.visibility,
            row.state,
        ), row.key
        target = TargetKind.SAFEGUARD if row.component else TargetKind.MODEL
        assert (finding.target_kind, finding.target_component) == (target, row.component), row.key
        assert finding.response_due == day(row.due), row.key
        assert (finding.release_requested_at is not None) == row.release_requested, row.key
        if row.state == FindingState.DRAFT:
            assert finding.released_by is None, row.key
        else:  # released by a supervisor of the agency who did not write it (two-person rule)
            assert agency_membership(finding.released_by).is_supervisor, row.key
            assert finding.released_by != finding.author, row.key
        answers = finding.responses.order_by("created_at", "pk")
        assert [(r.responder.email, r.choice, r.text, r.sent_back_reason) for r in answers] == [
            (response.by, response.choice, response.text, response.sent_back) for response in row.responses
        ], row.key
        if row.withdrawal_reason:
            assert finding.comments.filter(body=row.withdrawal_reason, author=finding.author).exists(), row.key
    assert Finding.objects.count() == len(data.FINDINGS)
    assert FindingResponse.objects.count() == sum(len(row.responses) for row in data.FINDINGS)

    for row in data.COMMENTS:
        comment = Comment.objects.get(body=row.body)
        assert (comment.case, comment.author.email, comment.visibility) == (
            cases[row.case],
            row.author,
            row.visibility,
        ), row.body
        assert comment.finding == (findings[row.finding] if row.finding else None), row.body
    withdrawals = [row for row in data.FINDINGS if row.withdrawal_reason]
    assert Comment.objects.count() == len(data.COMMENTS) + len(withdrawals)

    for row in data.CLOSEOUTS:
        closeout = Closeout.objects.get(case=cases[row.case], summary=row.summary)
        assert (closeout.state, closeout.requested_by.email) == (row.state, row.requested_by), row.key
        carried = {(c.finding, c.reason) for c in closeout.carried_forward.all()}
        assert carried == {(findings[key], reason) for key, reason in row.carried_forward}, row.key
        decisions = closeout.decisions.order_by("pk")
        assert [(d.supervisor.email, d.decision, d.reason) for d in decisions] == [
            (d.by, Decision.APPROVED if d.approve else Decision.RETURNED, d.reason) for d in row.decisions
        ], row.key
    assert Closeout.objects.count() == len(data.CLOSEOUTS)
    assert CloseoutDecision.objects.count() == sum(len(row.decisions) for row in data.CLOSEOUTS)


@pytest.mark.django_db
def test_a_row_its_steps_do_not_bring_to_its_state_loads_nothing(monkeypatch):
    # A case in review that its row calls closed (no closeout row takes it there): a mistake in
    # the tables, named, and everything undone.
    review = next(row for row in data.CASES if row.key == "atlas-2-review")
    monkeypatch.setattr(data, "CASES", (dataclasses.replace(review, state=CaseState.CLOSED),))
    with rows_unchanged(), pytest.raises(CommandError, match=r"atlas-2-review is in_review, its row says closed"):
        call_command("seed_demo", "--force")
