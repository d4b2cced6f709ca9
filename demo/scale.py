"""Program-scale data for measuring the portal (``manage.py seed_scale``).

The people, firms and memberships are made through the services (a few hundred calls). Cases,
documents, findings, responses, comments, closeouts and the audit log are written in bulk, as the
services would have left them: the same states and fields, the same guardian rows in the direct
permission tables (the audiences of ``cases.audience``, which ``tests/demo/test_scale.py`` checks
row for row against the services' own rules), and audit events appended to the hash chain so that
``verify_audit`` passes. Nobody can sign in with these accounts' passwords (they have none).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import coordinator_appoint
from agencies.models import Agency, AgencyRole
from agencies.services import agency_membership_add
from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import GENESIS_HASH, hash_of
from cases.models import (
    AIModel,
    AIModelGroupObjectPermission,
    CaseAgencyAssignment,
    CaseState,
    Closeout,
    CloseoutDecision,
    CloseoutState,
    Decision,
    ReferenceCounter,
    ReviewCase,
    ReviewCaseGroupObjectPermission,
    ReviewerAssignment,
)
from core.models import Visibility
from core.permissions import coordinators_group
from documents.models import Document, DocumentGroupObjectPermission, DocumentKind, DocumentVersion, Marking
from findings.models import (
    Category,
    Comment,
    CommentGroupObjectPermission,
    Finding,
    FindingGroupObjectPermission,
    FindingResponse,
    FindingState,
    ResponseChoice,
    Severity,
    TargetKind,
)
from firms.models import Firm
from firms.services import firm_create, firm_membership_add

MARKER_FIRM = "Scale Firm 01"
EMAIL_DOMAIN = "scale.test"
BATCH = 5000


@dataclass(frozen=True)
class Sizes:
    firms: int = 20
    users: int = 200
    cases: int = 10_000
    findings: int = 100_000
    comments: int = 83_000
    documents: int = 32_000
    audit: int = 1_000_000


# How the cases spread over the lifecycle (weights).
CASE_STATES = {
    CaseState.DRAFT: 5,
    CaseState.SUBMITTED: 5,
    CaseState.IN_REVIEW: 55,
    CaseState.CLOSEOUT_REQUESTED: 10,
    CaseState.CLOSED: 20,
    CaseState.WITHDRAWN: 5,
}
FINDING_STATES = {
    FindingState.DRAFT: 15,
    FindingState.RELEASED: 40,
    FindingState.FIRM_RESPONDED: 15,
    FindingState.RESOLVED: 25,
    FindingState.WITHDRAWN: 5,
}
VISIBILITIES = {Visibility.AGENCY: 30, Visibility.GOVERNMENT: 30, Visibility.FIRM: 40}
REVIEWED_STATES = {CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED, CaseState.CLOSED, CaseState.WITHDRAWN}


def audience_groups(
    *, firm_group: int, assigned: list[int], agency_group: int | None, visibility: str, released: bool = True
) -> set[int]:
    """``cases.audience.audience`` over group ids: who reads an object of a case."""
    if agency_group is None:
        return {firm_group, *assigned}
    if not released or visibility == Visibility.AGENCY:
        return {agency_group}
    groups = {agency_group, *assigned}
    if visibility == Visibility.FIRM:
        groups.add(firm_group)
    return groups


def already_seeded() -> bool:
    return Firm.objects.filter(name=MARKER_FIRM).exists()


class Seeder:
    def __init__(self, sizes: Sizes, *, seed: int = 11, log: Callable[[str], None] = print) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)  # noqa: S311 (invented data, not secrets)
        self.log = log
        self.started = time.perf_counter()
        self.now = timezone.now()
        self.today = timezone.localdate()

    def say(self, what: str) -> None:
        self.log(f"[{time.perf_counter() - self.started:6.1f} s] {what}")

    def pick(self, weights: dict[Any, int]) -> Any:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # --- people, through the services ----------------------------------------------------------

    def people(self) -> None:
        s = self.sizes
        make = User.objects.create_user
        coordinator_count = max(1, s.users // 40)
        self.coordinators = [make(f"coordinator{n:02d}@{EMAIL_DOMAIN}") for n in range(coordinator_count)]
        for user in self.coordinators:
            user.full_name = f"Coordinator {user.pk}"
            user.save(update_fields=["full_name"])
            coordinator_appoint(user=user, actor=None)
        self.coordinator = self.coordinators[0]
        liaisons_per_firm = max(1, s.users // 2 // s.firms)
        self.firms: list[Firm] = []
        self.liaisons: dict[int, list[User]] = {}
        for f in range(s.firms):
            firm = firm_create(name=MARKER_FIRM if f == 0 else f"Scale Firm {f + 1:02d}", actor=self.coordinator)
            self.firms.append(firm)
            self.liaisons[firm.pk] = []
            for n in range(liaisons_per_firm):
                user = make(f"liaison{n:02d}@firm{f + 1:02d}.{EMAIL_DOMAIN}", full_name=f"Liaison {n} of {firm.name}")
                firm_membership_add(firm=firm, user=user, is_admin=n == 0, actor=self.coordinator)
                self.liaisons[firm.pk].append(user)
        self.agencies = list(Agency.objects.select_related("group").order_by("code"))
        left = s.users - coordinator_count - liaisons_per_firm * s.firms
        per_agency = max(2, left // len(self.agencies))
        self.reviewers: dict[int, list[User]] = {}
        self.supervisors: dict[int, list[User]] = {}
        for agency in self.agencies:
            self.reviewers[agency.pk], self.supervisors[agency.pk] = [], []
            for n in range(per_agency):
                role = AgencyRole.SUPERVISOR if n % 5 == 0 else AgencyRole.REVIEWER
                user = make(f"{role}{n:02d}@{agency.code}.{EMAIL_DOMAIN}", full_name=f"{role.title()} {n} ({agency})")
                agency_membership_add(agency=agency, user=user, role=role, actor=self.coordinator)
                (self.supervisors if role == AgencyRole.SUPERVISOR else self.reviewers)[agency.pk].append(user)
        self.agency_by_id = {a.pk: a for a in self.agencies}
        self.say(f"{User.objects.count()} people in {len(self.firms)} firms and {len(self.agencies)} agencies")

    # --- cases ---------------------------------------------------------------------------------

    def cases(self) -> None:
        s, rng = self.sizes, self.rng
        models = []
        for firm in self.firms:
            for n in range(max(1, s.cases // s.firms // 10)):
                models.append(
                    AIModel(
                        firm=firm,
                        name=f"Model {n}",
                        version=f"{1 + n // 3}.{n % 3}",
                        description="A frontier model offered for review.",
                        modalities=["text"],
                        created_by=self.liaisons[firm.pk][0],
                    )
                )
        self.models = AIModel.objects.bulk_create(models, batch_size=BATCH)
        year = self.today.year
        counter = ReferenceCounter.objects.filter(year=year).values_list("last_number", flat=True).first() or 0
        cases = []
        for n in range(s.cases):
            model = self.models[n % len(self.models)]
            state = self.pick(CASE_STATES)
            sharing = self.today + datetime.timedelta(days=rng.randint(-200, 40))
            access = sharing - datetime.timedelta(days=rng.randint(5, 30))
            submitted = None if state == CaseState.DRAFT else self.now - datetime.timedelta(days=rng.randint(1, 200))
            cases.append(
                ReviewCase(
                    model=model,
                    reference=f"CP-{year}-{counter + n + 1:04d}",
                    state=state,
                    access_date=access,
                    sharing_date=sharing,
                    trusted_partners="Two cloud partners",
                    model_snapshot=f"snap-{n}",
                    safeguard_configuration="Standard classifiers",
                    evaluator_access="API keys through the firm's portal",
                    created_by=self.liaisons[model.firm_id][0],
                    submitted_at=submitted,
                    closed_at=self.now if state == CaseState.CLOSED else None,
                    withdrawn_at=self.now if state == CaseState.WITHDRAWN else None,
                    withdrawal_reason="The firm withdrew the offer." if state == CaseState.WITHDRAWN else "",
                )
            )
        self.cases_ = ReviewCase.objects.bulk_create(cases, batch_size=BATCH)
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last_number": counter + s.cases})
        firm_of_model = {m.pk: m.firm for m in self.models}
        self.firm_of = {c.pk: firm_of_model[c.model_id] for c in self.cases_}
        self.assigned: dict[int, list[Agency]] = {}
        self.team: dict[int, dict[int, list[User]]] = {}
        assignments, reviewers, closeouts = [], [], []
        for case in self.cases_:
            # A withdrawn case may have been withdrawn before or after triage.
            if case.state in REVIEWED_STATES and not (case.state == CaseState.WITHDRAWN and rng.random() < 0.5):
                agencies = rng.sample(self.agencies, rng.randint(1, len(self.agencies)))
                self.assigned[case.pk] = agencies
                self.team[case.pk] = {}
                for agency in agencies:
                    people = rng.sample(self.reviewers[agency.pk], min(2, len(self.reviewers[agency.pk])))
                    assignments.append(
                        CaseAgencyAssignment(
                            case=case, agency=agency, assigned_by=self.coordinator, staffed=bool(people)
                        )
                    )
                    self.team[case.pk][agency.pk] = people
                    for i, reviewer in enumerate(people):
                        reviewers.append(
                            ReviewerAssignment(
                                case=case,
                                reviewer=reviewer,
                                agency=agency,
                                is_lead=i == 0,
                                assigned_by=self.supervisors[agency.pk][0],
                            )
                        )
                if case.state in (CaseState.CLOSEOUT_REQUESTED, CaseState.CLOSED):
                    closeouts.append(
                        Closeout(
                            case=case,
                            requested_by=self.team[case.pk][agencies[0].pk][0],
                            summary="Every released finding is resolved, withdrawn or carried forward.",
                            state=CloseoutState.PENDING
                            if case.state == CaseState.CLOSEOUT_REQUESTED
                            else CloseoutState.APPROVED,
                            decided_at=self.now if case.state == CaseState.CLOSED else None,
                        )
                    )
        CaseAgencyAssignment.objects.bulk_create(assignments, batch_size=BATCH)
        ReviewerAssignment.objects.bulk_create(reviewers, batch_size=BATCH)
        self.closeouts = Closeout.objects.bulk_create(closeouts, batch_size=BATCH)
        decisions = [
            CloseoutDecision(
                closeout=closeout,
                agency=agency,
                supervisor=self.supervisors[agency.pk][0],
                decision=Decision.APPROVED,
            )
            for closeout in self.closeouts
            if closeout.state == CloseoutState.APPROVED
            for agency in self.assigned[closeout.case_id]
        ]
        CloseoutDecision.objects.bulk_create(decisions, batch_size=BATCH)
        self._case_grants()
        self.say(f"{len(self.cases_)} cases, {len(assignments)} agency assignments, {len(self.closeouts)} closeouts")

    def _perm(self, app_label: str, codename: str) -> int:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename).pk

    def _case_grants(self) -> None:
        view_case, change_case = self._perm("cases", "view_reviewcase"), self._perm("cases", "change_reviewcase")
        review_case = self._perm("cases", "review_reviewcase")
        view_model, change_model = self._perm("cases", "view_aimodel"), self._perm("cases", "change_aimodel")
        coordinators = coordinators_group().pk
        rows = []
        for model in self.models:
            group = model.firm.group_id
            rows += [(group, view_model, model.pk), (group, change_model, model.pk)]
        AIModelGroupObjectPermission.objects.bulk_create(
            [AIModelGroupObjectPermission(group_id=g, permission_id=p, content_object_id=o) for g, p, o in rows],
            batch_size=BATCH,
        )
        rows = []
        for case in self.cases_:
            firm_group = self.firm_of[case.pk].group_id
            read_only = case.state in (CaseState.CLOSED, CaseState.WITHDRAWN)
            rows.append((firm_group, view_case, case.pk))
            if not read_only:
                rows.append((firm_group, change_case, case.pk))
            if case.state != CaseState.DRAFT:
                rows.append((coordinators, view_case, case.pk))
            for agency in self.assigned.get(case.pk, []):
                rows.append((agency.group_id, view_case, case.pk))
                if not read_only:
                    rows.append((agency.group_id, review_case, case.pk))
        ReviewCaseGroupObjectPermission.objects.bulk_create(
            [ReviewCaseGroupObjectPermission(group_id=g, permission_id=p, content_object_id=o) for g, p, o in rows],
            batch_size=BATCH,
        )

    def _assigned_groups(self, case_id: int) -> list[int]:
        return [a.group_id for a in self.assigned.get(case_id, [])]

    # --- documents -----------------------------------------------------------------------------

    def documents(self) -> None:
        rng = self.rng
        submitted = [c for c in self.cases_ if c.state != CaseState.DRAFT]
        reviewed = [c for c in self.cases_ if c.pk in self.assigned]
        docs: list[Document] = []
        for case in submitted:  # what submitting needs: a system card and the access instructions
            liaison = self.liaisons[self.firm_of[case.pk].pk][0]
            for kind, title in (
                (DocumentKind.SYSTEM_CARD, "System card"),
                (DocumentKind.ACCESS_INSTRUCTIONS, "Access"),
            ):
                docs.append(Document(case=case, kind=kind, title=title, visibility=Visibility.FIRM, created_by=liaison))
        while len(docs) < self.sizes.documents and reviewed:
            case = rng.choice(reviewed)
            if rng.random() < 0.5:
                agency = rng.choice(self.assigned[case.pk])
                docs.append(
                    Document(
                        case=case,
                        kind=DocumentKind.OTHER,
                        title=f"Working file {len(docs)}",
                        marking=Marking.CUI,
                        agency=agency,
                        visibility=self.pick(VISIBILITIES),
                        created_by=self.team[case.pk][agency.pk][0],
                    )
                )
            else:
                docs.append(
                    Document(
                        case=case,
                        kind=rng.choice([DocumentKind.EVALUATION_REPORT, DocumentKind.RED_TEAM_REPORT]),
                        title=f"Report {len(docs)}",
                        visibility=Visibility.FIRM,
                        created_by=self.liaisons[self.firm_of[case.pk].pk][0],
                    )
                )
        self.documents_ = Document.objects.bulk_create(docs[: self.sizes.documents], batch_size=BATCH)
        versions = []
        for doc in self.documents_:
            content = _file_content(doc.pk)
            digest = hashlib.sha256(content).hexdigest()
            versions.append(
                DocumentVersion(
                    document=doc,
                    number=1,
                    file=f"scale/{digest[:2]}/{digest}.pdf",
                    original_name=f"{doc.title}.pdf",
                    sha256=digest,
                    size=len(content),
                    content_type="application/pdf",
                    uploaded_by_id=doc.created_by_id,
                )
            )
        self.versions = DocumentVersion.objects.bulk_create(versions, batch_size=BATCH)
        view = self._perm("documents", "view_document")
        rows = []
        for doc in self.documents_:
            groups = audience_groups(
                firm_group=self.firm_of[doc.case_id].group_id,
                assigned=self._assigned_groups(doc.case_id),
                agency_group=self.agency_by_id[doc.agency_id].group_id if doc.agency_id else None,
                visibility=doc.visibility,
            )
            rows += [DocumentGroupObjectPermission(group_id=g, permission_id=view, content_object=doc) for g in groups]
        DocumentGroupObjectPermission.objects.bulk_create(rows, batch_size=BATCH)
        self.say(f"{len(self.documents_)} documents, {len(rows)} permission rows")

    # --- findings, responses, comments ---------------------------------------------------------

    def findings(self) -> None:
        rng = self.rng
        reviewed = [c for c in self.cases_ if c.pk in self.assigned]
        findings = []
        for n in range(self.sizes.findings if reviewed else 0):
            case = rng.choice(reviewed)
            agency = rng.choice(self.assigned[case.pk])
            author = rng.choice(self.team[case.pk][agency.pk])
            state = FindingState.DRAFT if case.state == CaseState.WITHDRAWN else self.pick(FINDING_STATES)
            if case.state == CaseState.CLOSED and state in (FindingState.DRAFT, FindingState.RELEASED):
                state = FindingState.RESOLVED
            visibility = self.pick(VISIBILITIES)
            if state == FindingState.FIRM_RESPONDED:
                visibility = Visibility.FIRM  # only the firm answers, and only what it sees
            released = state != FindingState.DRAFT
            safeguard = rng.random() < 0.3
            findings.append(
                Finding(
                    case=case,
                    agency=agency,
                    author=author,
                    title=f"Finding {n}: {rng.choice(['jailbreak', 'uplift', 'exfiltration', 'bypass'])}",
                    description="What was observed, how, and why it matters.",
                    category=rng.choice(Category.values),
                    severity=rng.choice(Severity.values),
                    target_kind=TargetKind.SAFEGUARD if safeguard else TargetKind.MODEL,
                    target_component="input classifier" if safeguard else "",
                    state=state,
                    visibility=visibility,
                    response_due=self.today + datetime.timedelta(days=rng.randint(-30, 30))
                    if released and visibility == Visibility.FIRM
                    else None,
                    released_at=self.now if released else None,
                    released_by=self.supervisors[agency.pk][0] if released else None,
                    resolved_at=self.now if state == FindingState.RESOLVED else None,
                    withdrawn_at=self.now if state == FindingState.WITHDRAWN else None,
                )
            )
        self.findings_ = Finding.objects.bulk_create(findings, batch_size=BATCH)
        responses = [
            FindingResponse(
                finding=f,
                responder=self.liaisons[self.firm_of[f.case_id].pk][0],
                choice=rng.choice(ResponseChoice.values),
                text="The firm's answer.",
            )
            for f in self.findings_
            if f.state == FindingState.FIRM_RESPONDED
        ]
        FindingResponse.objects.bulk_create(responses, batch_size=BATCH)
        view = self._perm("findings", "view_finding")
        self.finding_audience: dict[int, set[int]] = {}
        rows = []
        for f in self.findings_:
            groups = audience_groups(
                firm_group=self.firm_of[f.case_id].group_id,
                assigned=self._assigned_groups(f.case_id),
                agency_group=self.agency_by_id[f.agency_id].group_id,
                visibility=f.visibility,
                released=f.released_at is not None,
            )
            self.finding_audience[f.pk] = groups
            rows += [FindingGroupObjectPermission(group_id=g, permission_id=view, content_object=f) for g in groups]
        FindingGroupObjectPermission.objects.bulk_create(rows, batch_size=BATCH)
        self.say(f"{len(self.findings_)} findings, {len(responses)} responses, {len(rows)} permission rows")

    def comments(self) -> None:
        rng = self.rng
        reviewed = [c for c in self.cases_ if c.pk in self.assigned]
        by_case: dict[int, list[Finding]] = defaultdict(list)
        for f in self.findings_:
            by_case[f.case_id].append(f)
        comments = []
        for _ in range(self.sizes.comments if reviewed else 0):
            case = rng.choice(reviewed)
            finding = rng.choice(by_case[case.pk]) if by_case[case.pk] and rng.random() < 0.6 else None
            if rng.random() < 0.3:  # the firm's: on the case, or on a finding the firm reads
                author, agency, visibility = self.liaisons[self.firm_of[case.pk].pk][0], None, Visibility.FIRM
                if finding is not None and self.firm_of[case.pk].group_id not in self.finding_audience[finding.pk]:
                    finding = None
            else:
                agency = self.agency_by_id[finding.agency_id] if finding else rng.choice(self.assigned[case.pk])
                author = rng.choice(self.team[case.pk][agency.pk])
                visibility = self.pick(VISIBILITIES)
            comments.append(
                Comment(
                    case=case,
                    finding=finding,
                    author=author,
                    agency=agency,
                    body="An annotation.",
                    visibility=visibility,
                )
            )
        self.comments_ = Comment.objects.bulk_create(comments, batch_size=BATCH)
        view = self._perm("findings", "view_comment")
        rows = []
        for c in self.comments_:
            groups = audience_groups(
                firm_group=self.firm_of[c.case_id].group_id,
                assigned=self._assigned_groups(c.case_id),
                agency_group=self.agency_by_id[c.agency_id].group_id if c.agency_id else None,
                visibility=c.visibility,
            )
            if c.finding_id:
                groups &= self.finding_audience[c.finding_id]
            rows += [CommentGroupObjectPermission(group_id=g, permission_id=view, content_object=c) for g in groups]
        CommentGroupObjectPermission.objects.bulk_create(rows, batch_size=BATCH)
        self.say(f"{len(self.comments_)} comments, {len(rows)} permission rows")

    # --- the audit log -------------------------------------------------------------------------

    def _events(self) -> Iterator[tuple[Any, ...]]:
        """(actor, action, target_type, target_id, case_id, data) for what the services would have
        logged, case by case, then downloads until the log has its size."""
        docs_of: dict[int, list[Document]] = defaultdict(list)
        for d in self.documents_:
            docs_of[d.case_id].append(d)
        findings_of: dict[int, list[Finding]] = defaultdict(list)
        for f in self.findings_:
            findings_of[f.case_id].append(f)
        comments_of: dict[int, list[Comment]] = defaultdict(list)
        for c in self.comments_:
            comments_of[c.case_id].append(c)
        for case in self.cases_:
            liaison = self.liaisons[self.firm_of[case.pk].pk][0]
            yield liaison, AuditAction.CASE_CREATED, "cases.reviewcase", case.pk, case.pk, {"reference": case.reference}
            for d in docs_of[case.pk]:
                who = d.created_by_id
                yield who, AuditAction.DOCUMENT_CREATED, "documents.document", d.pk, case.pk, {"kind": d.kind}
            if case.state == CaseState.DRAFT:
                continue
            yield liaison, AuditAction.CASE_SUBMITTED, "cases.reviewcase", case.pk, case.pk, {}
            agencies = self.assigned.get(case.pk)
            if agencies:
                codes = sorted(a.code for a in agencies)
                yield (
                    self.coordinator,
                    AuditAction.CASE_AGENCIES_ASSIGNED,
                    "cases.reviewcase",
                    case.pk,
                    case.pk,
                    {"agencies": codes},
                )
            for f in findings_of[case.pk]:
                yield f.author_id, AuditAction.FINDING_DRAFTED, "findings.finding", f.pk, case.pk, {}
                if f.released_by_id:
                    yield (
                        f.released_by_id,
                        AuditAction.FINDING_RELEASED,
                        "findings.finding",
                        f.pk,
                        case.pk,
                        {"visibility": f.visibility},
                    )
            for c in comments_of[case.pk]:
                yield c.author_id, AuditAction.COMMENT_ADDED, "findings.comment", c.pk, case.pk, {}
            if case.state == CaseState.WITHDRAWN:
                yield liaison, AuditAction.CASE_WITHDRAWN, "cases.reviewcase", case.pk, case.pk, {}
            if case.state == CaseState.CLOSED:
                yield None, AuditAction.CASE_CLOSED, "cases.reviewcase", case.pk, case.pk, {}
        versions = self.versions
        while versions:
            v = self.rng.choice(versions)
            d = v.document
            reader = self.liaisons[self.firm_of[d.case_id].pk][0]
            yield (
                reader,
                AuditAction.DOCUMENT_DOWNLOADED,
                "documents.documentversion",
                v.pk,
                d.case_id,
                {"version": v.number},
            )

    def audit(self) -> int:
        """Append the events to the chain with COPY, under the chain's lock, hashing as they go."""
        target = self.sizes.audit - AuditEvent.objects.count()
        if target <= 0:
            return 0
        labels = dict(User.objects.values_list("pk", "email"))
        start = self.now - datetime.timedelta(days=365)
        step = datetime.timedelta(days=365) / target
        written = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x43_50_41_55])  # audit.services' chain lock
            prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
            columns = "prev_hash, actor_id, actor_label, action, target_type, target_id, case_id, at, ip, data, hash"
            with cursor.cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
                for actor, action, target_type, target_id, case_id, data in self._events():
                    actor_id = actor if isinstance(actor, int) or actor is None else actor.pk
                    fields = (
                        prev,
                        actor_id,
                        labels[actor_id] if actor_id else "system",
                        AuditAction(action).value,
                        target_type,
                        str(target_id),
                        case_id,
                        start + step * written,
                        None,
                        data,
                    )
                    digest = hash_of(*fields)
                    copy.write_row((*fields[:9], _json(data), digest))
                    prev = digest
                    written += 1
                    if written >= target:
                        break
        self.say(f"{written} audit events appended to the chain")
        return written

    def files(self) -> None:
        """Each version's bytes in the document storage, under the name and with the sha256 its row
        records: downloads serve them and ``verify_documents`` finds every one intact."""
        written = 0
        for version in self.versions:
            if not default_storage.exists(version.file.name):
                stored = default_storage.save(version.file.name, ContentFile(_file_content(version.document_id)))
                if stored != version.file.name:  # the storage chose another name: say so rather than mislead
                    raise RuntimeError(f"The storage stored {version.file.name} as {stored}.")
                written += 1
        self.say(f"{written} document files stored ({len(self.versions) - written} were there already)")

    def run(self) -> None:
        with transaction.atomic():
            self.people()
            self.cases()
            self.documents()
            self.findings()
            self.comments()
        self.files()
        self.audit()
        with connection.cursor() as cursor:
            # As autovacuum would leave the tables: statistics, and the visibility map that lets
            # counts read the permission indexes alone (VACUUM cannot run inside a transaction).
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.say("vacuumed and analyzed")


def _file_content(document_id: int) -> bytes:
    """The bytes of a scale document's one version: a PDF header and trailer around its name."""
    return f"%PDF-1.4\n% Checkpoint scale data: document {document_id}, version 1\n%%EOF\n".encode()


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True)
