"""Buttons never lie: over the whole demo, for every demo user, every object they can see and every
action, "the policy allows" if and only if "the service succeeds", and a refused service's message
is the policy's reason, word for word.

Each attempt runs inside a savepoint that is rolled back, on objects read fresh from the database,
with arguments a person would give (a valid date, a reason, a file): what is tried is the rule, not
the input's shape. The bulk forms of the rules (who decides a closeout, which drafts a supervisor
may release) are checked against the one-object rules on the same data.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, AgencyMembership
from cases import policy as case_policy
from cases import services as case_services
from cases.models import AIModel, Closeout, ReviewCase
from cases.selectors import cases_for, models_for
from configurations import policy as configuration_policy
from configurations import services as configuration_services
from configurations.models import Configuration
from configurations.selectors import review_window
from core.errors import DomainError
from core.models import Visibility
from documents import policy as document_policy
from documents import services as document_services
from documents.models import Document
from documents.selectors import documents_for
from findings import policy as finding_policy
from findings import services as finding_services
from findings.models import Finding
from findings.selectors import findings_for
from workflow import policy as workflow_policy
from workflow import services as workflow_services

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Action:
    name: str
    kind: type  # the model of the object the action is on
    rule: Callable[[User, Any], Any]  # (actor, obj) -> Refusal | None
    call: Callable[[User, Any], Any] | None  # (actor, obj) -> the service call; None: nothing valid to give


def _file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"# {name}\n\nWritten by the policy sweep at {timezone.now()}.\n".encode())


def _new_sharing_date(case: ReviewCase) -> datetime.date | None:
    """A sharing date a person could move to: in the future, in the window, not the current one."""
    if case.access_date is None or case.sharing_date is None:
        return None
    today = timezone.localdate()
    for delta in (1, -1, 2, -2, 5, -5):
        day = case.sharing_date + datetime.timedelta(days=delta)
        if day >= today and case.access_date < day <= case.access_date + datetime.timedelta(days=30):
            return day
    return None


def _latest(document: Document) -> Any:
    """The document's newest version, read fresh."""
    return document.versions.select_related("document__case__model__firm").order_by("-number").first()


def _move_date(actor: User, case: ReviewCase) -> Callable[[], Any] | None:
    day = _new_sharing_date(case)
    if day is None:
        return None
    return lambda: case_services.case_move_sharing_date(
        case=case, new_sharing_date=day, reason="The sweep moves it", actor=actor
    )


def _assign_agencies(actor: User, case: ReviewCase) -> Callable[[], Any]:
    return lambda: workflow_services.case_assign_agencies(case=case, agencies=Agency.objects.all(), actor=actor)


def _assign_reviewers(actor: User, case: ReviewCase) -> Callable[[], Any]:
    membership = AgencyMembership.objects.filter(user=actor).first()
    team = (
        list(User.objects.filter(agency_membership__agency_id=membership.agency_id, is_active=True))
        if membership
        else []
    )
    return lambda: case_services.case_assign_reviewers(case=case, reviewers=team, actor=actor)


def _upload(actor: User, case: ReviewCase) -> Callable[[], Any]:
    working_file = AgencyMembership.objects.filter(user=actor).exists()
    return lambda: document_services.document_create(
        case=case,
        kind="evaluation_report",
        title="Sweep report",
        marking="PROPRIETARY",
        upload=_file("sweep.md"),
        actor=actor,
        visibility=Visibility.AGENCY if working_file else None,
    )


def _request_closeout(actor: User, case: ReviewCase) -> Callable[[], Any]:
    carried = {f.pk: "Carried forward by the sweep" for f in workflow_policy.open_released_findings_for(actor, case)}
    return lambda: workflow_services.closeout_request(
        case=case, actor=actor, summary="The sweep's summary", carried_forward=carried
    )


