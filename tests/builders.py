"""Test data, made through the services wherever a service exists, so that the permissions,
audit events and notices a test meets are the ones production would have made.

- people: ``make_firm``, ``make_liaison``, ``make_agency_member``, ``make_coordinator`` (password
  ``PASSWORD``), each with ``enrol_totp``, ``totp_secret`` and ``totp_code`` for their second
  factor, and ``sign_in(client, user)`` for a client past both factors (the ``client_for``
  fixture of tests/conftest.py is the usual way);
- models and cases: ``make_model``, ``make_case`` in any state (draft to closed or withdrawn),
  ``request_closeout``, ``close_case``, ``withdraw_case``;
- documents: ``attach_document`` (rows and a stored file, no upload checks), ``upload_document``
  (through the upload service), ``working_file`` (an agency's), ``pdf``, ``pdf_bytes``, ``upload``;
- tested configurations: ``configuration`` (every case ``make_case`` opens has one, "Atlas API");
- findings: ``draft``, ``released``, ``responded`` (on the case's first configuration unless told),
  and ``comment``;
- dates: ``today``, ``days``.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
from collections.abc import Mapping
from typing import Any

import factory
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.models import User
from accounts.sessions import mark_session_mfa
from agencies.models import Agency, AgencyMembership, AgencyRole
from agencies.services import agency_membership_add
from cases import services as case_services
from cases.models import AIModel, CaseState, Closeout, CloseoutState, ReviewCase
from configurations.models import Configuration
from documents.models import Document, DocumentKind, DocumentVersion, Marking
from findings import services as finding_services
from findings.models import Comment, Finding
from firms.models import Firm
from firms.services import firm_create, firm_membership_add
from workflow import services as workflow_services

PASSWORD = "correct-horse-battery-staple"

_sequence = itertools.count(1)
_model_versions = itertools.count(1)  # Atlas 1.0, Atlas 2.0, ... in the order a test registers them


# --- dates ---------------------------------------------------------------------------------------


def today() -> datetime.date:
    """Today in the program's time zone."""
    return timezone.localdate()


def days(n: int) -> datetime.date:
    """The date ``n`` days from today in the program's time zone (negative: in the past)."""
    return today() + datetime.timedelta(days=n)


# --- people --------------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_firm(name: str) -> Firm:
    return firm_create(name=name, actor=None)


def make_liaison(firm: Firm, *, is_admin: bool = False, email: str | None = None) -> User:
    user = UserFactory(**({"email": email} if email else {}))
    firm_membership_add(firm=firm, user=user, is_admin=is_admin, actor=None)
    return User.objects.get(pk=user.pk)


def make_agency_member(agency: Agency | str, *, role: str = "reviewer", email: str | None = None) -> User:
    if isinstance(agency, str):
        agency = Agency.objects.get(code=agency)
    user = UserFactory(**({"email": email} if email else {}))
    agency_membership_add(agency=agency, user=user, role=role, actor=None)
    return User.objects.get(pk=user.pk)


def make_coordinator(email: str | None = None) -> User:
    from accounts.services import coordinator_appoint

    user = UserFactory(**({"email": email} if email else {}))
    coordinator_appoint(user=user, actor=None)
    return User.objects.get(pk=user.pk)


def _member_of(agency: Agency, role: str, *, besides: User | None = None) -> User:
    """A member of ``agency`` in ``role`` (not ``besides``): the first one the test made, or a new one."""
    members = AgencyMembership.objects.filter(agency=agency, role=role).exclude(user=besides).order_by("pk")
    membership = members.select_related("user").first()
    return membership.user if membership else make_agency_member(agency, role=role)


# --- the second factor, and a client signed in the way production signs people in --------------


def enrol_totp(user: Any) -> Authenticator:
    """The user's TOTP authenticator, made through allauth's API if they have none."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return existing
    return TOTP.activate(user, generate_totp_secret()).instance


def totp_secret(user: Any) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app would show for ``secret`` now (or at epoch seconds ``at``)."""
    import time

    from allauth.mfa import app_settings

    moment = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(moment) // app_settings.TOTP_PERIOD))


def sign_in(client: Client, user: Any) -> Client:
    """Sign ``client`` in as ``user`` the way production does, and return it.

    Every account must use two-factor authentication, so ``client.force_login(user)`` alone leaves
    the client held at MFA enrolment. This gives ``user`` a TOTP authenticator through allauth's
    API (unless they have one), signs the client in, and records the password and TOTP steps in the
    session exactly as allauth's sign-in flow does, so the MFA middleware lets the client through.
    The session's idle and absolute timeouts start now."""
    authenticator = enrol_totp(user)
    client.force_login(user, backend="accounts.backends.AuthenticationBackend")
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)
    mark_session_mfa(request, user=user, authenticator=authenticator)
    request.session.save()
    return client


# --- document files ------------------------------------------------------------------------------


def pdf_bytes(marker: str = "") -> bytes:
    """A small, valid PDF; ``marker`` (unique by default) makes its sha256 differ from any other."""
    marker = marker or f"sample {next(_sequence)}"
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        + f"% {marker}\n".encode()
        + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def pdf(name: str = "report.pdf", marker: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(marker), content_type="application/pdf")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- models, cases and closeouts ----------------------------------------------------------------


