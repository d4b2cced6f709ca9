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
