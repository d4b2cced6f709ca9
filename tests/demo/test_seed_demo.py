"""manage.py seed_demo: the demo data a newcomer signs in to."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from accounts.roles import agency_membership, firm_membership
from audit.models import AuditEvent
from audit.services import verify_chain
from cases.models import CarriedForwardFinding, CaseState, Closeout, CloseoutState, Decision, ReviewCase
from cases.selectors import cases_for
from core.models import Visibility
from demo.data import ACCOUNTS, DEMO_PASSWORD
from documents.models import Document, DocumentKind, DocumentVersion
from documents.selectors import documents_for
from findings.models import Comment, Finding, FindingResponse, FindingState, ResponseChoice
from findings.selectors import findings_for
from firms.models import Firm
from notifications.models import Notification
from tests.builders import make_firm

EMAILS = [account.email for account in ACCOUNTS]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def user(email: str) -> User:
    return User.objects.get(email=email)


def counts() -> dict[str, int]:
    models = (User, Firm, ReviewCase, Document, DocumentVersion, Finding, Comment, Closeout, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refuses_without_the_demo_switch_or_force(settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match=r"CHECKPOINT_DEMO=1.*--force"):
        seed()
    assert not User.objects.filter(email__in=EMAILS).exists()
    assert not ReviewCase.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_runs_without_force_when_the_demo_switch_is_on(settings):
    settings.DEMO = True
    assert "Demo data loaded" in seed()
    assert User.objects.filter(email__in=EMAILS).count() == len(EMAILS)


@pytest.mark.django_db
def test_refuses_a_database_holding_some_demo_accounts_but_not_all():
    User.objects.create_user(email="alex@northwind.example", password="something-else-entirely")
    before = counts()
    with pytest.raises(CommandError, match=r"Some demo accounts exist but not all.*Nothing was changed"):
        seed("--force")
    assert counts() == before


@pytest.mark.django_db
def test_a_refusal_by_a_service_leaves_nothing_behind():
    # The accounts are created first; then firm_create refuses a second "Northwind AI": all is undone.
    make_firm("Northwind AI")
    before = counts()
    with pytest.raises(CommandError, match=r"could not be loaded: A firm named 'Northwind AI'.*Nothing was changed"):
        seed("--force")
    assert counts() == before
    assert verify_chain() is None


# --- what it loads -------------------------------------------------------------------------------


# Each seed takes a few seconds on PostgreSQL, so each test below checks one whole aspect of it.


def test_every_demo_account_signs_in_with_the_demo_password_in_its_role(seeded, client):
    for email in EMAILS:
        account = user(email)
        assert account.check_password(DEMO_PASSWORD), email
        assert account.is_active
        assert account.full_name, email
        assert not account.is_superuser
    assert client.login(username="alex@northwind.example", password=DEMO_PASSWORD)
    assert not client.login(username="alex@northwind.example", password="wrong-password")
    # The summary printed at the end names every login and the password.
    for email in EMAILS:
        assert email in seeded
    assert DEMO_PASSWORD in seeded
    coordinator = user("coordinator@checkpoint.example")
    assert coordinator.is_staff
    assert firm_membership(coordinator) is None
    assert agency_membership(coordinator) is None
    for email, firm, is_admin in (
        ("alex@northwind.example", "Northwind AI", True),
        ("sam@northwind.example", "Northwind AI", False),
        ("kim@lumenlabs.example", "Lumen Labs", True),
    ):
        membership = firm_membership(user(email))
        assert (membership.firm.name, membership.is_admin) == (firm, is_admin), email
        assert not user(email).is_staff
    for code in ("dod", "treasury", "cisa"):
        for role in ("reviewer", "supervisor"):
            membership = agency_membership(user(f"{role}@{code}.example"))
            assert (membership.agency.code, membership.role) == (code, role)


def test_cases_of_both_firms_in_every_state_with_documents_findings_comments_and_deadlines(seeded):
    for firm in ("Northwind AI", "Lumen Labs"):
        states = set(ReviewCase.objects.filter(model__firm__name=firm).values_list("state", flat=True))
        assert states == set(CaseState.values), firm

    kinds = set(Document.objects.values_list("kind", flat=True))
    assert {
        DocumentKind.SYSTEM_CARD,
        DocumentKind.ACCESS_INSTRUCTIONS,
        DocumentKind.EVALUATION_REPORT,
        DocumentKind.RED_TEAM_REPORT,
    } <= kinds
    assert not Document.objects.filter(versions__isnull=True).exists()
    # Every case past draft had what submitting needs.
    for case in ReviewCase.objects.exclude(state=CaseState.DRAFT).exclude(submitted_at__isnull=True):
        assert {DocumentKind.SYSTEM_CARD, DocumentKind.ACCESS_INSTRUCTIONS} <= set(
            case.documents.values_list("kind", flat=True)
        ), case.reference
    assert set(Finding.objects.values_list("visibility", flat=True)) == set(Visibility.values)
    assert set(Finding.objects.values_list("state", flat=True)) == set(FindingState.values)
    assert set(Comment.objects.values_list("visibility", flat=True)) == set(Visibility.values)
    assert Comment.objects.filter(agency__isnull=True).exists()  # a firm liaison's comment
    assert Comment.objects.filter(finding__isnull=False).exists()
    # A response sent back, and a declined finding that a closeout carries forward.
    assert FindingResponse.objects.filter(sent_back_at__isnull=False).exists()
    assert CarriedForwardFinding.objects.filter(finding__responses__choice=ResponseChoice.DECLINED).exists()
    # A reviewer's draft whose release they asked a supervisor for.
    asked = Finding.objects.filter(state=FindingState.DRAFT, release_requested_at__isnull=False)
    assert asked.exclude(visibility=Visibility.AGENCY).filter(release_requested_by__agency_membership__role="reviewer")

    # A closeout awaits one agency's decision after the other approved.
    waiting = [
        closeout
        for closeout in Closeout.objects.filter(state=CloseoutState.PENDING)
        if closeout.case.agency_assignments.count() == 2
        and list(closeout.decisions.values_list("decision", flat=True)) == [Decision.APPROVED]
    ]
    assert waiting
    assert all(closeout.case.state == CaseState.CLOSEOUT_REQUESTED for closeout in waiting)

    # Dates are relative to today, so the due-soon lists are not empty.
    today = timezone.localdate()
    open_cases = ReviewCase.objects.filter(state__in=[CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED])
    assert open_cases.filter(sharing_date__gt=today, sharing_date__lte=today + datetime.timedelta(days=7)).exists()
    assert Finding.objects.filter(
        state=FindingState.RELEASED,
        visibility=Visibility.FIRM,
        response_due__gte=today,
        response_due__lte=today + datetime.timedelta(days=3),
    ).exists()
    for case in ReviewCase.objects.exclude(access_date=None):
        assert 0 < (case.sharing_date - case.access_date).days <= 30, case.reference


def test_what_each_side_sees_follows_the_production_rules(seeded):
    alex, kim = user("alex@northwind.example"), user("kim@lumenlabs.example")
    assert set(cases_for(alex).values_list("model__firm__name", flat=True)) == {"Northwind AI"}
    assert set(cases_for(kim).values_list("model__firm__name", flat=True)) == {"Lumen Labs"}
    # The firm sees only released firm-level findings.
    assert set(findings_for(alex).values_list("visibility", flat=True)) == {Visibility.FIRM}
    assert not findings_for(alex).filter(state=FindingState.DRAFT).exists()
    # An agency never sees another agency's agency-level findings or drafts.
    treasury = user("reviewer@treasury.example")
    dod_private = Finding.objects.filter(agency__code="dod", visibility=Visibility.AGENCY)
    assert dod_private.exists()
    assert not findings_for(treasury).filter(pk__in=dod_private).exists()
    assert not findings_for(treasury).filter(agency__code="dod", state=FindingState.DRAFT).exists()
    # An agency working file stays in its agency.
    working = Document.objects.filter(agency__isnull=False)
    assert working.exists()
    assert not documents_for(treasury).filter(pk__in=working).exists()
    assert not documents_for(alex).filter(pk__in=working).exists()
    # The coordinator sees submitted cases' metadata, not drafts.
    coordinator = user("coordinator@checkpoint.example")
    assert not cases_for(coordinator).filter(state=CaseState.DRAFT).exists()
    assert cases_for(coordinator).filter(state=CaseState.SUBMITTED).exists()


def test_the_supervisor_dashboard_shows_the_draft_a_reviewer_asked_them_to_release(seeded, client_for):
    asked = Finding.objects.get(release_requested_at__isnull=False)
    supervisor = user(f"supervisor@{asked.agency.code}.example")
    page = client_for(supervisor).get("/").content.decode()
    assert asked.title in page
    assert f"release asked for</strong> by {asked.release_requested_by.get_full_name()}" in page
    # Nobody else is asked: not the reviewer who asked, not another agency's supervisor.
    for other in ("reviewer@treasury.example", "supervisor@dod.example", "supervisor@cisa.example"):
        assert asked.title not in client_for(user(other)).get("/").content.decode(), other


# Committing for real, as `make run` does, so that the services' after-commit notices run.
@pytest.mark.django_db(transaction=True)
def test_everything_is_audited_notified_in_app_and_running_it_twice_changes_nothing(mailoutbox):
    seed("--force")
    # The notices are in the portal, as the services made them; no email left (the addresses are .example).
    assert Notification.objects.filter(recipient__email="alex@northwind.example").exists()
    asked = Finding.objects.get(release_requested_at__isnull=False)
    assert Notification.objects.filter(
        recipient__email=f"supervisor@{asked.agency.code}.example", verb="finding.release_requested"
    ).exists()
    assert mailoutbox == []
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "coordinator.appointed",
        "case.created",
        "case.submitted",
        "case.withdrawn",
        "case.closed",
        "document.created",
        "finding.released",
        "closeout.requested",
    } <= actions
    assert verify_chain() is None

    before = counts()
    output = seed("--force")
    assert "Demo data already loaded" in output
    assert counts() == before
    assert verify_chain() is None


def test_the_demo_shows_what_was_tested_and_for_how_long(seeded):
    """Two configurations on Atlas-2's case in review, a ledger with an interruption (and the firm's
    comment on it), and an attestation of each kind."""
    from configurations.models import Interruption, LedgerComment, SharingAttestation
    from configurations.selectors import effective_access_days

    review = ReviewCase.objects.get(model__name="Atlas-2", state="in_review")
    assert review.configurations.filter(superseded_at__isnull=True).count() == 2
    assert Interruption.objects.filter(case=review).count() == 2
    assert LedgerComment.objects.filter(interruption__case=review).exists()
    days = effective_access_days([review])[review.pk]
    assert all(value > 0 for value in days.values())
    assert set(SharingAttestation.objects.values_list("choice", flat=True)) == {
        "tested",
        "different",
        "prefer_not_to_say",
    }
    assert not Finding.objects.filter(configuration__isnull=True).exists()
