"""Test data. Organisations and memberships are made through the services, so that the
permissions they grant are the ones production would have."""

from __future__ import annotations

import factory

from accounts.models import User
from agencies.models import Agency, AgencyMembership
from agencies.services import agency_membership_add
from firms.models import Firm, FirmMembership
from firms.services import firm_create, firm_membership_add

PASSWORD = "correct-horse-battery-staple"


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


__all__ = [
    "PASSWORD",
    "AgencyMembership",
    "FirmMembership",
    "UserFactory",
    "make_agency_member",
    "make_coordinator",
    "make_firm",
    "make_liaison",
]


# --- cases in any lifecycle state, built through the services ---------------------------------

import datetime  # noqa: E402
import hashlib  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases import services as case_services  # noqa: E402
from cases.models import AIModel, ReviewCase  # noqa: E402
from workflow import services as workflow_services  # noqa: E402


def make_model(liaison: User, *, name: str = "Atlas", version: str | None = None) -> AIModel:
    global _model_seq
    _model_seq += 1
    return case_services.ai_model_register(
        actor=liaison, name=name, version=version or f"{_model_seq}.0", modalities=["text"]
    )


_model_seq = 0


def attach_document(case: ReviewCase, liaison: User, kind: str, content: bytes | None = None):
    """A firm document with one version, written straight to storage (the upload pipeline has
    its own tests)."""
    from documents.models import Document, DocumentVersion

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
    from documents.audience import sync_document

    sync_document(document)
    return document


def make_case(
    liaison: User,
    *,
    state: str = "draft",
    agencies: tuple[str, ...] = ("dod",),
    coordinator: User | None = None,
    days_to_sharing: int = 20,
    window_days: int = 25,
) -> ReviewCase:
    """A case of ``liaison``'s firm, carried through the services to ``state`` (draft, submitted or
    in_review)."""
    today = timezone.localdate()
    sharing = today + datetime.timedelta(days=days_to_sharing)
    case = case_services.case_create(
        model=make_model(liaison),
        actor=liaison,
        access_date=sharing - datetime.timedelta(days=window_days),
        sharing_date=sharing,
        trusted_partners="Example partner",
        evaluator_access="API keys issued on the access date",
    )
    if state == "draft":
        return case
    attach_document(case, liaison, "system_card")
    attach_document(case, liaison, "access_instructions")
    workflow_services.case_submit(case=case, actor=liaison)
    if state == "submitted":
        return case
    from agencies.models import Agency

    coordinator = coordinator or make_coordinator()
    workflow_services.case_assign_agencies(
        case=case, agencies=Agency.objects.filter(code__in=agencies), actor=coordinator
    )
    return case
