"""Thin views: authorize and fetch, validate the form, call the service, redirect."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.roles import is_coordinator, role_label
from accounts.services import user_deactivate
from core.errors import DomainError
from core.web import paginate
from invitations import selectors, services
from invitations.forms import (
    AcceptInvitationForm,
    AccountFilterForm,
    ChangeEmailForm,
    DeactivateAccountForm,
    InvitationForm,
)
from invitations.permissions import may_revoke
from invitations.services import account_change_email


def _page_not_for_you() -> Http404:
    return Http404("No such page, or it is not yours to use.")


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    if not selectors.may_invite_anyone(actor=request.user):
        raise _page_not_for_you()
    invitations = [
        (invitation, may_revoke(request.user, invitation))
        for invitation in selectors.invitations_pending_for(actor=request.user)
    ]
    return render(request, "invitations/invitation_list.html", {"invitations": invitations})


@login_required
def invitation_create(request: HttpRequest) -> HttpResponse:
    targets = selectors.invitation_targets_for(actor=request.user)
    if not targets:
        raise _page_not_for_you()
    form = InvitationForm(request.POST if request.method == "POST" else None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(actor=request.user, **form.service_arguments())
        except DomainError as error:
            form.add_error("email" if error.code != "forbidden" else "target", error.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email} as {invitation.target.label}. "
                f"The link works until {services.describe_moment(invitation.expires_at)}.",
            )
            return redirect("invitations:list")
    return render(
        request, "invitations/invitation_form.html", {"form": form, "ttl_days": services.invitation_ttl().days}
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.get_pending_invitation_for(actor=request.user, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} was revoked; its link no longer works.")
    return redirect("invitations:list")


def _bad_link(request: HttpRequest, error: DomainError) -> HttpResponse:
    # Unknown (or tampered) links are "not found"; expired, used and revoked ones are "gone".
    status = 404 if error.code == services.LINK_UNKNOWN else 410
    return render(request, "invitations/link_invalid.html", {"message": error.message}, status=status)


@sensitive_post_parameters("password1", "password2")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    if request.user.is_authenticated:
        # Accepting would sign this browser in as someone else: make that a deliberate step.
        return render(request, "invitations/accept_signed_in.html")
    try:
        invitation = services.invitation_check_link(token=token)
    except DomainError as error:
        return _bad_link(request, error)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, password=form.cleaned_data["password1"], full_name=form.cleaned_data["full_name"]
            )
        except DomainError as error:
            if error.code in services.LINK_CODES:
                return _bad_link(request, error)
            form.add_error("password1" if error.code == "invalid_password" else None, error.message)
        else:
            response = perform_login(request, user, redirect_url=reverse("mfa_index"))
            # The person has just chosen their password: count it as a fresh re-authentication, so
            # that setting up MFA next does not ask for the password again at once.
            record_authentication(request, user, method="password", email=user.email, reauthenticated=True)
            return response
    return render(
        request,
        "invitations/accept.html",
        {
            "form": form,
            "invitation": invitation,
            "inviter": invitation.invited_by,
            "expires": services.describe_moment(invitation.expires_at),
        },
    )


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    if not is_coordinator(request.user):
        raise _page_not_for_you()
    form = AccountFilterForm(
        request.GET or None, roles=selectors.ACCOUNT_ROLES, organisations=selectors.account_organisations()
    )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    accounts = selectors.accounts_filtered(
        actor=request.user,
        search=filters.get("q", ""),
        role=filters.get("role", ""),
        organisation=filters.get("organisation", ""),
        mfa=filters.get("mfa", ""),
        status=filters.get("status", ""),
    )
    if form.is_bound and not form.is_valid():
        accounts = accounts.none()
    page = paginate(request, accounts, per_page=50)
    rows = [(account, selectors.account_role(account)) for account in page.object_list]
    return render(request, "invitations/account_list.html", {"form": form, "page": page, "rows": rows})


@login_required
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account_for(actor=request.user, pk=pk)
    form = DeactivateAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user_deactivate(user=account, actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{account.email} is deactivated: signed out everywhere and unable to sign in.")
            return redirect("invitations:accounts")
    return render(
        request,
        "invitations/account_deactivate.html",
        {"form": form, "account": account, "account_role": role_label(account)},
    )


@login_required
def account_email(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator changes the address a person signs in with (nobody changes their own)."""
    account = selectors.get_account_for(actor=request.user, pk=pk)
    form = ChangeEmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        old = account.email
        try:
            account_change_email(user=account, new_email=form.cleaned_data["email"], actor=request.user)
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, f"{old} now signs in as {account.email}. Both addresses were told.")
            return redirect("invitations:accounts")
    return render(
        request,
        "invitations/account_email.html",
        {"form": form, "account": account, "account_role": role_label(account)},
    )