def make_model(liaison: User, *, name: str = "Atlas", version: str | None = None) -> AIModel:
    return case_services.ai_model_register(
        actor=liaison, name=name, version=version or f"{next(_model_versions)}.0", modalities=["text"]
    )


def attach_document(case: ReviewCase, liaison: User, kind: str, content: bytes | None = None) -> Document:
    """A firm document with one version, written straight to storage (the upload pipeline has
    its own tests)."""
    from documents.audience import sync_document

    content = content or f"{kind} for {case.reference}\n".encode()
    document = Document.objects.create(case=case, kind=kind, title=kind.replace("_", " ").title(), created_by=liaison)
    version = DocumentVersion(
        document=document,
        number=1,
        original_name=f"{kind}.txt",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type="text/plain",
        uploaded_by=liaison,
    )
    version.file.save(f"test/{case.reference}-{kind}.txt", ContentFile(content), save=False)
    version.save()
    sync_document(document)
    return document


def upload_document(
    case: ReviewCase,
    actor: User,
    kind: str,
    *,
    title: str,
    marking: str,
    file: Any,
    visibility: str | None = None,
    configuration: Configuration | None = None,
) -> Document:
    """A document through the upload service: checked, stored and audited as a real upload (an
    agency's working file when ``actor`` is a reviewer, at ``visibility``)."""
    from documents.services import document_create

    return document_create(
        case=case,
        kind=kind,
        title=title,
        marking=marking,
        upload=file,
        actor=actor,
        visibility=visibility,
        configuration=configuration,
    )


def _add_required_documents(case: ReviewCase, liaison: User, *, uploaded: bool) -> None:
    """The system card and access instructions a case needs before it is submitted."""
    if not uploaded:
        attach_document(case, liaison, DocumentKind.SYSTEM_CARD)
        attach_document(case, liaison, DocumentKind.ACCESS_INSTRUCTIONS)
        return
    upload_document(
        case,
        liaison,
        DocumentKind.SYSTEM_CARD,
        title="System card",
        marking=Marking.PROPRIETARY,
        file=pdf("system-card.pdf"),
    )
    upload_document(
        case,
        liaison,
        DocumentKind.ACCESS_INSTRUCTIONS,
        title="Access instructions",
        marking=Marking.CUI,
        file=upload("access.md", b"# Access\n\nUse the staging endpoint.\n"),
    )


CASE_STATES = ("draft", "submitted", "in_review", "closeout_requested", "closed", "withdrawn")


def make_case(
    liaison: User,
    *,
    state: str = "draft",
    agencies: tuple[str, ...] = ("dod",),
    coordinator: User | None = None,
    days_to_sharing: int = 20,
    window_days: int = 25,
    sharing_date: datetime.date | None = None,
    reviewers: Mapping[User, User] | None = None,
    lead: User | None = None,
    uploaded: bool = False,
) -> ReviewCase:
    """A case of ``liaison``'s firm, carried through the services to ``state`` (one of
    ``CASE_STATES``).

    The window closes ``days_to_sharing`` days from today (or on ``sharing_date``) and opens
    ``window_days`` before. From ``submitted`` on, the case has its system card and access
    instructions: written straight to storage, or through the upload service when ``uploaded``
    (a PDF marked PROPRIETARY and Markdown marked CUI). From ``in_review`` on, ``coordinator`` (a
    new one if not given) has assigned ``agencies``, and each supervisor in ``reviewers`` has put
    their reviewer on the case (``lead`` leading). A closeout is requested by a reviewer of the
    first agency and, for ``closed``, approved by a supervisor of each agency; ``withdrawn`` is the
    firm withdrawing a case in review. Agency members a state needs are made when the test has
    none."""
    if state not in CASE_STATES:
        raise ValueError(f"make_case: unknown state {state!r}; one of {CASE_STATES}")
    sharing = sharing_date or days(days_to_sharing)
    case = case_services.case_create(
        model=make_model(liaison),
        actor=liaison,
        access_date=sharing - datetime.timedelta(days=window_days),
        sharing_date=sharing,
        trusted_partners="Example partner",
        evaluator_access="API keys issued on the access date",
    )
    add_configuration(case, liaison)
    if state == "draft":
        if uploaded:
            _add_required_documents(case, liaison, uploaded=True)
            case.refresh_from_db()
        return case
    _add_required_documents(case, liaison, uploaded=uploaded)
    workflow_services.case_submit(case=case, actor=liaison)
    if state == "submitted":
        return case
    coordinator = coordinator or make_coordinator()
    workflow_services.case_assign_agencies(
        case=case, agencies=Agency.objects.filter(code__in=agencies), actor=coordinator
    )
    for supervisor, reviewer in (reviewers or {}).items():
        case_services.case_assign_reviewers(
            case=case, reviewers=[reviewer], lead=lead if lead == reviewer else None, actor=supervisor
        )
    if state == "withdrawn":
        withdraw_case(case, liaison)
    elif state in ("closeout_requested", "closed"):
        closeout = request_closeout(case)
        if state == "closed":
            close_case(case, closeout=closeout)
    case.refresh_from_db()
    return case


