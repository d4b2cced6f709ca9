"""Every list and detail page runs the same, pinned, number of SQL queries with 1 row as with 50
(cases, findings, comments, documents, responses, closeouts, models, firms, agencies, audit
events, API tokens, webhooks and their deliveries, and the API's case and finding lists): a page
whose count grows with its rows fails here.

The first row of everything is made through the services. The other 49 are copies of it, written
in bulk with the very object permissions the services granted the original (building 49 of
everything through the services takes a minute on a busy machine); ``test_the_copies_are_seen``
checks that each reader sees all 50.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.utils import get_group_obj_perms_model

from accounts.models import SignedInSession
from agencies.services import agency_create
from api import webhooks
from api.services import token_create, webhook_endpoint_add
from cases.models import CarriedForwardFinding, ReviewCase
from cases.selectors import cases_for, models_for
from cases.services import case_assign_reviewers
from configurations import services as configuration_services
from core.models import Visibility
from core.permissions import GUARDED
from documents.selectors import documents_for
from findings import services as finding_services
from findings.selectors import comments_for, findings_for
from firms.services import firm_create
from metrics.services import metrics_snapshots_refresh_stale
from search.selectors import Filters
from search.services import saved_search_create
from tests import builders
from tests.builders import draft, released
from workflow.services import closeout_decide, closeout_request

ROWS = 50

# Queries per page, the same with 1 row and with 50, at most 15. Each includes 4 that every
# signed-in page runs: the session, the user with their membership and organisation (one join),
# the MFA check and the header's unread count. The session is not written on a read (its last-seen
# time moves once a minute). Change one only with a reason.
PINNED = {
    "dashboard, liaison": 6,
    "dashboard, reviewer": 10,
    "dashboard, supervisor": 11,
    "dashboard, coordinator": 10,
    "case list, liaison": 7,
    "case list, reviewer": 7,
    "case list, coordinator": 8,
    "case list, filtered": 7,
    "triage": 8,
    "case detail, liaison": 12,
    "case detail, reviewer": 13,
    "case detail, coordinator": 11,
    "case history, liaison": 8,
    "case history, reviewer": 8,
    "case history, coordinator": 9,
    "case audit log": 7,
    "finding list, liaison": 5,
    "finding list, reviewer": 5,
    "finding detail, liaison": 11,
    "finding detail, reviewer": 11,
    "closeout detail, supervisor": 14,
    "closeout detail, liaison": 10,
    "model list": 5,
    "firms": 6,
    "firm detail": 6,
    "agencies": 5,
    "agency detail": 6,
    "audit log": 6,
    "audit log, older page": 7,
    "own sessions": 4,
    # The search and the workload: 3 of their statements open a savepoint, plan what follows for
    # its parameters and release it (core.db.custom_plans; in a request, BEGIN and COMMIT).
    "search, liaison": 10,
    "search, reviewer": 10,
    "search, one kind": 8,
    "submit page": 6,
    "case documents, liaison": 6,
    "case documents, reviewer": 7,
    "notifications": 4,  # the header shows the page's own unread count
    "document detail": 5,
    "version retract": 6,
    "audit log, filtered": 5,
    "accounts": 8,
    "accounts, filtered": 7,
    "calendar, liaison": 7,
    "calendar, reviewer": 7,
    "workload": 12,
    "configurations, liaison": 5,
    "configurations, coordinator": 6,
    "access ledger, liaison": 9,
    "access ledger, reviewer": 13,
    "sharing attestation, liaison": 6,
    "metrics, coordinator": 6,
    "metrics, supervisor": 5,
    "saved searches": 4,
    "api tokens": 4,
    "every live token": 6,
    "webhooks": 4,
    "webhook deliveries": 6,
    "api case list, liaison": 4,
    "api case list, reviewer": 4,
    "api finding list, liaison": 3,
    "api finding list, reviewer": 3,
    "interim report, liaison": 15,
    "interim report, reviewer": 15,
}


@dataclass
class World:
    """The first row of everything the pages list, made through the services."""

    case: ReviewCase  # the case whose page is measured: documents, findings, comments
    document: Any
    finding: Any  # the finding whose page is measured: responses and comments
    government_draft: Any
    case_comment: Any
    finding_comment: Any
    submitted: ReviewCase  # awaiting triage
    awaiting_decision: ReviewCase  # closeout requested
    closeout: Any  # the closeout whose page is measured: carried-forward findings, decisions
    carried: Any
    liaison_membership: Any  # Northwind's page lists its liaisons
    reviewer_membership: Any  # DoD's page lists its members
    configuration: Any  # the case's tested configuration (the configurations page lists them)
    period: Any  # the access ledger lists periods, interruptions and their comments
    interruption: Any
    ledger_comment: Any
    token: Any  # Alex's API tokens page, and the coordinators' list of live tokens
    webhook: Any  # Northwind's webhooks page
    delivery: Any  # the endpoint's delivery log
    saved_search: Any = None  # the saved-searches page lists Northwind's


def build(people: dict[str, Any], case: ReviewCase) -> World:
    alex, reviewer, supervisor = people["alex"], people["dod_reviewer"], people["dod_supervisor"]
    coordinator = people["coordinator"]
    document = builders.attach_document(case, alex, "other", content=b"annex\n")
    version = document.versions.get()
    finding = released(
        case, reviewer, supervisor, visibility=Visibility.FIRM, title="Finding 0", related_versions=[version]
    )
    finding_services.finding_respond(
        finding=finding, actor=alex, choice="disputed", text="Our answer", documents=[version]
    )
    government_draft = draft(case, reviewer, visibility=Visibility.GOVERNMENT, title="Draft 0")
    case_comment = finding_services.comment_add(case=case, actor=alex, body="Case comment")
    finding_comment = finding_services.comment_add(
        case=case, actor=supervisor, body="Finding comment", visibility=Visibility.FIRM, finding=finding
    )
    submitted = builders.make_case(alex, state="submitted")
    awaiting = builders.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)
    case_assign_reviewers(case=awaiting, reviewers=[reviewer], lead=reviewer, actor=supervisor)
    closeout_request(case=awaiting, actor=reviewer, summary="Nothing left open.")
    closing = builders.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)
    carried = released(closing, reviewer, supervisor, visibility=Visibility.FIRM, title="Carried 0")
    closeout = closeout_request(
        case=closing, actor=reviewer, summary="One finding carried forward", carried_forward={carried.pk: "Declined"}
    )
    closeout_decide(
        closeout=closeout, actor=people["treasury_supervisor"], approve=True, statement="The review is concluded."
    )
    firm_create(name="Firm 0", actor=coordinator)
    agency_create(code="agency0", name="Agency 0", short_name="A0", actor=coordinator)
    configuration = builders.configuration(case)
    period = configuration_services.access_period_record(
        case=case,
        configuration=configuration,
        actor=reviewer,
        started_at=timezone.now() - datetime.timedelta(days=4),
        ended_at=None,
        confirmed_by="Desk",
        visibility="government",
    )
    interruption = configuration_services.interruption_record(
        case=case,
        configuration=configuration,
        actor=reviewer,
        started_at=timezone.now() - datetime.timedelta(days=3),
        ended_at=timezone.now() - datetime.timedelta(days=2),
        cause="outage",
    )
    ledger_comment = configuration_services.ledger_comment_add(actor=alex, body="Noted", period=period)
    token, _raw = token_create(actor=alex, name="Token 0", scope="read", days=30, passed_mfa=True)
    webhook, _secret = webhook_endpoint_add(actor=alex, url="https://hooks.northwind.test/0")
    delivery = webhooks.enqueue(endpoint=webhook, event_id="evt_0", event_type="ping", payload={})
    return World(
        case=case,
        document=document,
        finding=finding,
        government_draft=government_draft,
        case_comment=case_comment,
        finding_comment=finding_comment,
        submitted=submitted,
        awaiting_decision=awaiting,
        closeout=closeout,
        carried=carried,
        liaison_membership=alex.firm_membership,
        reviewer_membership=reviewer.agency_membership,
        configuration=configuration,
        period=period,
        interruption=interruption,
        ledger_comment=ledger_comment,
        saved_search=saved_search_create(
            owner=alex, name="Saved 0", query="finding", filters=Filters(kind="finding"), share=True
        ),
        token=token,
        webhook=webhook,
        delivery=delivery,
    )


def clone(template: Model, count: int, **vary: Any) -> list[Any]:
    """``count`` copies of ``template`` (a callable in ``vary`` gets the copy's index), holding the
    object permissions the template holds."""
    model = type(template)
    values = {f.attname: getattr(template, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
    copies = model.objects.bulk_create(
        [
            model(**(values | {name: value(i) if callable(value) else value for name, value in vary.items()}))
            for i in range(count)
        ]
    )
    if model._meta.label in GUARDED.values():
        table = get_group_obj_perms_model(model)
        held = list(table.objects.filter(content_object=template).values_list("group_id", "permission_id"))
        table.objects.bulk_create(
            [table(group_id=g, permission_id=p, content_object=copy) for copy in copies for g, p in held]
        )
    return copies


def clone_cases(template: ReviewCase, count: int, prefix: str) -> list[ReviewCase]:
    """Copies of a case, each of its own model copy, with the case's agencies, reviewers and
    pending closeout."""
    models = clone(template.model, count, version=lambda i: f"{prefix}{i}")
    cases = clone(template, count, model_id=lambda i: models[i].pk, reference=lambda i: f"CP-{prefix}-{i:04d}")
    related = [
        *template.agency_assignments.all(),
        *template.reviewer_assignments.all(),
        *template.closeouts.filter(state="pending"),
    ]
    for row in related:
        clone(row, count, case_id=lambda i: cases[i].pk)
    return cases


def multiply(world: World, people: dict[str, Any], rows: int) -> None:
    """Bring everything to ``rows``."""
    more, alex, reviewer = rows - 1, people["alex"], people["dod_reviewer"]
    documents = clone(world.document, more, title=lambda i: f"Annex {i + 1}")
    versions = clone(world.document.versions.get(), more, document_id=lambda i: documents[i].pk)
    world.finding.related_versions.add(*versions)
    first = world.document.versions.get()
    clone(first, more, number=lambda i: i + 2, sha256=lambda i: f"{i + 2:064x}")  # the document page's versions
    clone(world.finding, more, state="released", title=lambda i: f"Finding {i + 1}")
    clone(world.government_draft, more, title=lambda i: f"Draft {i + 1}")
    clone(world.finding_comment, more, body=lambda i: f"Finding comment {i + 1}")
    clone(world.finding.responses.get(), more, sent_back_at=timezone.now(), sent_back_by_id=reviewer.pk)
    clone_cases(world.submitted, more, "S")
    clone_cases(world.awaiting_decision, more, "D")
    carried = clone(world.carried, more, title=lambda i: f"Carried {i + 1}")
    row = CarriedForwardFinding.objects.get(closeout=world.closeout)
    clone(row, more, finding_id=lambda i: carried[i].pk)
    clone(world.saved_search, more, name=lambda i: f"Saved {i + 1}")
    # Colleagues: Northwind's liaisons and DoD's reviewers, as the firm and agency pages list them.
    for member in (world.liaison_membership, world.reviewer_membership):
        # Firm and agency memberships are two tables: their ids may coincide, the model name keeps emails apart.
        users = clone(member.user, more, email=lambda i, m=member: f"copy{i}-{m._meta.model_name}{m.pk}@example.test")
        clone(member, more, user_id=lambda i, users=users: users[i].pk)
    # Alex signed in on 50 devices: the list of one's own sessions.
    own_session = SignedInSession.objects.filter(user=alex).first()
    if own_session is not None:  # signed in (the page measurements)
        clone(own_session, more, session_key=lambda i: f"copy{i:036d}")
    clone(world.configuration, more, lineage=lambda i: uuid.uuid4(), name=lambda i: f"Configuration {i + 1}")
    periods = clone(world.period, more, confirmed_by=lambda i: f"Desk {i + 1}")
    interruptions = clone(world.interruption, more)
    clone(world.ledger_comment, more, body=lambda i: f"Noted {i + 1}")
    clone(world.ledger_comment, more, period_id=lambda i: periods[i].pk)
    clone(world.ledger_comment, more, period_id=None, interruption_id=lambda i: interruptions[i].pk)
    clone(world.token, more, prefix=lambda i: f"copy{i:04d}", key_hash=lambda i: f"{i:064d}")
    clone(world.webhook, more, url=lambda i: f"https://hooks.northwind.test/{i + 1}")
    clone(world.delivery, more, event_id=lambda i: f"evt_{i + 1}")
    # Through the service, so that the case's own audit log and timeline grow too.
    for i in range(more):
        finding_services.comment_add(case=world.case, actor=alex, body=f"Case comment {i + 1}")
    for i in range(more):
        firm_create(name=f"Firm {i + 1}", actor=people["coordinator"])
        agency_create(
            code=f"agency{i + 1}", name=f"Agency {i + 1}", short_name=f"A{i + 1}", actor=people["coordinator"]
        )


def pages(world: World) -> dict[str, tuple[str, str]]:
    """What is measured: name -> (who, url)."""
    case, finding, closeout = world.case.pk, world.finding.pk, world.closeout.pk
    return {
        "dashboard, liaison": ("alex", "/"),
        "dashboard, reviewer": ("dod_reviewer", "/"),
        "dashboard, supervisor": ("dod_supervisor", "/"),
        "dashboard, coordinator": ("coordinator", "/"),
        "case list, liaison": ("alex", reverse("cases:list")),
        "case list, reviewer": ("dod_reviewer", reverse("cases:list")),
        "case list, coordinator": ("coordinator", reverse("cases:list")),
        "case list, filtered": ("dod_reviewer", reverse("cases:list") + "?state=closeout_requested&sort=reference"),
        "triage": ("coordinator", reverse("cases:triage")),
        "case detail, liaison": ("alex", reverse("cases:detail", args=[case])),
        "case detail, reviewer": ("dod_reviewer", reverse("cases:detail", args=[case])),
        "case detail, coordinator": ("coordinator", reverse("cases:detail", args=[case])),
        "case history, liaison": ("alex", reverse("cases:history", args=[case])),
        "case history, reviewer": ("dod_reviewer", reverse("cases:history", args=[case])),
        "case history, coordinator": ("coordinator", reverse("cases:history", args=[case])),
        "case audit log": ("coordinator", reverse("cases:audit", args=[case])),
        "finding list, liaison": ("alex", reverse("findings:list")),
        "finding list, reviewer": ("dod_reviewer", reverse("findings:list")),
        "finding detail, liaison": ("alex", reverse("findings:detail", args=[finding])),
        "finding detail, reviewer": ("dod_reviewer", reverse("findings:detail", args=[finding])),
        "closeout detail, supervisor": ("dod_supervisor", reverse("cases:closeout", args=[closeout])),
        "closeout detail, liaison": ("alex", reverse("cases:closeout", args=[closeout])),
        "model list": ("alex", reverse("cases:model_list")),
        "firms": ("coordinator", reverse("firms:list")),
        "firm detail": ("coordinator", reverse("firms:detail", args=[world.liaison_membership.firm_id])),
        "agencies": ("coordinator", reverse("agencies:list")),
        "agency detail": ("coordinator", reverse("agencies:detail", args=[world.reviewer_membership.agency_id])),
        "audit log": ("coordinator", reverse("audit:list")),
        # Below a cursor (here past the newest event), one more query asks whether a newer page exists.
        "audit log, older page": ("coordinator", reverse("audit:list") + f"?before={2**63 - 1}"),
        "own sessions": ("alex", reverse("account_sessions")),
        "search, liaison": ("alex", reverse("search:search") + "?q=comment"),
        "search, reviewer": ("dod_reviewer", reverse("search:search") + "?q=finding"),
        "search, one kind": ("dod_reviewer", reverse("search:search") + "?q=finding&kind=finding"),
        "submit page": ("alex", reverse("cases:submit", args=[case])),
        "case documents, liaison": ("alex", reverse("documents:case_documents", args=[case])),
        "case documents, reviewer": ("dod_reviewer", reverse("documents:case_documents", args=[case])),
        "notifications": ("alex", reverse("notifications:list")),
        "document detail": ("alex", reverse("documents:detail", args=[world.document.pk])),
        "version retract": ("alex", reverse("documents:retract", args=[world.document.pk, 1])),
        "audit log, filtered": (
            "coordinator",
            reverse("audit:list")
            + f"?since=2000-01-01&until=2100-01-01&action=comment.added&case={world.case.reference}",
        ),
        "accounts": ("coordinator", reverse("invitations:accounts")),
        "accounts, filtered": ("coordinator", reverse("invitations:accounts") + "?q=example&role=liaison&mfa=no"),
        "calendar, liaison": ("alex", reverse("planning:calendar") + f"?month={world.case.sharing_date:%Y-%m}"),
        "calendar, reviewer": (
            "dod_reviewer",
            reverse("planning:calendar") + f"?month={world.case.sharing_date:%Y-%m}",
        ),
        "workload": ("dod_supervisor", reverse("planning:workload")),
        "configurations, liaison": ("alex", reverse("configurations:list", args=[case])),
        "configurations, coordinator": ("coordinator", reverse("configurations:list", args=[case])),
        "access ledger, liaison": ("alex", reverse("configurations:ledger", args=[case])),
        "access ledger, reviewer": ("dod_reviewer", reverse("configurations:ledger", args=[case])),
        "sharing attestation, liaison": ("alex", reverse("configurations:attestation", args=[case])),
        "metrics, coordinator": ("coordinator", reverse("metrics:dashboard")),
        "metrics, supervisor": ("dod_supervisor", reverse("metrics:dashboard")),
        "saved searches": ("alex", reverse("search:saved_list")),
        "api tokens": ("alex", reverse("api_pages:tokens")),
        "every live token": ("coordinator", reverse("api_pages:all_tokens")),
        "webhooks": ("alex", reverse("webhooks:list")),
        "webhook deliveries": ("alex", reverse("webhooks:detail", args=[world.webhook.pk])),
        "api case list, liaison": ("alex", reverse("api:cases")),
        "api case list, reviewer": ("dod_reviewer", reverse("api:cases")),
        "api finding list, liaison": ("alex", reverse("api:findings")),
        "api finding list, reviewer": ("dod_reviewer", reverse("api:findings")),
        # Audited reads, last: each writes an audit event, after which the metrics pages' snapshot is
        # older than the newest event (refreshed by beat's sweep; ``measure`` runs it first). Five of
        # their statements append the read to the audit chain.
        "interim report, liaison": ("alex", reverse("records:interim", args=[case])),
        "interim report, reviewer": ("dod_reviewer", reverse("records:interim", args=[case])),
    }


def measure(world: World, clients: dict[str, Any]) -> tuple[dict[str, int], dict[str, list[str]]]:
    # Beat's sweep: the metrics pages read their scope's figures computed ahead (metrics.services).
    metrics_snapshots_refresh_stale()
    counts, sql = {}, {}
    for name, (who, url) in pages(world).items():
        with CaptureQueriesContext(connection) as queries:
            response = clients[who].get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        counts[name] = len(queries)
        sql[name] = [q["sql"] for q in queries.captured_queries]
    return counts, sql


@pytest.fixture
def people(alex, dod_reviewer, dod_supervisor, treasury_supervisor, coordinator):
    return {
        "alex": alex,
        "dod_reviewer": dod_reviewer,
        "dod_supervisor": dod_supervisor,
        "treasury_supervisor": treasury_supervisor,
        "coordinator": coordinator,
    }


@pytest.fixture
def world(people, case) -> World:
    return build(people, case)


@pytest.fixture
def clients(client_for, people) -> dict[str, Any]:
    clients = {who: client_for(user) for who, user in people.items()}
    for client in clients.values():
        client.get("/")  # the session's first request does its own bookkeeping
    return clients


def _difference(one: list[str], fifty: list[str]) -> str:
    """The queries one measurement ran and the other did not (their first 200 characters)."""
    one_set, fifty_set = {q[:200] for q in one}, {q[:200] for q in fifty}
    return "\n".join(
        [f"    only with 1 row:   {q}" for q in sorted(one_set - fifty_set)]
        + [f"    only with {ROWS} rows: {q}" for q in sorted(fifty_set - one_set)]
    )


def test_page_query_counts_are_pinned_and_do_not_grow_with_rows(world, people, clients, unthrottled):
    # Three rounds of every page, the API's among them, pass the liaison's 120 requests a minute:
    # the rate has its own tests; the throttle counts in Redis, not in the database.
    measure(world, clients)  # once to fill the process's caches (content types, permissions)
    with_one, sql_one = measure(world, clients)
    multiply(world, people, ROWS)
    with_fifty, sql_fifty = measure(world, clients)
    grown = {name: (with_one[name], with_fifty[name]) for name in with_one if with_one[name] != with_fifty[name]}
    details = "\n".join(f"  {name}:\n{_difference(sql_one[name], sql_fifty[name])}" for name in grown)
    assert not grown, f"query counts change with the rows (1 row, {ROWS} rows): {grown}\n{details}"
    assert with_one == PINNED
    assert max(with_one.values()) <= 15, "a page runs more than 15 queries"


def test_the_copies_are_seen(world, people):
    """The bulk copies carry the permissions the services gave the first rows: every reader sees 50."""
    multiply(world, people, ROWS)
    alex, reviewer, coordinator = people["alex"], people["dod_reviewer"], people["coordinator"]
    case = world.case
    seen: dict[str, Callable[[], int]] = {
        "liaison's documents": lambda: documents_for(alex).filter(case=case, kind="other").count(),
        "reviewer's documents": lambda: documents_for(reviewer).filter(case=case, kind="other").count(),
        "liaison's findings": lambda: findings_for(alex).filter(case=case, title__startswith="Finding").count(),
        "reviewer's drafts": lambda: findings_for(reviewer).filter(title__startswith="Draft").count(),
        "liaison's finding comments": lambda: comments_for(alex).filter(finding=world.finding).count(),
        "reviewer's case comments": lambda: comments_for(reviewer).filter(case=case, finding=None).count(),
        "responses": lambda: world.finding.responses.count(),
        "triage": lambda: cases_for(coordinator).filter(state="submitted").count(),
        "reviewer's closeouts": lambda: (
            cases_for(reviewer).filter(state="closeout_requested", reviewer_assignments__reviewer=reviewer).count()
        ),
        "carried forward": lambda: findings_for(alex).filter(title__startswith="Carried").count(),
        "liaison's models": lambda: models_for(alex).filter(cases__state="submitted").count(),
        "related versions": lambda: world.finding.related_versions.count(),
        "Northwind's liaisons": lambda: alex.firm_membership.firm.memberships.count(),
        "DoD's reviewers": lambda: reviewer.agency_membership.agency.memberships.filter(role="reviewer").count(),
    }
    assert {name: count() for name, count in seen.items()} == dict.fromkeys(seen, ROWS)
