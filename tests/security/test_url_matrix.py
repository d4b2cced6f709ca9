"""The authorization matrix: every URL pattern of the project, and what it answers
to each kind of user (docs/design.md, "Who sees what").

The patterns come from the URL resolver, allauth included (there is no Django admin). ``TABLE``
says, for each one, what a GET answers to every user below; a pattern missing from the table, or a table row whose
pattern is gone, fails ``test_every_url_pattern_is_in_the_table``, so no page can be added without
deciding who sees it. The URLs are filled with the objects of one Northwind case under review by
DoD (CISA is not assigned). Objects a user may not see answer 404 exactly like a missing id, and a
refused POST changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, RequestFactory, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from tests.assertions import database_digest, rows_unchanged
from tests.web.support import words

# The matrix makes hundreds of requests as each person within a minute: not what the API rate is for.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]

# --- who asks ------------------------------------------------------------------------------------

# The columns of every row of TABLE, in this order.
USERS = (
    "anonymous",
    "sam",  # liaison of firm A (Northwind), not its admin
    "kim",  # firm B (Lumen Labs): its admin, so the invitation pages are hers too
    "alex",  # firm admin of A
    "dod_reviewer",  # assigned agency
    "dod_supervisor",  # assigned agency
    "cisa_reviewer",  # agency not assigned to the case
    "coordinator",
)


# --- the URL patterns, from the resolver ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pattern:
    route: str  # the full route, regex anchors removed
    name: str | None  # namespaced name, "cases:detail"
    pattern: URLPattern

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def area(self) -> str:
        """Which rule groups the pattern: allauth, or the portal's own pages."""
        if self.pattern.callback.__module__.startswith("allauth."):
            return "allauth"
        if self.route.startswith("api/v1/"):
            return "api"
        return "portal"