def request_closeout(
    case: ReviewCase,
    requester: User | None = None,
    *,
    summary: str = "The review is complete.",
    carried_forward: Mapping[int, str] | None = None,
) -> Closeout:
    """A closeout of a case in review, requested by ``requester`` (a reviewer of the case's first
    agency if not given)."""
    if requester is None:
        first = case.agency_assignments.order_by("pk").select_related("agency").first().agency
        requester = _member_of(first, AgencyRole.REVIEWER)
    return workflow_services.closeout_request(
        case=case, actor=requester, summary=summary, carried_forward=carried_forward
    )


def close_case(case: ReviewCase, *, closeout: Closeout | None = None) -> ReviewCase:
    """Close ``case``: its pending closeout (one requested now if there is none) approved by a
    supervisor of each assigned agency who did not request it."""
    case.refresh_from_db()
    if closeout is None:
        closeout = (
            case.closeouts.get(state=CloseoutState.PENDING)
            if case.state == CaseState.CLOSEOUT_REQUESTED
            else request_closeout(case)
        )
    for assignment in case.agency_assignments.select_related("agency").order_by("pk"):
        supervisor = _member_of(assignment.agency, AgencyRole.SUPERVISOR, besides=closeout.requested_by)
        workflow_services.closeout_decide(
            closeout=closeout, actor=supervisor, approve=True, statement="The review is concluded."
        )
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED, case.state
    return case


def withdraw_case(case: ReviewCase, liaison: User, *, reason: str = "Postponed") -> ReviewCase:
    case_services.case_withdraw(case=case, actor=liaison, reason=reason)
    case.refresh_from_db()
    return case


# --- tested configurations -----------------------------------------------------------------------


def add_configuration(case: ReviewCase, liaison: User | None = None, **fields: Any) -> Configuration:
    """A tested configuration of ``case``, added by ``liaison`` (the case's opener if not given)."""
    from configurations.services import configuration_add

    values = {
        "name": "Atlas API",
        "snapshot": "atlas-2026-11-01",
        "safeguard_version": "guard 3.2",
        "access_variant": "production_safeguards",
        "access_method": "API keys",
    } | fields
    return configuration_add(case=case, actor=liaison or case.created_by, **values)


def configuration(case: ReviewCase) -> Configuration:
    """The case's first current configuration (one is added if it has none)."""
    from configurations.selectors import current_configurations

    return current_configurations(case).order_by("pk").first() or add_configuration(case)


# --- findings, working files and comments -------------------------------------------------------


def draft(case: ReviewCase, author: User, *, visibility: str = "agency", **fields: Any) -> Finding:
    """A draft finding by ``author``; ``fields`` override the defaults of any field."""
    values = {
        "title": "Prompt injection bypasses the input filter",
        "description": "A crafted preamble makes the model ignore its refusal policy.",
        "category": "safeguard_bypass",
        "severity": "high",
    } | fields
    values.setdefault("configuration", configuration(case))
    return finding_services.finding_draft(case=case, actor=author, visibility=visibility, **values)


def released(case: ReviewCase, author: User, releaser: User, *, visibility: str = "agency", **fields: Any) -> Finding:
    """A finding drafted by ``author`` and released by ``releaser`` (a supervisor of the same
    agency who is not the author, for ``government`` and ``firm``)."""
    finding = draft(case, author, visibility=visibility, **fields)
    return finding_services.finding_release(finding=finding, actor=releaser)


def responded(case: ReviewCase, author: User, releaser: User, liaison: User) -> Finding:
    """A finding shared with the firm and disputed by ``liaison``."""
    finding = released(case, author, releaser, visibility="firm")
    finding_services.finding_respond(finding=finding, actor=liaison, choice="disputed", text="Our filter blocks this.")
    finding.refresh_from_db()
    return finding


def comment(
    case: ReviewCase,
    author: User,
    *,
    body: str = "A note on the case.",
    finding: Finding | None = None,
    visibility: str | None = None,
) -> Comment:
    """A comment through the service; ``visibility`` as the service defaults it when not given."""
    chosen = {"visibility": visibility} if visibility else {}
    return finding_services.comment_add(case=case, actor=author, body=body, finding=finding, **chosen)


def working_file(case: ReviewCase, member: User, agency_code: str, *, visibility: str = "agency") -> DocumentVersion:
    """An agency's working file with one version (the upload pipeline has its own tests)."""
    from documents.audience import sync_document

    content = f"notes of {agency_code} on {case.reference}\n".encode()
    document = Document.objects.create(
        case=case,
        kind="other",
        title=f"{agency_code} notes",
        agency=Agency.objects.get(code=agency_code),
        visibility=visibility,
        created_by=member,
    )
    version = DocumentVersion(
        document=document,
        number=1,
        original_name="notes.txt",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type="text/plain",
        uploaded_by=member,
    )
    version.file.save(f"test/{case.reference}-{agency_code}-notes.txt", ContentFile(content), save=False)
    version.save()
    sync_document(document)
    return version