def _record_access(actor: User, case: ReviewCase) -> Callable[[], Any] | None:
    """An access period a reviewer could record now: the last hour of the window that has passed."""
    window = review_window(case)
    configuration = case.configurations.order_by("pk").first()
    if window is None or configuration is None:
        return None
    started = min(timezone.now(), window[1]) - datetime.timedelta(hours=1)
    if started < window[0]:
        return None
    return lambda: configuration_services.access_period_record(
        case=case, configuration=configuration, actor=actor, started_at=started, ended_at=None, confirmed_by="Sweep"
    )


def _comment(visibility: str) -> Action:
    return Action(
        f"comment.add ({visibility})",
        ReviewCase,
        lambda actor, case: finding_policy.comment_add_refusal(actor, case, visibility=visibility),
        lambda actor, case: (
            lambda: finding_services.comment_add(case=case, actor=actor, body="A sweep comment", visibility=visibility)
        ),
    )


def _finding_comment(visibility: str) -> Action:
    return Action(
        f"comment.add on a finding ({visibility})",
        Finding,
        lambda actor, finding: finding_policy.comment_add_refusal(
            actor, finding.case, finding=finding, visibility=visibility
        ),
        lambda actor, finding: (
            lambda: finding_services.comment_add(
                case=finding.case, actor=actor, body="A sweep comment", visibility=visibility, finding=finding
            )
        ),
    )