def _route_part(pattern: Any) -> str:
    text = str(pattern)
    if text.startswith("^"):  # a re_path: keep the groups, drop the anchors
        text = text[1:]
    return text.removesuffix("$")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        route = prefix + _route_part(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _walk(entry, route, inner or "")
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Pattern(route=route, name=name, pattern=entry)


@functools.cache
def url_patterns() -> dict[str, Pattern]:
    """Every URL pattern of the project by its key (its name, or its route when it has none).

    A pattern that repeats an earlier one's name and route (allauth's password change, which the
    portal's re-authenticating view replaces) is the same entry: the earlier one answers. A name
    used again on another route is keyed by name and route."""
    found: dict[str, Pattern] = {}
    for pattern in _walk(get_resolver()):
        earlier = found.get(pattern.key)
        if earlier is None:
            found[pattern.key] = pattern
        elif earlier.route != pattern.route:
            found[f"{pattern.key} {pattern.route}"] = pattern
    return found


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def fill(route: str, values: dict[str, Any]) -> str:
    """``route`` with each parameter (``<int:pk>`` or ``(?P<pk>...)``) replaced by its value."""
    return "/" + _PARAM.sub(lambda m: str(values[m.group(1) or m.group(2)]), route)


# --- the data: one Northwind case under review by DoD ------------------------------------------


MISSING_PK = 987654321


@dataclasses.dataclass
class Matrix:
    objects: dict[str, Any]
    clients: dict[str, Client]
    sessions: dict[str, str]


def _security_key(user: Any) -> Any:
    """A WebAuthn security key of ``user``, registered through allauth's API with a credential a
    software authenticator would produce (attestation "none")."""
    from allauth.mfa.webauthn.internal.auth import WebAuthn
    from cryptography.hazmat.primitives.asymmetric import ec
    from fido2.cose import ES256
    from fido2.utils import sha256, websafe_encode
    from fido2.webauthn import (
        AttestationObject,
        AttestedCredentialData,
        AuthenticatorData,
        CollectedClientData,
    )

    credential_id = os.urandom(16)
    public_key = ES256.from_cryptography_key(ec.generate_private_key(ec.SECP256R1()).public_key())
    auth_data = AuthenticatorData.create(
        sha256(b"testserver"),
        AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT,
        0,
        AttestedCredentialData.create(b"\0" * 16, credential_id, public_key),
    )
    client_data = CollectedClientData.create("webauthn.create", b"registration-challenge", "https://testserver")
    credential = {
        "id": websafe_encode(credential_id),
        "rawId": websafe_encode(credential_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": websafe_encode(client_data),
            "attestationObject": websafe_encode(AttestationObject.create("none", auth_data, {})),
        },
        "clientExtensionResults": {"credProps": {"rk": False}},
    }
    return WebAuthn.add(user, "Sam's security key", credential).instance


def _saved_search(owner: Any) -> Any:
    from search.selectors import Filters
    from search.services import saved_search_create

    return saved_search_create(owner=owner, name="Bypasses", query="bypass", filters=Filters(), share=True)


def _build() -> dict[str, Any]:
    from agencies.models import Agency
    from invitations.services import invitation_create, invitation_revoke
    from notifications.models import Notification
    from tests import builders
    from tests.builders import released, working_file
    from workflow import services as workflow_services

    northwind = builders.make_firm("Northwind AI")
    lumen = builders.make_firm("Lumen Labs")
    people = {
        "alex": builders.make_liaison(northwind, is_admin=True, email="alex@northwind.test"),
        "sam": builders.make_liaison(northwind, email="sam@northwind.test"),
        "kim": builders.make_liaison(lumen, is_admin=True, email="kim@lumen.test"),
        "dod_reviewer": builders.make_agency_member("dod", role="reviewer", email="reviewer@dod.test"),
        "dod_supervisor": builders.make_agency_member("dod", role="supervisor", email="supervisor@dod.test"),
        "cisa_reviewer": builders.make_agency_member("cisa", role="reviewer", email="reviewer@cisa.test"),
        "coordinator": builders.make_coordinator(email="coordinator@checkpoint.test"),
    }
    alex, sam = people["alex"], people["sam"]
    reviewer, supervisor = people["dod_reviewer"], people["dod_supervisor"]

    case = builders.make_case(
        alex,
        state="in_review",
        agencies=("dod",),
        coordinator=people["coordinator"],
        reviewers={supervisor: reviewer},
        lead=reviewer,
    )
    document = case.documents.get(kind="system_card")
    version = document.versions.get()
    dod_file = working_file(case, reviewer, "dod").document
    firm_finding = released(case, reviewer, supervisor, visibility="firm", title="Filter bypass")
    agency_finding = released(case, reviewer, reviewer, visibility="agency", title="DoD's own finding")
    comment = builders.comment(case, sam, body="Northwind's note", finding=firm_finding)
    closeout = workflow_services.closeout_request(
        case=case,
        actor=reviewer,
        summary="DoD has finished its review.",
        carried_forward={f.pk: "The firm declined to act, which is its right." for f in (firm_finding, agency_finding)},
    )
    workflow_services.closeout_decide(closeout=closeout, actor=supervisor, approve=False, reason="One more test run.")
    case.refresh_from_db()
    closeout.refresh_from_db()
    invitation, token = invitation_create(email="new.liaison@northwind.test", firm=northwind, actor=alex)
    revoked, revoked_token = invitation_create(email="other.liaison@northwind.test", firm=northwind, actor=alex)
    invitation_revoke(invitation=revoked, actor=alex)
    draft_case = builders.make_case(sam, state="draft")
    from api.services import token_create, webhook_endpoint_add

    webhook, _secret = webhook_endpoint_add(actor=alex, url="https://hooks.northwind.test/checkpoint")
    api_token, _raw = token_create(actor=sam, name="Sam's pipeline", scope="write", days=30, passed_mfa=True)
    from configurations.services import access_period_record

    configuration = builders.configuration(case)
    period = access_period_record(
        case=case,
        configuration=configuration,
        actor=reviewer,
        started_at=timezone.now() - datetime.timedelta(hours=2),
        ended_at=None,
        confirmed_by="Northwind desk",
    )
    closed_case = builders.make_case(
        alex, state="closed", agencies=("dod",), coordinator=people["coordinator"], reviewers={supervisor: reviewer}
    )
    return {
        "firm_record": closed_case.closeout_records.get(audience="firm"),
        "metrics_figure": "triage",
        "saved_search": _saved_search(sam),
        "dod_record": closed_case.closeout_records.get(audience="agency"),
        **people,
        "northwind": northwind,
        "lumen": lumen,
        "dod": Agency.objects.get(code="dod"),
        "cisa": Agency.objects.get(code="cisa"),
        "case": case,
        "draft_case": draft_case,
        "model": case.model,
        "document": document,
        "version": version,
        "dod_file": dod_file,
        "firm_finding": firm_finding,
        "agency_finding": agency_finding,
        "comment": comment,
        "closeout": closeout,
        "configuration": configuration,
        "period": period,
        "period_kind": "period",
        "invitation": invitation,
        "invitation_token": token,
        "revoked_invitation_token": revoked_token,
        "security_key": _security_key(sam),
        "api_token": api_token,
        "webhook": webhook,
        # Delivered by the finding's release (the notices are made when the services commit).
        "notification": lambda: Notification.objects.filter(recipient=sam).order_by("pk").first(),
    }


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker) -> Iterator[Matrix]:
    """The data and one signed-in client per user, built once for the module inside a transaction
    that is rolled back at its end (each test then runs in a savepoint of its own)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.builders import sign_in

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                objects = _build()
            objects["notification"] = objects["notification"]()
            assert objects["notification"] is not None, "the finding's release notified nobody at Northwind"
            clients = {"anonymous": Client()}
            for user in USERS[1:]:
                person = objects[user]
                # What the ``client_for`` fixture does (that fixture is per test; these clients serve
                # the whole module): a TOTP authenticator and a session that passed MFA.
                clients[user] = sign_in(Client(), person)
                # As after accepting an invitation and enrolling: a verified address and recovery codes.
                EmailAddress.objects.update_or_create(
                    user=person, email=person.email, defaults={"verified": True, "primary": True}
                )
                RecoveryCodes.activate(person)
            sessions = {
                user: client.cookies[settings.SESSION_COOKIE_NAME].value
                for user, client in clients.items()
                if user != "anonymous"
            }
            yield Matrix(objects=objects, clients=clients, sessions=sessions)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def reauthenticate(client: Client, user: Any) -> None:
    """Record in ``client``'s session that ``user`` re-authenticated just now (as allauth's
    re-authentication form does), which opens the pages that ask for a fresh one."""
    from allauth.account.internal.flows.login import record_authentication

    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    record_authentication(request, user, "password", reauthenticated=True)
    request.session.save()


# --- the answers -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Redirect:
    """A 302 to ``to`` (a path; ``{name}`` stands for the id of object ``name``). When the
    redirect carries ``next``, it is the page asked for: one comes back to it."""

    to: str

    def __str__(self) -> str:
        return f"302 to {self.to}"


@dataclasses.dataclass(frozen=True)
class SaidNo:
    """A POST the view let through to its service, which refused it: a 302 back with the refusal
    as an error message (and nothing changed)."""

    def __str__(self) -> str:
        return "302 with the service's refusal"


Answer = int | Redirect | SaidNo

LOGIN = Redirect("/accounts/login/")  # anonymous: sign in first, then back to the page
REAUTH = Redirect("/accounts/reauthenticate/")  # a sensitive page: re-authenticate first
HOME = Redirect("/")
SAID_NO = SaidNo()
REFUSALS = (403, 404, LOGIN)  # GET answers whose POST must be refused alike and change nothing


@dataclasses.dataclass(frozen=True)
class Row:
    """What one URL pattern answers, filled with object ``obj`` (its ``pk`` or ``case_pk``).

    ``get`` and ``post`` hold one answer per user of USERS; ``post`` lists the POSTs that must be
    refused (None: not tried). Without ``post``, a portal page's POST is refused exactly as its GET
    for the users whose GET is refused; a ``get_only`` page answers their POST 405 before it looks
    anything up. ``reauthenticated`` asks with a session that re-authenticated just now. ``data``
    is the POST body; ``{name}`` values name objects."""

    get: tuple[Answer, ...]
    obj: str = ""
    post: tuple[Answer | None, ...] | None = None
    data: dict[str, str] = dataclasses.field(default_factory=dict)
    reauthenticated: bool = False
    get_only: bool = False
    params: dict[str, str] = dataclasses.field(default_factory=dict)  # parameter: object holding its value

    def label(self) -> str:
        parts = [self.obj, *self.params.values(), "reauthenticated" if self.reauthenticated else ""]
        return "+".join(filter(None, parts)) or "-"


def signed_in(answer: Answer, *, anonymous: Answer = LOGIN) -> tuple[Answer, ...]:
    """Every signed-in user gets ``answer``."""
    return (anonymous, *[answer] * (len(USERS) - 1))


def everyone(answer: Answer) -> tuple[Answer, ...]:
    return signed_in(answer, anonymous=answer)


def coordinator_only(others: Answer) -> tuple[Answer, ...]:
    return (LOGIN, *[others] * (len(USERS) - 2), 200)


POST_ONLY = signed_in(405)  # a GET of an action that only takes POST
# The firm's own pages of its case (CHANGE_CASE): Northwind's liaisons; 404 to everyone else.
FIRM_CASE_PAGE = (LOGIN, 200, 404, 200, 404, 404, 404, 404)
# Liaisons' role pages: 403 outside the role.
LIAISON_PAGE = (LOGIN, 200, 200, 200, 403, 403, 403, 403)
# Who may invite (firm admins, supervisors, coordinators); the others get 404, as for an object.
INVITER_PAGE = (LOGIN, 404, 200, 200, 404, 200, 404, 200)

# A finding as the drafting form takes it.
FINDING_FORM = {
    "title": "An attempt",
    "description": "Written by someone who may not.",
    "category": "other",
    "severity": "low",
    "target_kind": "model",
    "visibility": "agency",
}

# A configuration as the firm's form takes it.
CONFIGURATION_FORM = {
    "name": "An attempt",
    "snapshot": "attempt-1",
    "safeguard_version": "none",
    "access_variant": "no_safeguards",
    "access_method": "API",
}

API_FINDING_FORM = {**FINDING_FORM, "configuration": "{configuration}"}

# The actions of the authoring agency (DoD) on a finding. Northwind's liaisons see the firm-level
# finding, so the view lets them through and the service refuses; nobody else sees it.
FINDING_ACTION_POST = {
    "firm_finding": (LOGIN, SAID_NO, 404, SAID_NO, None, None, 404, 404),
    "agency_finding": (LOGIN, 404, 404, 404, None, None, 404, 404),
}


def _finding_action(data: dict[str, str] | None = None) -> list[Row]:
    return [Row(POST_ONLY, obj=obj, post=post, data=data or {}) for obj, post in FINDING_ACTION_POST.items()]


# The API: 401 without credentials; a GET of an action that takes POST is 405.
API_POST_ONLY = signed_in(405, anonymous=401)
API_COORDINATOR = (401, *[403] * (len(USERS) - 2), 200)
# A firm's action on its case in review: the firm is refused by the rule (409), agencies and the
# program office are not the firm (403), those who do not see the case get 404.
API_FIRM_ACTION = (401, 409, 404, 409, 403, 403, 404, 403)
API_FINDING_ACTION = {
    "firm_finding": (401, 403, 404, 403, None, None, 404, 404),
    "agency_finding": (401, 404, 404, 404, None, None, 404, 404),
}


def _api_finding_action(data: dict[str, str] | None = None) -> list[Row]:
    return [Row(API_POST_ONLY, obj=obj, post=post, data=data or {}) for obj, post in API_FINDING_ACTION.items()]


def _reauth_page(answer_after: tuple[Answer, ...]) -> list[Row]:
    """An allauth page behind re-authentication: a signed-in session is sent to re-authenticate;
    one that just did gets ``answer_after``."""
    return [Row(signed_in(REAUTH)), Row(answer_after, reauthenticated=True)]


# fmt: off
# Columns:          anonymous  sam      kim      alex     dod_rev  dod_sup  cisa_rev coordinator
TABLE: dict[str, Row | list[Row]] = {
    # --- the portal ---------------------------------------------------------------------------
    "home": Row(signed_in(200)),
    "cases:list": Row(signed_in(200)),
    "cases:triage": Row(coordinator_only(403)),
    "cases:create": Row(LIAISON_PAGE),
    "cases:detail": [
        Row((LOGIN,     200,     404,     200,     200,     200,     404,     200), obj="case"),
        # A draft is the firm's own: no agency is assigned, the program office has not got it yet.
        Row((LOGIN,     200,     404,     200,     404,     404,     404,     404), obj="draft_case"),
    ],
    # The refused POSTs below carry a valid form: what would change the case if it were let through.
    "cases:history": [
        Row((LOGIN,     200,     404,     200,     200,     200,     404,     200), obj="case"),
        Row((LOGIN,     200,     404,     200,     404,     404,     404,     404), obj="draft_case"),
    ],
    "cases:edit": Row(FIRM_CASE_PAGE, obj="case", data={"trusted_partners": "Lumen's partner",
                                                         "evaluator_access": "Ours now"}),
    "cases:submit": Row(FIRM_CASE_PAGE, obj="case"),
    "cases:move_date": Row(FIRM_CASE_PAGE, obj="case", data={"sharing_date": "2099-01-01", "reason": "An attempt"}),
    "cases:withdraw": Row(FIRM_CASE_PAGE, obj="case", data={"reason": "An attempt", "confirm": "on"}),
    "cases:assign_agencies": Row(coordinator_only(404), obj="case", data={"agencies": "{cisa}"}),
    "cases:assign_reviewers": Row(
        (LOGIN,     404,     404,     404,     404,     200,     404,     404), obj="case",
        data={"reviewers": "{dod_reviewer}", "lead": "{dod_reviewer}"}),
    "cases:audit": Row(coordinator_only(404), obj="case"),
    "cases:closeout_request": Row(
        (LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="case",
        data={"summary": "An attempt"}),
    "cases:closeout": Row(
        (LOGIN,     200,     404,     200,     200,     200,     404,     200), obj="closeout"),
    # The closeout was returned: whoever sees the case reaches the service, which refuses.
    "cases:closeout_decide": Row(POST_ONLY, obj="closeout", data={"decision": "approve"}, post=(
         LOGIN,     SAID_NO, 404,     SAID_NO, SAID_NO, None,    404,     SAID_NO)),
    "search:search": Row(signed_in(200), get_only=True),
    "search:saved_list": Row(signed_in(200), get_only=True),
    # Saving needs the search's words: a POST without them is sent back to the search page.
    "search:saved_create": Row(POST_ONLY, post=(LOGIN, *[Redirect("/search/")] * 7)),
    # Sam's saved search, shared with Northwind: his colleague runs it; nobody else finds it.
    "search:saved_run": Row(
        (LOGIN, Redirect("/search/"), 404, Redirect("/search/"), 404, 404, 404, 404), obj="saved_search",
        get_only=True),
    "search:saved_delete": Row(POST_ONLY, obj="saved_search", post=(LOGIN, None, 404, SAID_NO, 404, 404, 404, 404)),
    # Program metrics: the program office, and supervisors (for their own agency).
    "metrics:dashboard": Row(
        (LOGIN,     403,     403,     403,     403,     200,     403,     200), get_only=True),
    "metrics:csv": Row(
        (LOGIN,     403,     403,     403,     403,     200,     403,     200), get_only=True,
        params={"key": "metrics_figure"}),
    # Closeout records: the firm's is read by the firm and the assigned agencies, an agency's by itself.
    "records:html": [
        Row((LOGIN,     200,     404,     200,     200,     200,     404,     404), obj="firm_record", get_only=True),
        Row((LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="dod_record", get_only=True),
    ],
    "records:pdf": [
        Row((LOGIN,     200,     404,     200,     200,     200,     404,     404), obj="firm_record", get_only=True),
        Row((LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="dod_record", get_only=True),
    ],
    # An open case's interim report: its firm and assigned agencies; not the program office (contents).
    "records:interim": Row(
        (LOGIN,     200,     404,     200,     200,     200,     404,     404), obj="case", get_only=True),
    "records:interim_pdf": Row(
        (LOGIN,     200,     404,     200,     200,     200,     404,     404), obj="case", get_only=True),
    "cases:model_list": Row(LIAISON_PAGE),
    "cases:model_create": Row(LIAISON_PAGE),
    "cases:model_edit": Row(
        (LOGIN,     200,     404,     200,     403,     403,     403,     403), obj="model",
        data={"name": "Renamed", "version": "9.9", "modalities": "text"}),
    "documents:case_documents": Row(
        (LOGIN,     200,     404,     200,     200,     200,     404,     200), obj="case", get_only=True),
    # The program office sees the case but uploads nothing to it: 403 from the upload page.
    "documents:create": Row(
        (LOGIN,     200,     404,     200,     200,     200,     404,     403), obj="case"),
    "documents:detail": [
        Row((LOGIN,     200,     404,     200,     200,     200,     404,     404), obj="document", get_only=True),
        Row((LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="dod_file", get_only=True),
    ],
    "documents:download": [
        Row((LOGIN,     200,     404,     200,     200,     200,     404,     404), obj="document", get_only=True),
        Row((LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="dod_file", get_only=True),
    ],
    # A new version of a document comes from its author's side: DoD sees the firm's system card
    # (403: not theirs to replace), the firm never sees DoD's working file.
    "documents:version_create": [
        Row((LOGIN,     200,     404,     200,     403,     403,     404,     404), obj="document"),
        Row((LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="dod_file"),
    ],
    # A version is retracted by its uploader (Alex uploaded the system card; DoD's reviewer its working
    # file), a supervisor of the working file's agency, or the firm's admin: 403 to the other readers.
    "documents:retract": [
        Row((LOGIN,     403,     404,     200,     403,     403,     404,     404), obj="document"),
        Row((LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="dod_file"),
    ],
    # Tested configurations and the access ledger: whoever sees the case reads them; the firm adds
    # and revises configurations, the assigned agency records access (DoD's entry is its own).
    "configurations:list": Row(
        (LOGIN,     200,     404,     200,     200,     200,     404,     200), obj="case"),
    "configurations:add": Row(FIRM_CASE_PAGE, obj="case", data=CONFIGURATION_FORM),
    "configurations:revise": Row(FIRM_CASE_PAGE, obj="configuration", data=CONFIGURATION_FORM),
    "configurations:ledger": Row(
        (LOGIN,     200,     404,     200,     200,     200,     404,     200), obj="case"),
    "configurations:period_record": Row(POST_ONLY, obj="case", post=(
         LOGIN,     404,     404,     404,     None,    None,    404,     404)),
    "configurations:interruption_record": Row(POST_ONLY, obj="case", post=(
         LOGIN,     404,     404,     404,     None,    None,    404,     404)),
    "configurations:comment": Row(POST_ONLY, obj="period", params={"kind": "period_kind"}, data={"body": "Hm"},
        post=(LOGIN,    None,    404,     None,    None,    None,    404,     404)),
    # The attestation page reads what the firm attested; only its liaisons may attest (on the day).
    "configurations:attestation": Row(
        (LOGIN,     200,     404,     200,     200,     200,     404,     200), obj="case",
        data={"choice": "prefer_not_to_say"}, post=(
         LOGIN,     None,    404,     None,    404,     404,     404,     404)),
    "findings:list": Row(signed_in(200)),
    "findings:export": Row(signed_in(200)),
    "findings:create": Row(
        (LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="case", data=FINDING_FORM),
    "findings:comment": [
        Row(POST_ONLY, obj="case", data={"body": "An attempt"}, post=(
             LOGIN,     None,    404,     None,    None,    None,    404,     SAID_NO)),
        # On a finding the commenter may not see: refused before the service.
        Row(POST_ONLY, obj="case", data={"body": "An attempt", "finding": "{agency_finding}"}, post=(
             LOGIN,     404,     404,     404,     None,    None,    404,     404)),
    ],
    "findings:detail": [
        Row((LOGIN,     200,     404,     200,     200,     200,     404,     404), obj="firm_finding"),
        Row((LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="agency_finding"),
    ],
    # Only the authoring agency edits; the firm reads its finding but has no edit page.
    "findings:edit": [
        Row((LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="firm_finding",
            data=FINDING_FORM),
        Row((LOGIN,     404,     404,     404,     200,     200,     404,     404), obj="agency_finding",
            data=FINDING_FORM),
    ],
    "findings:release": _finding_action(),
    "findings:request_release": _finding_action(),
    "findings:resolve": _finding_action(),
    "findings:withdraw": _finding_action({"reason": "An attempt"}),
    "findings:send_back": _finding_action({"reason": "An attempt"}),
    # The firm's answer: an agency that sees the finding gets the form back with the refusal (400).
    "findings:respond": [
        Row(POST_ONLY, obj="firm_finding", data={"choice": "declined", "text": "Not ours."}, post=(
             LOGIN,     None,    404,     None,    400,     400,     404,     404)),
        Row(POST_ONLY, obj="agency_finding", data={"choice": "declined", "text": "Not ours."}, post=(
             LOGIN,     404,     404,     404,     400,     400,     404,     404)),
    ],
    "firms:list": Row(coordinator_only(403)),
    "firms:detail": Row(coordinator_only(404), obj="northwind"),
    "agencies:list": Row(coordinator_only(403)),
    "agencies:detail": Row(coordinator_only(404), obj="dod"),
    "audit:list": Row(coordinator_only(403)),
    "audit:export": Row(coordinator_only(403)),
    "audit:verify": Row(
        (LOGIN,     403,     403,     403,     403,     403,     403,     405), post=(
         LOGIN,     403,     403,     403,     403,     403,     403,     None)),
    # The invitation pages answer 404 (not 403) outside the inviting roles: "no such page".
    "invitations:list": Row(INVITER_PAGE),
    "invitations:create": Row(INVITER_PAGE, data={"email": "intruder@example.test"}),
    # Alex's invitation of a Northwind liaison: Alex and the program office may withdraw it.
    "invitations:revoke": Row(POST_ONLY, obj="invitation", post=(
         LOGIN,     404,     404,     None,    404,     404,     404,     None)),
    # Public: the emailed link. A bogus token is "not found", a revoked one "gone" (410). A
    # signed-in browser is asked to sign out first, before any token is looked at.
    "invitations:accept": [
        Row((404,       200,     200,     200,     200,     200,     200,     200)),
        Row((200,       200,     200,     200,     200,     200,     200,     200),
            params={"token": "invitation_token"}),
        Row((410,       200,     200,     200,     200,     200,     200,     200),
            params={"token": "revoked_invitation_token"}),
    ],
    "invitations:accounts": Row(coordinator_only(404)),
    "invitations:deactivate": Row(coordinator_only(404), obj="sam", data={"confirm": "on"}),
    "invitations:account_email": Row(coordinator_only(404), obj="sam", data={"email": "intruder@example.test"}),
    "notifications:list": Row(signed_in(200)),
    "notifications:preferences": Row(signed_in(200)),
    # Each acts on the asker's own notifications only.
    "notifications:read_all": Row(POST_ONLY, post=(LOGIN, *[None] * 7)),
    # --- planning: the review calendar, its feed, an agency's workload ----------------------------
    "planning:calendar": Row(signed_in(200), get_only=True),
    # One's own feed: anyone signed in may make or revoke theirs; anonymous is sent to sign in.
    "planning:feed_create": Row(POST_ONLY, post=(LOGIN, *[None] * 7)),
    "planning:feed_revoke": Row(POST_ONLY, post=(LOGIN, *[None] * 7)),
    # Public, answering only to a feed's secret: a bogus one is "not found" for everyone.
    "planning:feed": Row(everyone(404), get_only=True),
    "planning:workload": Row(
        (LOGIN,     403,     403,     403,     403,     200,     403,     403), get_only=True),
    "notifications:clear_read": Row(POST_ONLY, post=(LOGIN, *[None] * 7)),
    # Sam's notice of the released finding: it leads Sam there; anyone else's id is "not found".
    "notifications:open": Row(
        (LOGIN,     Redirect("/findings/{firm_finding}/"),
                             404,     404,     404,     404,     404,     404), obj="notification"),
    "notifications:read": Row(POST_ONLY, obj="notification", post=(
         LOGIN,     None,    404,     404,     404,     404,     404,     404)),
    "notifications:clear": Row(POST_ONLY, obj="notification", post=(
         LOGIN,     None,    404,     404,     404,     404,     404,     404)),
    # --- API tokens (pages) ------------------------------------------------------------------
    "api_pages:tokens": Row(signed_in(200)),
    "api_pages:all_tokens": Row(coordinator_only(403)),
    # Sam's token: Sam and the program office revoke it; anyone else's id is "not found".
    "api_pages:token_revoke": Row(POST_ONLY, obj="api_token", post=(
         LOGIN,     None,    404,     404,     404,     404,     404,     None)),
    # Webhooks are a firm admin's: Alex's endpoint is Northwind's; Kim (Lumen's admin) gets 404.
    "webhooks:list": Row(
        (LOGIN,     403,     200,     200,     403,     403,     403,     403),
        data={"url": "https://intruder.test/hook"}),
    "webhooks:detail": Row(
        (LOGIN,     404,     404,     200,     404,     404,     404,     404), obj="webhook"),
    "webhooks:test": Row(POST_ONLY, obj="webhook", post=(
         LOGIN,     404,     404,     None,    404,     404,     404,     404)),
    "webhooks:remove": Row(POST_ONLY, obj="webhook", post=(
         LOGIN,     404,     404,     None,    404,     404,     404,     404)),
    # --- REST API v1: the same answers as the pages, in JSON (401 without credentials) ---------
    # The schema and its two viewers are public: they describe the API, not its data.
    "api:schema": Row(everyone(200)),
    "api:swagger": Row(everyone(200)),
    "api:redoc": Row(everyone(200)),
    "api:firms": Row(signed_in(200, anonymous=401)),
    "api:models": Row(signed_in(200, anonymous=401), post=(
         401,       None,    None,    None,    403,     403,     403,     403), data={"name": "X", "version": "1"}),
    "api:model": Row(
        (401,       200,     404,     200,     404,     404,     404,     404), obj="model"),
    "api:cases": Row(signed_in(200, anonymous=401), post=(
         401,       None,    404,     None,    404,     404,     404,     404), data={"model": "{model}"}),
    "api:triage": Row(API_COORDINATOR),
    "api:case": [
        Row((401,       200,     404,     200,     200,     200,     404,     200), obj="case"),
        Row((401,       200,     404,     200,     404,     404,     404,     404), obj="draft_case"),
    ],
    "api:case_submit": Row(API_POST_ONLY, obj="case", post=API_FIRM_ACTION),
    # The firm may move its date, but not this far: the window would pass 30 days (400 on the field).
    "api:case_move_sharing_date": Row(API_POST_ONLY, obj="case", post=(
         401,       400,     404,     400,     403,     403,     404,     403),
        data={"sharing_date": "2099-01-01", "reason": "An attempt"}),
    "api:case_withdraw": Row(API_POST_ONLY, obj="case", post=(
         401,       None,    404,     None,    403,     403,     404,     403), data={"reason": "An attempt"}),
    # The program office may reassign, but DoD has findings on the case: it cannot be unassigned.
    "api:case_assign_agencies": Row(API_POST_ONLY, obj="case", data={"agencies": "[cisa]"}, post=(
         401,       403,     404,     403,     403,     403,     404,     400)),
    "api:case_assign_reviewers": Row(API_POST_ONLY, obj="case", post=(
         401,       403,     404,     403,     403,     None,    404,     403),
        data={"reviewers": "[{dod_reviewer}]", "lead": "{dod_reviewer}"}),
    "api:case_configurations": Row(
        (401,       200,     404,     200,     200,     200,     404,     200), obj="case"),
    "api:case_timeline": Row(
        (401,       200,     404,     200,     200,     200,     404,     200), obj="case"),
    # An upload without a file is refused by the form (400); the program office uploads nothing (403).
    "api:case_documents": Row(
        (401,       200,     404,     200,     200,     200,     404,     200), obj="case", post=(
         401,       400,     404,     400,     400,     400,     404,     403)),
    "api:case_findings": Row(API_POST_ONLY, obj="case", data=API_FINDING_FORM, post=(
         401,       403,     404,     403,     None,    None,    404,     403)),
    "api:case_comments": Row(API_POST_ONLY, obj="case", data={"body": "An attempt", "finding": "{agency_finding}"},
                             post=(401, 404, 404, 404, None, None, 404, 404)),
    "api:case_closeouts": Row(
        (401,       200,     404,     200,     200,     200,     404,     200), obj="case",
        data={"summary": "An attempt"}, post=(
         401,       403,     404,     403,     None,    None,    404,     403)),
    "api:document": [
        Row((401,       200,     404,     200,     200,     200,     404,     404), obj="document"),
        Row((401,       404,     404,     404,     200,     200,     404,     404), obj="dod_file"),
    ],
    "api:document_versions": [
        Row((401,       200,     404,     200,     200,     200,     404,     404), obj="document", post=(
             401,       400,     404,     400,     403,     403,     404,     404)),
        Row((401,       404,     404,     404,     200,     200,     404,     404), obj="dod_file", post=(
             401,       404,     404,     404,     400,     400,     404,     404)),
    ],
    "api:version_download": [
        Row((401,       200,     404,     200,     200,     200,     404,     404), obj="document"),
        Row((401,       404,     404,     404,     200,     200,     404,     404), obj="dod_file"),
    ],
    "api:findings": Row(signed_in(200, anonymous=401)),
    "api:finding": [
        Row((401,       200,     404,     200,     200,     200,     404,     404), obj="firm_finding"),
        Row((401,       404,     404,     404,     200,     200,     404,     404), obj="agency_finding"),
    ],
    "api:finding_responses": [
        Row((401,       200,     404,     200,     200,     200,     404,     404), obj="firm_finding"),
        Row((401,       404,     404,     404,     200,     200,     404,     404), obj="agency_finding"),
    ],
    "api:finding_release": _api_finding_action(),
    "api:finding_request_release": _api_finding_action(),
    "api:finding_resolve": _api_finding_action({"note": "An attempt"}),
    "api:finding_withdraw": _api_finding_action({"reason": "An attempt"}),
    "api:finding_send_back": _api_finding_action({"reason": "An attempt"}),
    "api:finding_respond": [
        Row(API_POST_ONLY, obj="firm_finding", data={"choice": "declined", "text": "Not ours."}, post=(
             401,       None,    404,     None,    403,     403,     404,     404)),
        Row(API_POST_ONLY, obj="agency_finding", data={"choice": "declined", "text": "Not ours."}, post=(
             401,       404,     404,     404,     403,     403,     404,     404)),
    ],
    "api:comments": Row(signed_in(200, anonymous=401)),
    "api:closeout": Row(
        (401,       200,     404,     200,     200,     200,     404,     200), obj="closeout"),
    "api:closeout_decide": Row(API_POST_ONLY, obj="closeout", data={"decision": "approved"}, post=(
         401,       403,     404,     403,     403,     None,    404,     403)),
    "api:notifications": Row(signed_in(200, anonymous=401)),
    "api:notification_read": Row(API_POST_ONLY, obj="notification", post=(
         401,       None,    404,     404,     404,     404,     404,     404)),
    # --- allauth: sign-in, sign-out, password and email pages --------------------------------
    # Pages for signing in answer anonymous visitors and send signed-in people home.
    "account_login": Row(signed_in(HOME, anonymous=200)),
    "account_signup": Row(signed_in(HOME, anonymous=200)),  # "sign-up is closed": invitation only
    "account_confirm_login_code": Row(signed_in(HOME, anonymous=LOGIN)),  # no code was requested
    "mfa_authenticate": Row(signed_in(HOME, anonymous=LOGIN)),  # no sign-in is half-way
    "account_logout": Row(signed_in(200, anonymous=LOGIN)),  # asks to confirm; a GET signs nobody out
    # Pages about a link from an email, or a state of sign-in: the same for everyone. Bogus keys
    # get the page's own "this link is invalid".
    "account_inactive": Row(everyone(200)),
    # --- operations: the health checks answer anyone (the proxy, the operator) -------------------
    "ops:healthz": Row(everyone(200)),
    "ops:readyz": Row(everyone(200)),
    "account_email_verification_sent": Row(everyone(200)),
    "account_confirm_email": Row(everyone(200)),
    "account_reset_password": Row(everyone(200)),
    "account_reset_password_done": Row(everyone(200)),
    "account_reset_password_from_key": Row(everyone(200)),
    "account_reset_password_from_key_done": Row(everyone(200)),
    # Signed-in people's own pages.
    "account_email": Row(signed_in(200)),  # read-only: only the program office changes an address
    "account_sessions": Row(signed_in(200)),  # one's own sessions; "sign out everywhere else"
    "account_reauthenticate": Row(signed_in(200)),
    # Re-authentication by an emailed code is off (password or second factor only): refused.
    "account_request_reauthentication_code": Row(signed_in(403)),
    "account_confirm_reauthentication_code": Row(signed_in(403)),
    "account_set_password": Row(signed_in(Redirect("/accounts/password/change/"))),  # everyone has one
    "account_change_password": _reauth_page(signed_in(200)),
    # --- allauth: two-factor authentication -----------------------------------------------------
    "mfa_index": Row(signed_in(200)),
    "mfa_reauthenticate": Row(signed_in(200)),
    "mfa_list_webauthn": Row(signed_in(200)),
    # Only Sam has a security key to re-authenticate with; the others are sent to the other ways.
    "mfa_reauthenticate_webauthn": Row(
        (LOGIN,     200,     REAUTH,  REAUTH,  REAUTH,  REAUTH,  REAUTH,  REAUTH)),
    "mfa_activate_totp": _reauth_page(signed_in(Redirect("/accounts/2fa/totp/deactivate/"))),  # all have TOTP
    "mfa_deactivate_totp": _reauth_page(signed_in(200)),
    "mfa_add_webauthn": _reauth_page(signed_in(200)),
    "mfa_view_recovery_codes": _reauth_page(signed_in(200)),
    "mfa_generate_recovery_codes": _reauth_page(signed_in(200)),
    "mfa_download_recovery_codes": _reauth_page(signed_in(200)),
    # Sam's security key: Sam's own; anyone else's id is "not found".
    "mfa_edit_webauthn": [
        Row(signed_in(REAUTH), obj="security_key"),
        Row((LOGIN,     200,     404,     404,     404,     404,     404,     404), obj="security_key",
            reauthenticated=True),
    ],
    "mfa_remove_webauthn": [
        Row(signed_in(REAUTH), obj="security_key"),
        Row((LOGIN,     200,     404,     404,     404,     404,     404,     404), obj="security_key",
            reauthenticated=True),
    ],
}
# fmt: on


def rows_of(key: str) -> list[Row]:
    entry = TABLE[key]
    return entry if isinstance(entry, list) else [entry]


# --- asking -------------------------------------------------------------------------------------


def _pk(objects: dict[str, Any], name: str) -> Any:
    return objects[name].pk


def parameters(pattern: Pattern, row: Row, objects: dict[str, Any], *, missing: bool = False) -> dict[str, Any]:
    """The values of the pattern's parameters: the row's object fills the object id (``pk``,
    ``case_pk``); ``missing`` puts an id that no object has there."""
    main = MISSING_PK if missing else (_pk(objects, row.obj) if row.obj else None)
    values: dict[str, Any] = {
        "pk": main,
        "case_pk": main,
        "number": objects["version"].number,
        "token": "bogus-invitation-token",
        "key": "bogus-key",
        "uidb36": "zz",
    }
    values.update({name: objects[holder] for name, holder in row.params.items()})
    return values


def concrete_url(pattern: Pattern, row: Row, objects: dict[str, Any], *, missing: bool = False) -> str:
    return fill(pattern.route, parameters(pattern, row, objects, missing=missing))


def _with_ids(text: str, objects: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(_pk(objects, m.group(1))), text)


def ask(matrix: Matrix, user: str, method: str, url: str, row: Row) -> Any:
    """One request by ``user`` with the session made for the module (every test's changes,
    the session's included, are rolled back; the client's cookies are put back here)."""
    client = matrix.clients[user]
    client.cookies.clear()
    if user != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = matrix.sessions[user]
        if row.reauthenticated:
            reauthenticate(client, matrix.objects[user])
    if method == "post":
        data = {name: _with_ids(value, matrix.objects) for name, value in row.data.items()}
        if url.startswith("/api/v1/"):  # the API takes JSON
            return client.post(url, {k: _json_value(v) for k, v in data.items()}, content_type="application/json")
        return client.post(url, data)
    return client.get(url)


def _json_value(value: str) -> Any:
    """A form value as the API takes it: lists are written ``[a,b]``, whole numbers as numbers."""
    if value.startswith("[") and value.endswith("]"):
        return [_json_value(item) for item in value[1:-1].split(",") if item]
    return int(value) if value.isdigit() else value


def assert_answer(response: Any, expected: Answer, url: str, objects: dict[str, Any]) -> None:
    got = response.status_code
    location = response.get("Location", "")
    method = response.request["REQUEST_METHOD"]
    said = f"{method} {url} answered {got}{' to ' + location if location else ''}, expected {expected}"
    if isinstance(expected, int):
        assert got == expected, said
        return
    assert got == 302, said
    target = urlsplit(location)
    if isinstance(expected, Redirect):
        assert target.path == _with_ids(expected.to, objects), said
        following = parse_qs(target.query).get("next")
        if following:
            assert following == [url], f"{said}: next= should lead back to {url}"
    else:
        assert target.path != LOGIN.to, said
        message = response.cookies.get("messages")
        assert message is not None, f"{said}: no message says why it was refused"
        assert message.value, f"{said}: no message says why it was refused"


# --- the tests ----------------------------------------------------------------------------------


def test_every_url_pattern_is_in_the_table():
    """A new page must say who sees it; a removed one must leave the table."""
    patterns = set(url_patterns())
    unlisted = sorted(patterns - set(TABLE))
    gone = sorted(set(TABLE) - patterns)
    assert not unlisted, f"URL patterns the matrix does not list (decide who sees them): {unlisted}"
    assert not gone, f"the matrix lists patterns that no longer exist: {gone}"


def test_the_table_is_well_formed():
    patterns = url_patterns()
    for key in TABLE:
        for row in rows_of(key):
            assert len(row.get) == len(USERS), key
            assert row.post is None or len(row.post) == len(USERS), key
            if 405 in row.get and patterns[key].area == "portal":
                assert row.post is not None, f"{key}: a POST-only action must say whose POST is refused"
            takes_object = bool(re.search(r"<(?:\w+:)?(pk|case_pk)>", patterns[key].route))
            assert takes_object == bool(row.obj), f"{key}: the row's object does not fit the route"


def test_each_url_reaches_its_own_pattern(matrix):
    """The URLs built here are answered by the pattern they stand for (the builder is right),
    except where an earlier pattern deliberately takes the route over."""
    for key, pattern in url_patterns().items():
        for row in rows_of(key):
            url = concrete_url(pattern, row, matrix.objects)
            match = resolve(url)
            assert match.func is pattern.pattern.callback, f"{key}: {url} reaches {match.view_name}"


def _get_cases() -> list[Any]:
    return [
        pytest.param(key, index, user, id=f"{key}[{row.label()}]-{user}")
        for key in sorted(TABLE)
        for index, row in enumerate(rows_of(key))
        for user in USERS
    ]


def _post_cases() -> list[Any]:
    cases = []
    for key in sorted(TABLE):
        for index, row in enumerate(rows_of(key)):
            for position, user in enumerate(USERS):
                expected = post_answer(key, row, position)
                if expected is not None:
                    cases.append(pytest.param(key, index, user, id=f"{key}[{row.label()}]-{user}"))
    return cases


def post_answer(key: str, row: Row, position: int) -> Answer | None:
    if row.post is not None:
        return row.post[position]
    if url_patterns()[key].area == "allauth":
        return None  # allauth's own refusals are its to test
    answer = row.get[position]
    if url_patterns()[key].area == "api":
        # A read of the API refuses a POST before it looks anything up: 405 (401 without credentials).
        return (401 if position == 0 else 405) if answer in (401, 403, 404) else None
    if answer not in REFUSALS:
        return None
    return 405 if row.get_only and answer != LOGIN else answer


@pytest.mark.parametrize(("key", "index", "user"), _get_cases())
def test_get(matrix, key, index, user):
    pattern, row = url_patterns()[key], rows_of(key)[index]
    expected = row.get[USERS.index(user)]
    url = concrete_url(pattern, row, matrix.objects)
    response = ask(matrix, user, "get", url, row)
    assert_answer(response, expected, url, matrix.objects)
    if expected == 404 and row.obj:
        # What one may not see looks exactly like what does not exist.
        missing = ask(matrix, user, "get", concrete_url(pattern, row, matrix.objects, missing=True), row)
        assert missing.status_code == 404
        assert words(missing) == words(response), "the page for a forbidden object differs from a missing one"


@pytest.mark.parametrize(("key", "index", "user"), _post_cases())
def test_refused_post_changes_nothing(matrix, key, index, user):
    pattern, row = url_patterns()[key], rows_of(key)[index]
    expected = post_answer(key, row, USERS.index(user))
    url = concrete_url(pattern, row, matrix.objects)
    with rows_unchanged(note="a refused POST"):
        response = ask(matrix, user, "post", url, row)
    assert_answer(response, expected, url, matrix.objects)
    if expected == 404 and row.obj:
        missing = ask(matrix, user, "post", concrete_url(pattern, row, matrix.objects, missing=True), row)
        assert missing.status_code == 404
        assert words(missing) == words(response), "the page for a forbidden object differs from a missing one"


@pytest.mark.parametrize(
    ("key", "user"),
    [("cases:edit", "sam"), ("cases:withdraw", "alex"), ("notifications:read", "sam"), ("invitations:revoke", "alex")],
)
def test_the_same_post_by_someone_allowed_changes_things(matrix, key, user):
    """The control of the test above: the bodies it sends do change things when the person may,
    and the digest sees it (so "nothing changed" is not vacuous: refusals write nothing it counts)."""
    pattern, row = url_patterns()[key], rows_of(key)[0]
    before = database_digest()
    response = ask(matrix, user, "post", concrete_url(pattern, row, matrix.objects), row)
    assert response.status_code == 302
    assert database_digest() != before
