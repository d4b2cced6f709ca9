"""Reads for the invitation and account pages. Fetch-and-authorize functions answer 404 alike
for "does not exist" and "not yours"."""

from __future__ import annotations

import hashlib
from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import agency_membership, firm_membership, is_coordinator
from agencies.models import Agency, AgencyRole
from core.permissions import COORDINATORS_GROUP, refuse_access
from firms.models import Firm
from invitations.models import Invitation, InvitationKind, InvitationTarget
from invitations.permissions import may_invite


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(*, token: str, for_update: bool = False) -> Invitation | None:
    """The invitation a link's token opens, or None (unknown or tampered)."""
    queryset = Invitation.objects.select_related("firm", "agency", "invited_by")
    if for_update:
        # Lock the invitation row only: the joined firm or agency is on the nullable side.
        queryset = queryset.select_for_update(of=("self",))
    return queryset.filter(token_hash=token_hash(token)).first()


def invitation_targets_for(*, actor: Any) -> list[InvitationTarget]:
    """Every place ``actor`` may invite someone to, in the order a form offers them."""
    if is_coordinator(actor):
        targets: list[InvitationTarget] = []
        for firm in Firm.objects.order_by("name"):
            targets.append(InvitationTarget(kind=InvitationKind.FIRM, firm=firm, is_admin=True))
            targets.append(InvitationTarget(kind=InvitationKind.FIRM, firm=firm, is_admin=False))
        for agency in Agency.objects.order_by("short_name"):
            for role in (AgencyRole.SUPERVISOR, AgencyRole.REVIEWER):
                targets.append(InvitationTarget(kind=InvitationKind.AGENCY, agency=agency, agency_role=role))
        targets.append(InvitationTarget(kind=InvitationKind.COORDINATOR))
        return targets
    candidates: list[InvitationTarget] = []
    if firm_side := firm_membership(actor):
        candidates.append(InvitationTarget(kind=InvitationKind.FIRM, firm=firm_side.firm, is_admin=False))
    if agency_side := agency_membership(actor):
        candidates.append(
            InvitationTarget(kind=InvitationKind.AGENCY, agency=agency_side.agency, agency_role=AgencyRole.REVIEWER)
        )
    # The rule in permissions.py decides; this only lists the candidates it could allow.
    return [target for target in candidates if may_invite(actor, target)]


def may_invite_anyone(*, actor: Any) -> bool:
    return bool(invitation_targets_for(actor=actor))


def invitations_pending_for(*, actor: Any) -> QuerySet[Invitation]:
    """The pending invitations ``actor`` may see: a coordinator all; a firm admin their firm's;
    a supervisor their agency's; anyone else none."""
    pending = Invitation.objects.pending().select_related("firm", "agency", "invited_by")
    if is_coordinator(actor):
        return pending
    if (firm := firm_membership(actor)) and firm.is_admin:
        return pending.filter(firm_id=firm.firm_id)
    if (agency := agency_membership(actor)) and agency.is_supervisor:
        return pending.filter(agency_id=agency.agency_id)
    return pending.none()


def _refused(actor: Any, what: str, pk: Any) -> Http404:
    return refuse_access(actor, what, pk)


def get_pending_invitation_for(*, actor: Any, pk: Any) -> Invitation:
    try:
        return invitations_pending_for(actor=actor).get(pk=pk)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise _refused(actor, "invitations.invitation", pk) from None


def accounts_for(*, actor: Any) -> QuerySet[User]:
    """The accounts a coordinator manages (all of them); none for anyone else."""
    if not is_coordinator(actor):
        return User.objects.none()
    return User.objects.select_related("firm_membership__firm", "agency_membership__agency").order_by("email")


ACCOUNT_ROLES = {
    "coordinator": "Program coordinator",
    "firm_admin": "Firm admin",
    "liaison": "Liaison",
    "supervisor": "Agency supervisor",
    "reviewer": "Agency reviewer",
    "none": "No organisation",
}


def account_organisations() -> list[tuple[str, str]]:
    """The organisations an account may belong to, as a filter offers them: "firm-3", "agency-1", "office"."""
    firms = [(f"firm-{pk}", name) for pk, name in Firm.objects.order_by("name").values_list("pk", "name")]
    agencies = [
        (f"agency-{pk}", short) for pk, short in Agency.objects.order_by("short_name").values_list("pk", "short_name")
    ]
    return [("office", "Program office"), *agencies, *firms]


def accounts_filtered(
    *, actor: Any, search: str = "", role: str = "", organisation: str = "", mfa: str = "", status: str = ""
) -> QuerySet[User]:
    """The accounts a coordinator manages, each with whether it is a coordinator and has a second
    factor (``in_office``, ``has_totp``, ``has_webauthn``), narrowed by a search of email and name,
    a role (``ACCOUNT_ROLES``), an organisation (``account_organisations``), MFA ("yes"/"no") and
    status ("active"/"deactivated"). One query, however many rows."""
    accounts = accounts_for(actor=actor).annotate(
        in_office=Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=COORDINATORS_GROUP)),
        has_totp=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP)),
        has_webauthn=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.WEBAUTHN)),
    )
    if search := search.strip():
        accounts = accounts.filter(Q(email__icontains=search) | Q(full_name__icontains=search))
    role_filters = {
        "coordinator": Q(in_office=True),
        "firm_admin": Q(firm_membership__is_admin=True),
        "liaison": Q(firm_membership__is_admin=False),
        "supervisor": Q(agency_membership__role=AgencyRole.SUPERVISOR),
        "reviewer": Q(agency_membership__role=AgencyRole.REVIEWER),
        "none": Q(in_office=False, firm_membership__isnull=True, agency_membership__isnull=True),
    }
    if role in role_filters:
        accounts = accounts.filter(role_filters[role])
    kind, _, pk = organisation.partition("-")
    if organisation == "office":
        accounts = accounts.filter(in_office=True)
    elif kind == "firm" and pk.isdigit():
        accounts = accounts.filter(firm_membership__firm_id=int(pk))
    elif kind == "agency" and pk.isdigit():
        accounts = accounts.filter(agency_membership__agency_id=int(pk))
    if mfa == "yes":
        accounts = accounts.filter(Q(has_totp=True) | Q(has_webauthn=True))
    elif mfa == "no":
        accounts = accounts.filter(has_totp=False, has_webauthn=False)
    if status == "active":
        accounts = accounts.filter(is_active=True)
    elif status == "deactivated":
        accounts = accounts.filter(is_active=False)
    return accounts


def account_role(account: Any) -> str:
    """'Firm admin, Northwind AI', 'Supervisor, DoD', 'Program coordinator' of an account from
    ``accounts_filtered`` (no query: its memberships are joined and its office annotated), deactivated
    or not."""
    try:
        firm = account.firm_membership
    except ObjectDoesNotExist:
        firm = None
    if firm is not None:
        return f"{'Firm admin' if firm.is_admin else 'Liaison'}, {firm.firm.name}"
    try:
        agency = account.agency_membership
    except ObjectDoesNotExist:
        agency = None
    if agency is not None:
        return f"{agency.get_role_display()}, {agency.agency.short_name}"
    return "Program coordinator" if getattr(account, "in_office", False) else ""


def get_account_for(*, actor: Any, pk: Any) -> User:
    try:
        return accounts_for(actor=actor).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise _refused(actor, "accounts.user", pk) from None