ACTIONS: list[Action] = [
    # models
    Action(
        "model.edit",
        AIModel,
        case_policy.model_edit_refusal,
        lambda actor, model: lambda: case_services.ai_model_edit(model=model, actor=actor, description="Swept"),
    ),
    Action(
        "case.create",
        AIModel,
        case_policy.case_create_refusal,
        lambda actor, model: (
            lambda: case_services.case_create(
                model=model,
                actor=actor,
                access_date=timezone.localdate() + datetime.timedelta(days=1),
                sharing_date=timezone.localdate() + datetime.timedelta(days=20),
            )
        ),
    ),
    # cases
    Action(
        "case.edit",
        ReviewCase,
        case_policy.case_edit_refusal,
        lambda actor, case: lambda: case_services.case_edit(case=case, actor=actor, trusted_partners="Swept partner"),
    ),
    Action(
        "case.submit",
        ReviewCase,
        workflow_policy.case_submit_refusal,
        lambda actor, case: lambda: workflow_services.case_submit(case=case, actor=actor),
    ),
    Action("case.move_sharing_date", ReviewCase, case_policy.case_move_sharing_date_refusal, _move_date),
    Action(
        "case.withdraw",
        ReviewCase,
        case_policy.case_withdraw_refusal,
        lambda actor, case: lambda: case_services.case_withdraw(case=case, actor=actor, reason="Swept"),
    ),
    Action("case.assign_agencies", ReviewCase, workflow_policy.case_assign_agencies_refusal, _assign_agencies),
    Action("case.assign_reviewers", ReviewCase, case_policy.case_assign_reviewers_refusal, _assign_reviewers),
    Action("document.upload", ReviewCase, document_policy.document_upload_refusal, _upload),
    Action(
        "finding.draft",
        ReviewCase,
        finding_policy.finding_draft_refusal,
        lambda actor, case: (
            lambda: finding_services.finding_draft(
                case=case,
                actor=actor,
                title="Swept finding",
                description="Found by the sweep.",
                category="other",
                severity="low",
                configuration=case.configurations.order_by("pk").first(),
            )
        ),
    ),
    Action("closeout.request", ReviewCase, workflow_policy.closeout_request_refusal, _request_closeout),
    # tested configurations, the access ledger, the sharing attestation
    Action(
        "configuration.add",
        ReviewCase,
        configuration_policy.configuration_add_refusal,
        lambda actor, case: (
            lambda: configuration_services.configuration_add(
                case=case,
                actor=actor,
                name="Swept configuration",
                snapshot="swept-1",
                safeguard_version="swept",
                access_variant="production_safeguards",
                access_method="API",
            )
        ),
    ),
    Action("ledger.record", ReviewCase, configuration_policy.ledger_record_refusal, _record_access),
    Action(
        "case.attest_sharing",
        ReviewCase,
        configuration_policy.case_attest_sharing_refusal,
        lambda actor, case: (
            lambda: configuration_services.sharing_attest(case=case, actor=actor, choice="prefer_not_to_say")
        ),
    ),
    Action(
        "configuration.revise",
        Configuration,
        configuration_policy.configuration_revise_refusal,
        lambda actor, configuration: (
            lambda: configuration_services.configuration_revise(
                configuration=configuration, actor=actor, notes=f"Swept at {timezone.now()}"
            )
        ),
    ),
    *(_comment(visibility) for visibility in Visibility.values),
    # documents
    Action(
        "document.add_version",
        Document,
        document_policy.document_add_version_refusal,
        lambda actor, document: (
            lambda: document_services.document_add_version(
                document=document, upload=_file("sweep-version.md"), actor=actor
            )
        ),
    ),
    Action(
        "document.version_retract",
        Document,
        lambda actor, document: document_policy.document_version_retract_refusal(actor, _latest(document)),
        lambda actor, document: (
            lambda: document_services.document_version_retract(
                version=_latest(document), actor=actor, reason="Swept: uploaded by mistake."
            )
        ),
    ),
    # findings
    Action(
        "finding.edit",
        Finding,
        finding_policy.finding_edit_refusal,
        lambda actor, finding: lambda: finding_services.finding_edit(finding=finding, actor=actor, title="Swept"),
    ),
    Action(
        "finding.release",
        Finding,
        finding_policy.finding_release_refusal,
        lambda actor, finding: lambda: finding_services.finding_release(finding=finding, actor=actor),
    ),
    Action(
        "finding.request_release",
        Finding,
        finding_policy.finding_request_release_refusal,
        lambda actor, finding: lambda: finding_services.finding_request_release(finding=finding, actor=actor),
    ),
    Action(
        "finding.withdraw",
        Finding,
        finding_policy.finding_withdraw_refusal,
        lambda actor, finding: lambda: finding_services.finding_withdraw(finding=finding, actor=actor, reason="Swept"),
    ),
    Action(
        "finding.resolve",
        Finding,
        finding_policy.finding_resolve_refusal,
        lambda actor, finding: (
            lambda: finding_services.finding_resolve(finding=finding, actor=actor, note="Mitigation verified.")
        ),
    ),
    Action(
        "finding.send_back",
        Finding,
        finding_policy.finding_send_back_refusal,
        lambda actor, finding: lambda: finding_services.finding_send_back(finding=finding, actor=actor, reason="Swept"),
    ),
    Action(
        "finding.respond",
        Finding,
        finding_policy.finding_respond_refusal,
        lambda actor, finding: (
            lambda: finding_services.finding_respond(
                finding=finding, actor=actor, choice="acknowledged", text="The sweep acknowledges."
            )
        ),
    ),
    *(_finding_comment(visibility) for visibility in Visibility.values),
    # closeouts
    Action(
        "closeout.approve",
        Closeout,
        workflow_policy.closeout_approve_refusal,
        lambda actor, closeout: (
            lambda: workflow_services.closeout_decide(
                closeout=closeout, actor=actor, approve=True, statement="The review is concluded."
            )
        ),
    ),
    Action(
        "closeout.return",
        Closeout,
        workflow_policy.closeout_return_refusal,
        lambda actor, closeout: (
            lambda: workflow_services.closeout_decide(
                closeout=closeout, actor=actor, approve=False, reason="Returned by the sweep"
            )
        ),
    ),
]


def _visible(user: User) -> dict[type, list[int]]:
    cases = list(cases_for(user).order_by("pk").values_list("pk", flat=True))
    return {
        AIModel: list(models_for(user).order_by("pk").values_list("pk", flat=True)),
        ReviewCase: cases,
        Document: list(documents_for(user).order_by("pk").values_list("pk", flat=True)),
        Finding: list(findings_for(user).order_by("pk").values_list("pk", flat=True)),
        Closeout: list(Closeout.objects.filter(case_id__in=cases).order_by("pk").values_list("pk", flat=True)),
        Configuration: list(
            Configuration.objects.filter(case_id__in=cases).order_by("pk").values_list("pk", flat=True)
        ),
    }


def _fresh(kind: type, pk: int) -> Any:
    related = {
        AIModel: ("firm",),
        ReviewCase: ("model__firm",),
        Document: ("case__model__firm", "agency"),
        Finding: ("case__model__firm", "agency"),
        Closeout: ("case__model__firm",),
        Configuration: ("case__model__firm",),
    }[kind]
    return kind.objects.select_related(*related).get(pk=pk)


def _attempt(call: Callable[[], Any]) -> str | None:
    """Run one service call in a savepoint that is always rolled back: None if it succeeded, else
    its refusal's message."""
    outcome: str | None = None
    try:
        with transaction.atomic():
            try:
                call()
            except DomainError as refusal:
                outcome = refusal.message
            raise _Rollback
    except _Rollback:
        pass
    return outcome


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[list[User]]:
    """The demo data set, loaded once for the module inside a transaction rolled back at its end."""
    from django.conf import settings

    with django_db_blocker.unblock():
        storage = tmp_path_factory.mktemp("sweep-documents")
        original = settings.STORAGES
        settings.STORAGES = {
            **original,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(storage)},
            },
        }
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=False):
                call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
            from demo.data import ACCOUNTS

            yield list(User.objects.filter(email__in=[a.email for a in ACCOUNTS]).order_by("email"))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings.STORAGES = original


def test_the_policy_allows_exactly_what_the_service_does(demo):
    disagreements: list[str] = []
    tried = allowed = 0
    for user in demo:
        visible = _visible(user)
        for action in ACTIONS:
            for pk in visible[action.kind]:
                obj = _fresh(action.kind, pk)
                refusal = action.rule(user, obj)
                call = action.call(user, _fresh(action.kind, pk)) if action.call else None
                if call is None:
                    continue  # no valid input exists for this object (e.g. no date to move to)
                outcome = _attempt(call)
                tried += 1
                allowed += refusal is None
                who = f"{user.email} {action.name} {action.kind.__name__} #{pk}"
                if refusal is None and outcome is not None:
                    disagreements.append(f"{who}: the policy allows, the service refused: {outcome}")
                elif refusal is not None and outcome is None:
                    disagreements.append(f"{who}: the policy refused ({refusal}), the service succeeded")
                elif refusal is not None and outcome != str(refusal):
                    disagreements.append(f"{who}: the service said {outcome!r}, the policy {str(refusal)!r}")
    assert not disagreements, f"{len(disagreements)} of {tried} attempts disagree:\n" + "\n".join(disagreements)
    # The sweep is not vacuous: the demo holds allowed and refused actions of every kind.
    assert tried > 1000
    assert 100 < allowed < tried


def test_the_bulk_rules_agree_with_the_one_object_rules(demo):
    closeouts = list(Closeout.objects.select_related("case").order_by("pk"))
    deciders = workflow_policy.deciding_supervisors(closeouts)
    everyone = list(User.objects.filter(is_active=True))
    for closeout in closeouts:
        may = {user.pk for user in everyone if workflow_policy.closeout_return_refusal(user, closeout) is None}
        assert deciders.get(closeout.pk, set()) == may, closeout
        for user in everyone:
            listed = workflow_policy.closeouts_awaiting_decision_by(user).filter(pk=closeout.pk).exists()
            assert listed == (user.pk in may), (user.email, closeout)
    assert any(deciders.values()), "the demo has a closeout awaiting someone's decision"

    drafts = list(Finding.objects.select_related("case", "agency").filter(state="draft"))
    releasing = 0
    for user in everyone:
        listed = set(finding_policy.findings_awaiting_release_by(user, findings_for(user)).values_list("pk", flat=True))
        for finding in drafts:
            beyond = finding.visibility != Visibility.AGENCY
            may = beyond and finding_policy.finding_release_refusal(user, finding) is None
            assert (finding.pk in listed) == may, (user.email, finding.pk)
            releasing += may
    assert releasing, "the demo has a draft some supervisor may release"
