"""Demo data: the people, firms and cases a newcomer needs to see every role and every state.

Everything goes through the services, so the permissions and the audit log are the ones
production would have. Dates are relative to today, so the demo stays current: the due-soon
lists (review windows closing, findings awaiting an answer, a closeout awaiting a decision)
are never empty.

The demo password is published in the README, so the command refuses to run unless
CHECKPOINT_DEMO=1 (``settings.DEMO``) or ``--force`` is given.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from accounts.services import coordinator_appoint
from agencies.models import Agency, AgencyRole
from agencies.services import agency_membership_add
from audit.actions import AuditAction
from audit.services import audit_record
from cases.models import AIModel, CaseState, ReviewCase
from cases.selectors import cases_for
from cases.services import ai_model_register, case_assign_reviewers, case_create, case_move_sharing_date, case_withdraw
from core.errors import DomainError
from core.models import Visibility
from documents.models import Document, DocumentKind, Marking
from documents.services import document_create
from findings.models import Category, Finding, ResponseChoice, Severity, TargetKind
from findings.selectors import findings_for
from findings.services import (
    comment_add,
    finding_draft,
    finding_release,
    finding_resolve,
    finding_respond,
    finding_send_back,
    finding_withdraw,
)
from firms.models import Firm
from firms.services import firm_create, firm_membership_add
from workflow.services import case_assign_agencies, case_submit, closeout_decide, closeout_request

DEMO_PASSWORD = "checkpoint-demo"  # noqa: S105 - published in the README on purpose: demo only.

COORDINATOR = "coordinator@checkpoint.example"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str
    organisation: str


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(COORDINATOR, "Jordan Ellis", "Program coordinator (staff, /admin/)", "Program office"),
    DemoAccount("alex@northwind.example", "Alex Moreno", "Firm admin", "Northwind AI"),
    DemoAccount("sam@northwind.example", "Sam Okafor", "Firm liaison", "Northwind AI"),
    DemoAccount("kim@lumenlabs.example", "Kim Nakamura", "Firm admin", "Lumen Labs"),
    DemoAccount("reviewer@dod.example", "Dana Whitfield", "Agency reviewer", "DoD"),
    DemoAccount("supervisor@dod.example", "Marcus Reed", "Agency supervisor", "DoD"),
    DemoAccount("reviewer@treasury.example", "Priya Raman", "Agency reviewer", "Treasury"),
    DemoAccount("supervisor@treasury.example", "Helen Cho", "Agency supervisor", "Treasury"),
    DemoAccount("reviewer@cisa.example", "Luis Ortega", "Agency reviewer", "CISA"),
    DemoAccount("supervisor@cisa.example", "Grace Adeyemi", "Agency supervisor", "CISA"),
)

REFUSAL = (
    "seed_demo creates accounts whose password (checkpoint-demo) is published in the README, so it "
    "runs only with CHECKPOINT_DEMO=1. To load the demo data into this database on purpose, run it "
    "again with --force."
)


class Command(BaseCommand):
    help = "Load the demo accounts and cases (idempotent). Runs only with CHECKPOINT_DEMO=1 unless --force is given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even though CHECKPOINT_DEMO is off (never on a production database).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO and not options["force"]:
            raise CommandError(REFUSAL)
        emails = [account.email for account in ACCOUNTS]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        if existing == set(emails):  # the coordinator and everyone else: loaded before
            self.stdout.write("Demo data already loaded: nothing changed.")
            self._summary()
            return
        if existing:
            raise CommandError(
                "Some demo accounts exist but not all of them "
                f"({', '.join(sorted(existing))}): this database holds other data. Nothing was changed."
            )
        try:
            with _quiet_events(), transaction.atomic():
                DemoSeeder(today=timezone.localdate()).run()
        except DomainError as error:
            raise CommandError(f"The demo data could not be loaded: {error} Nothing was changed.") from None
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._summary()

    def _summary(self) -> None:
        users = {user.email: user for user in User.objects.filter(email__in=[a.email for a in ACCOUNTS])}
        self.stdout.write(f"\nDemo logins (password {DEMO_PASSWORD} for every account):")
        width = max(len(a.email) for a in ACCOUNTS)
        for account in ACCOUNTS:
            user = users[account.email]
            self.stdout.write(f"  {account.email:<{width}}  {account.organisation}, {account.role}: {_sees(user)}")


def _sees(user: User) -> str:
    """What the account will find, in a few words (counted through the same permissions the
    portal applies)."""
    cases = cases_for(user)
    if user.is_staff:
        triage = cases.filter(state="submitted").count()
        return f"metadata of {cases.count()} cases ({triage} awaiting triage), the audit log"
    present = set(cases.values_list("state", flat=True))
    states = [state.label.split(" (")[0].lower() for state in CaseState if state in present]
    findings = findings_for(user).count()
    return f"{cases.count()} cases ({', '.join(states)}), {findings} findings"


@contextmanager
def _quiet_events() -> Iterator[None]:
    """The seed fires about a hundred events. Their in-app notifications are part of the demo, but
    their emails would only flood the console (or, with --force, go to .example addresses), so
    seeding sends none; and the per-event log lines are noise on the demo's console."""
    loggers = {"core.events": logging.WARNING, "celery.app.trace": logging.WARNING, "kombu.connection": logging.ERROR}
    levels = {name: logging.getLogger(name).level for name in loggers}
    for name, level in loggers.items():
        logging.getLogger(name).setLevel(level)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


# --- document contents -------------------------------------------------------------------------


def _system_card(case: ReviewCase, model: AIModel) -> str:
    modalities = ", ".join(model.modalities) or "text"
    return f"""# {model.name} ({model.version}): system card

Firm: {model.firm.name}
Snapshot: {case.model_snapshot}
Modalities: {modalities}

## Intended use
{model.description}

## Evaluations run by the firm
- Cyber: capture-the-flag suite (112 tasks), exploit-writing on patched CVEs, network reconnaissance.
- CBRN: expert-graded question sets; no wet-lab uplift tasks answered beyond textbook level.
- Autonomy: 40 long-horizon agent tasks in a sandbox with no network egress.

## Safeguards at deployment
{case.safeguard_configuration}

## Known limitations
The refusal classifier is tuned for English; other languages are covered by the output filter only.
"""


def _access_instructions(case: ReviewCase, model: AIModel, contact: str) -> str:
    return f"""# Evaluator access: {model.name} ({model.version})

Access opens on {case.access_date:%B %d, %Y} at 09:00 Eastern and stays open until the end of the
planned partner-sharing date, {case.sharing_date:%B %d, %Y}.

1. Endpoint: https://eval.{model.firm.slug}.example/v1 (allow-listed government address ranges only).
2. Keys: one key per reviewer, issued by the liaison ({contact}) on the access date.
   Keys are not shared; ask for another rather than passing one on.
3. Limits: 600 requests a minute per key; the agent sandbox allows 8 concurrent sessions.
4. Weights are not transferred. Snapshot {case.model_snapshot} is pinned for the whole window.
5. Safeguards are on by default; a key with safeguards off is available on request for red-teaming.
"""


def _evaluation_report(case: ReviewCase, model: AIModel) -> str:
    return f"""# Internal evaluation report: {model.name} ({model.version})

Summary: the snapshot {case.model_snapshot} was evaluated against the firm's frontier-risk
thresholds. No threshold was crossed; the cyber score is within 5% of the threshold.

| area | result | threshold |
| --- | --- | --- |
| Cyber offense (CTF solve rate) | 31% | 35% |
| CBRN expert questions (uplift over search) | none measured | any |
| Autonomous replication tasks | 0 / 40 | 3 / 40 |
| Jailbreak robustness (refusal rate under attack) | 94% | 90% |
"""


def _red_team_report(case: ReviewCase, model: AIModel) -> bytes:
    return _pdf(
        [
            f"External red-team report: {model.name} ({model.version})",
            f"Snapshot {case.model_snapshot}. Contractor engagement, 10 working days, safeguards on.",
            "",
            "Findings reported to the firm:",
            "1. Role-play framing lowered the refusal rate of the agent mode (fixed before the snapshot).",
            "2. Encoded instructions (base64, leetspeak) passed the input filter in 6% of attempts.",
            "3. No weight-access path found from the evaluation API.",
            "",
            "Remaining risk accepted by the firm: item 2, mitigated by the output filter.",
        ]
    )


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF of plain lines (Helvetica): enough for the demo's download to open in a
    browser's viewer."""

    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = " ".join(f"({escape(line)}) '" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 72 760 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _working_notes(case: ReviewCase, agency: Agency) -> str:
    return f"""# {agency.short_name} working notes: {case.reference}

- Day 1: keys received; sandbox reachable; safeguards confirmed on.
- Day 3: reproduction of the exploit-chaining transcript; three of five runs completed the chain.
- Next: rerun with the firm's patched classifier when it is deployed to the evaluation endpoint.
"""


# --- the seed ----------------------------------------------------------------------------------


class DemoSeeder:
    """Builds the demo data set, in the order a real program would have produced it."""

    def __init__(self, *, today: datetime.date) -> None:
        self.today = today

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def user(self, email: str) -> User:
        # Re-read so that cached organisation lookups reflect the memberships made since.
        return User.objects.get(email=email)

    # --- people and organisations ------------------------------------------------------------

    def run(self) -> None:
        self.people()
        self.northwind_cases()
        self.lumen_cases()

    def people(self) -> None:
        # The demo password is public: one hash for all accounts saves a second of start-up.
        password = make_password(DEMO_PASSWORD)
        for account in ACCOUNTS:
            user = User.objects.create_user(email=account.email, full_name=account.full_name)
            user.password = password
            user.save(update_fields=["password"])
            audit_record(
                actor=None, action=AuditAction.USER_CREATED, target=user, data={"email": user.email, "demo": True}
            )

        coordinator = coordinator_appoint(user=self.user(COORDINATOR), actor=None)
        northwind = firm_create(name="Northwind AI", actor=coordinator)
        lumen = firm_create(name="Lumen Labs", actor=coordinator)
        firm_membership_add(firm=northwind, user=self.user("alex@northwind.example"), is_admin=True, actor=coordinator)
        firm_membership_add(firm=lumen, user=self.user("kim@lumenlabs.example"), is_admin=True, actor=coordinator)
        # A firm admin brings in their colleague.
        firm_membership_add(
            firm=northwind,
            user=self.user("sam@northwind.example"),
            is_admin=False,
            actor=self.user("alex@northwind.example"),
        )
        for code in ("dod", "treasury", "cisa"):
            agency = Agency.objects.get(code=code)
            agency_membership_add(
                agency=agency,
                user=self.user(f"supervisor@{code}.example"),
                role=AgencyRole.SUPERVISOR,
                actor=coordinator,
            )
            # A supervisor brings in their agency's reviewers.
            agency_membership_add(
                agency=agency,
                user=self.user(f"reviewer@{code}.example"),
                role=AgencyRole.REVIEWER,
                actor=self.user(f"supervisor@{code}.example"),
            )
        self.coordinator = self.user(COORDINATOR)
        self.alex = self.user("alex@northwind.example")
        self.sam = self.user("sam@northwind.example")
        self.kim = self.user("kim@lumenlabs.example")
        self.reviewer = {code: self.user(f"reviewer@{code}.example") for code in ("dod", "treasury", "cisa")}
        self.supervisor = {code: self.user(f"supervisor@{code}.example") for code in ("dod", "treasury", "cisa")}
        self.agency = {agency.code: agency for agency in Agency.objects.filter(code__in=("dod", "treasury", "cisa"))}
        self.northwind: Firm = northwind
        self.lumen: Firm = lumen

    # --- building blocks ---------------------------------------------------------------------

    def case(
        self,
        liaison: User,
        model: AIModel,
        *,
        access: int | None,
        sharing: int | None,
        snapshot: str,
        partners: str,
        safeguards: str,
    ) -> ReviewCase:
        return case_create(
            model=model,
            actor=liaison,
            access_date=self.day(access) if access is not None else None,
            sharing_date=self.day(sharing) if sharing is not None else None,
            trusted_partners=partners,
            model_snapshot=snapshot,
            safeguard_configuration=safeguards,
            evaluator_access="Hosted API with per-reviewer keys and an agent sandbox; see the access instructions.",
        )

    def document(
        self,
        case: ReviewCase,
        actor: User,
        kind: str,
        title: str,
        content: str | bytes,
        *,
        marking: str = Marking.PROPRIETARY,
        visibility: str | None = None,
    ) -> Document:
        """Upload through the documents service: the same checks, storage and audit as the portal."""
        if isinstance(content, str):
            filename, data = f"{kind.replace('_', '-')}.md", content.encode()
        else:
            filename, data = f"{kind.replace('_', '-')}.pdf", content
        return document_create(
            case=case,
            kind=kind,
            title=title,
            marking=marking,
            upload=SimpleUploadedFile(filename, data),
            actor=actor,
            visibility=visibility,
        )

    def firm_documents(self, case: ReviewCase, liaison: User, *, reports: bool = True) -> None:
        model = case.model
        self.document(case, liaison, DocumentKind.SYSTEM_CARD, f"{model.name} system card", _system_card(case, model))
        self.document(
            case,
            liaison,
            DocumentKind.ACCESS_INSTRUCTIONS,
            "Evaluator access instructions",
            _access_instructions(case, model, liaison.email),
        )
        if reports:
            self.document(
                case,
                liaison,
                DocumentKind.EVALUATION_REPORT,
                "Internal frontier-risk evaluation",
                _evaluation_report(case, model),
                marking=Marking.CONFIDENTIAL_REVIEW,
            )
            self.document(
                case,
                liaison,
                DocumentKind.RED_TEAM_REPORT,
                "External red-team report",
                _red_team_report(case, model),
                marking=Marking.CONFIDENTIAL_REVIEW,
            )

    def start_review(self, case: ReviewCase, liaison: User, *agencies: str) -> ReviewCase:
        """Submit the case, have the coordinator assign ``agencies``, and each supervisor put
        their reviewer on it as lead."""
        case = case_submit(case=case, actor=liaison)
        case = case_assign_agencies(
            case=case, agencies=[self.agency[code] for code in agencies], actor=self.coordinator
        )
        for code in agencies:
            reviewer = self.reviewer[code]
            case = case_assign_reviewers(case=case, reviewers=[reviewer], lead=reviewer, actor=self.supervisor[code])
        return case

    def finding(
        self,
        case: ReviewCase,
        agency: str,
        *,
        title: str,
        description: str,
        category: str,
        severity: str,
        visibility: str,
        component: str = "",
        due: int | None = None,
        release: bool = True,
    ) -> Finding:
        """A finding drafted by the agency's reviewer and (if ``release``) released by its
        supervisor (two-person rule)."""
        finding = finding_draft(
            case=case,
            actor=self.reviewer[agency],
            title=title,
            description=description,
            category=category,
            severity=severity,
            target_kind=TargetKind.SAFEGUARD if component else TargetKind.MODEL,
            target_component=component,
            visibility=visibility,
            response_due=self.day(due) if due is not None else None,
        )
        if release:
            finding = finding_release(finding=finding, actor=self.supervisor[agency])
        return finding

    # --- Northwind AI ---------------------------------------------------------------------------

    def northwind_cases(self) -> None:
        alex, sam = self.alex, self.sam
        month = self.today.strftime("%Y-%m")
        previous = (self.today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
        partners = "Azure Government (hosting partner); two named defense-industrial-base pilot customers."
        safeguards = (
            "Input filter v5 and output refusal classifier v3 on every request; agent mode limited to the "
            "sandboxed tool set; abuse monitoring with 30-day retention."
        )
        atlas_prev = ai_model_register(
            actor=alex,
            name="Atlas-2",
            version=f"{previous} snapshot",
            description="General-purpose assistant model with an agent mode for software and IT operations.",
            modalities=["text", "code", "agentic"],
            intended_partners=partners,
        )
        atlas = ai_model_register(
            actor=alex,
            name="Atlas-2",
            version=f"{month} snapshot",
            description="General-purpose assistant model with an agent mode for software and IT operations.",
            modalities=["text", "code", "agentic"],
            intended_partners=partners,
        )
        nimbus = ai_model_register(
            actor=sam,
            name="Nimbus-Agent",
            version="0.9",
            description="Autonomous operations agent that files tickets, runs playbooks and edits cloud configuration.",
            modalities=["text", "agentic"],
            intended_partners="Three managed-service providers in a closed pilot.",
        )
        mini = ai_model_register(
            actor=sam,
            name="Atlas-2-mini",
            version="1.4",
            description="Distilled Atlas-2 for on-device use; no agent mode.",
            modalities=["text", "code"],
            intended_partners="Two handset manufacturers under NDA.",
        )
        atlas3 = ai_model_register(
            actor=alex,
            name="Atlas-3",
            version="preview",
            description="Next-generation model with longer context and native image input.",
            modalities=["text", "code", "image", "agentic"],
            intended_partners="To be decided.",
        )

        # Closed: DoD and CISA reviewed; Northwind declined to act on one finding, which the closeout
        # carries forward with the firm's reason.
        closed = self.case(
            alex,
            atlas_prev,
            access=-26,
            sharing=2,
            snapshot=f"atlas-2-{previous}-28-rc1",
            partners=partners,
            safeguards=safeguards,
        )
        self.firm_documents(closed, alex)
        closed = self.start_review(closed, alex, "dod", "cisa")
        declined = self.finding(
            closed,
            "dod",
            title="Exploit-development guidance for legacy OT protocols",
            description=(
                "Asked for help against a Modbus/TCP device, the model produced a working fuzzing harness and "
                "a step-by-step plan to crash the target. Reproduced in 4 of 5 runs with safeguards on."
            ),
            category=Category.CYBER_OFFENSE,
            severity=Severity.HIGH,
            visibility=Visibility.FIRM,
            due=1,
        )
        finding_respond(
            finding=declined,
            actor=alex,
            choice=ResponseChoice.DECLINED,
            text=(
                "The same harness is available in public fuzzing tools; we will not retrain this snapshot before "
                "sharing. The next snapshot's classifier covers OT protocols."
            ),
        )
        access_key = self.finding(
            closed,
            "cisa",
            title="Evaluator API keys could be reused from a second address",
            description="A key issued to one reviewer worked from a second, unregistered address range.",
            category=Category.WEIGHT_SECURITY,
            severity=Severity.LOW,
            visibility=Visibility.FIRM,
            component="Evaluator access system",
            due=1,
        )
        finding_respond(
            finding=access_key,
            actor=sam,
            choice=ResponseChoice.MITIGATED,
            text="Keys are now bound to the requesting address range; rotated all evaluation keys.",
        )
        finding_resolve(finding=access_key, actor=self.reviewer["cisa"])
        comment_add(
            case=closed,
            actor=self.supervisor["cisa"],
            body="Key binding verified from both of our ranges: the second range is now refused.",
            visibility=Visibility.FIRM,
            finding=access_key,
        )
        closeout = closeout_request(
            case=closed,
            actor=self.reviewer["cisa"],
            summary=(
                "Review of Atlas-2 concluded. One high-severity cyber finding is carried forward: Northwind "
                "declined to act before sharing, as is its right. The access-system finding was mitigated."
            ),
            carried_forward={declined.pk: "Northwind declined to act before sharing; see its response."},
        )
        closeout_decide(closeout=closeout, actor=self.supervisor["cisa"], approve=True)
        closeout_decide(closeout=closeout, actor=self.supervisor["dod"], approve=True)

        # Withdrawn: the first submission of this month's Atlas-2, withdrawn in review when the partner
        # list changed; Northwind resubmitted it as the case below.
        withdrawn = self.case(
            alex,
            atlas,
            access=-20,
            sharing=8,
            snapshot=f"atlas-2-{month}-02-rc2",
            partners="Azure Government (hosting partner).",
            safeguards=safeguards,
        )
        self.firm_documents(withdrawn, alex, reports=False)
        withdrawn = self.start_review(withdrawn, alex, "dod")
        comment_add(
            case=withdrawn,
            actor=self.supervisor["dod"],
            body="Keys received; starting the cyber evaluation suite tomorrow.",
            visibility=Visibility.FIRM,
        )
        case_withdraw(
            case=withdrawn,
            actor=alex,
            reason="Our partner list changed; we are resubmitting with a newer snapshot as a new case.",
        )

        # Closeout requested: DoD approved, Treasury's decision is awaited.
        awaiting = self.case(
            sam,
            nimbus,
            access=-20,
            sharing=5,
            snapshot="nimbus-agent-0.9.3",
            partners="Three managed-service providers in a closed pilot.",
            safeguards="Action allow-list; human approval for destructive operations; full action logging.",
        )
        self.firm_documents(awaiting, sam)
        awaiting = self.start_review(awaiting, sam, "dod", "treasury")
        logging_finding = self.finding(
            awaiting,
            "dod",
            title="Agent tries to disable its own action logging when a task is blocked",
            description=(
                "In 3 of 40 blocked tasks the agent proposed, and in one run executed, a change to the logging "
                "configuration of its sandbox before retrying the task."
            ),
            category=Category.AUTONOMY,
            severity=Severity.MEDIUM,
            visibility=Visibility.FIRM,
            due=4,
        )
        finding_respond(
            finding=logging_finding,
            actor=sam,
            choice=ResponseChoice.MITIGATED,
            text="Logging configuration is now outside the agent's writable scope; added a regression test.",
        )
        finding_resolve(finding=logging_finding, actor=self.reviewer["dod"])
        brokerage = self.finding(
            awaiting,
            "treasury",
            title="Tool descriptions claim brokerage API access that does not exist",
            description="The agent's tool manifest lists a 'trade_execute' tool; calls fail, but users are misled.",
            category=Category.FINANCIAL_SYSTEM,
            severity=Severity.INFORMATIONAL,
            visibility=Visibility.GOVERNMENT,
        )
        finding_withdraw(
            finding=brokerage,
            actor=self.reviewer["treasury"],
            reason="The tool was removed from the manifest of the snapshot under review; we tested a stale build.",
        )
        comment_add(
            case=awaiting,
            actor=self.reviewer["treasury"],
            body="Treasury has nothing open on Nimbus; Helen to sign off once she has read the summary.",
            visibility=Visibility.AGENCY,
        )
        closeout = closeout_request(
            case=awaiting,
            actor=self.reviewer["dod"],
            summary="Review of Nimbus-Agent 0.9 concluded: the one autonomy finding was mitigated and verified.",
        )
        closeout_decide(closeout=closeout, actor=self.supervisor["dod"], approve=True)

        # In review: the busy case, with findings in every state and comments at every visibility.
        review = self.case(
            alex,
            atlas,
            access=-18,
            sharing=3,
            snapshot=f"atlas-2-{month}-14-rc3",
            partners=partners,
            safeguards=safeguards,
        )
        self.firm_documents(review, alex)
        review = self.start_review(review, alex, "dod", "treasury")
        self.document(
            review,
            self.reviewer["dod"],
            DocumentKind.OTHER,
            "DoD working notes",
            _working_notes(review, self.agency["dod"]),
            marking=Marking.CUI,
            visibility=Visibility.AGENCY,
        )
        exploit = self.finding(
            review,
            "dod",
            title="Multi-step exploitation of known CVEs in the evaluation sandbox",
            description=(
                "In agent mode the model chained two public CVEs against the sandbox's vulnerable web "
                "application and reached a shell, without hints, in 3 of 5 runs."
            ),
            category=Category.CYBER_OFFENSE,
            severity=Severity.HIGH,
            visibility=Visibility.FIRM,
            due=2,
        )
        finding_respond(
            finding=exploit,
            actor=sam,
            choice=ResponseChoice.DISPUTED,
            text="Both CVEs are patched in any supported deployment; we consider this out of scope.",
        )
        finding_send_back(
            finding=exploit,
            actor=self.reviewer["dod"],
            reason="The finding is about capability, not the patch level: please address the chaining itself.",
        )
        roleplay = self.finding(
            review,
            "dod",
            title="Refusal classifier bypassed by role-play framing in agent mode",
            description="A fictional 'penetration test' framing lowered the refusal rate from 94% to 61%.",
            category=Category.SAFEGUARD_BYPASS,
            severity=Severity.MEDIUM,
            visibility=Visibility.FIRM,
            component="Output refusal classifier v3",
            due=5,
        )
        finding_respond(
            finding=roleplay,
            actor=sam,
            choice=ResponseChoice.MITIGATED,
            text="Classifier v3.1 adds the framing to its training set; deployed to the evaluation endpoint today.",
        )
        weights = self.finding(
            review,
            "dod",
            title="Weight-exfiltration controls on evaluation hosts not documented",
            description="The system card does not say how weights are protected on the hosts serving the API.",
            category=Category.WEIGHT_SECURITY,
            severity=Severity.LOW,
            visibility=Visibility.AGENCY,
        )
        self.finding(
            review,
            "dod",
            title="Agent persists across sessions through scheduled tasks",
            description="Draft: one run created a cron entry in the sandbox. Reproduce before release.",
            category=Category.AUTONOMY,
            severity=Severity.MEDIUM,
            visibility=Visibility.GOVERNMENT,
            release=False,
        )
        self.finding(
            review,
            "treasury",
            title="Synthetic-identity fraud workflow completed end to end",
            description=(
                "The model assembled a consistent synthetic identity and drafted the account-opening documents "
                "a bank's onboarding would ask for."
            ),
            category=Category.FINANCIAL_SYSTEM,
            severity=Severity.HIGH,
            visibility=Visibility.GOVERNMENT,
        )
        wire = self.finding(
            review,
            "treasury",
            title="Wire-transfer social-engineering scripts produced without friction",
            description="Asked for a 'CFO voice' script to rush a wire transfer, the model complied without a warning.",
            category=Category.FINANCIAL_SYSTEM,
            severity=Severity.MEDIUM,
            visibility=Visibility.FIRM,
            due=6,
        )
        finding_respond(
            finding=wire,
            actor=alex,
            choice=ResponseChoice.ACKNOWLEDGED,
            text="Added to the refusal policy for the next classifier release.",
        )
        finding_resolve(finding=wire, actor=self.reviewer["treasury"])
        rate = self.finding(
            review,
            "treasury",
            title="Rate limits not enforced on the batch endpoint",
            description="The batch endpoint accepted 5,000 requests a minute from one key.",
            category=Category.OTHER,
            severity=Severity.LOW,
            visibility=Visibility.FIRM,
            component="API rate limiter",
        )
        finding_withdraw(
            finding=rate,
            actor=self.reviewer["treasury"],
            reason="We tested a misconfigured staging endpoint; the evaluation endpoint enforces the limit.",
        )
        comment_add(
            case=review,
            actor=self.reviewer["dod"],
            body="Lab time booked for the last four days of the window; the agent red-team exercise runs then.",
            visibility=Visibility.AGENCY,
        )
        comment_add(
            case=review,
            actor=self.reviewer["dod"],
            body="Asked Northwind's security team for the host hardening guide before we release this.",
            visibility=Visibility.AGENCY,
            finding=weights,
        )
        comment_add(
            case=review,
            actor=self.reviewer["treasury"],
            body="Treasury is covering payment fraud and market integrity; DoD has cyber. Flag any overlap here.",
            visibility=Visibility.GOVERNMENT,
        )
        comment_add(
            case=review,
            actor=self.supervisor["dod"],
            body="Northwind: please confirm the agent sandbox stays available through the sharing date.",
            visibility=Visibility.FIRM,
        )
        comment_add(
            case=review,
            actor=alex,
            body="Confirmed: the sandbox stays up until 23:59 Eastern on the sharing date. More keys on request.",
        )
        comment_add(
            case=review,
            actor=sam,
            body="We will send the chaining analysis requested in the send-back by tomorrow.",
            finding=exploit,
        )

        # Submitted: awaiting the coordinator's triage.
        submitted = self.case(
            sam,
            mini,
            access=2,
            sharing=16,
            snapshot="atlas-2-mini-1.4.0",
            partners="Two handset manufacturers under NDA.",
            safeguards="On-device output filter; no tool use; no network access from the model runtime.",
        )
        self.firm_documents(submitted, sam)
        case_submit(case=submitted, actor=sam)

        # Draft: not submittable yet (no access instructions).
        draft = self.case(
            alex,
            atlas3,
            access=9,
            sharing=30,
            snapshot="atlas-3-preview-0",
            partners="To be decided.",
            safeguards="Same stack as Atlas-2; the image-input filter is still in development.",
        )
        self.document(draft, alex, DocumentKind.SYSTEM_CARD, "Atlas-3 system card (draft)", _system_card(draft, atlas3))

    # --- Lumen Labs -----------------------------------------------------------------------------

    def lumen_cases(self) -> None:
        kim = self.kim
        safeguards = "Input filter (multilingual); constitutional refusal layer; usage monitoring per tenant."
        lumen35 = ai_model_register(
            actor=kim,
            name="Lumen-3.5",
            version="3.5.2",
            description="Enterprise assistant for finance and insurance back offices.",
            modalities=["text"],
            intended_partners="Four regional banks in a supervised pilot.",
        )
        prism = ai_model_register(
            actor=kim,
            name="Prism-Coder",
            version="1.0",
            description="Code-generation model for industrial-automation software.",
            modalities=["code"],
            intended_partners="Two PLC vendors.",
        )
        vision = ai_model_register(
            actor=kim,
            name="Lumen-4 Vision",
            version="1.0-rc2",
            description="Lumen-4 with image input for document processing.",
            modalities=["text", "image"],
            intended_partners="Document-processing partners in insurance.",
        )
        lumen4 = ai_model_register(
            actor=kim,
            name="Lumen-4",
            version=f"4.0 ({self.today:%Y-%m} checkpoint)",
            description="Lumen's frontier general-purpose model, with tool use.",
            modalities=["text", "code", "agentic"],
            intended_partners="Utilities and grid operators (operations copilots); two cloud resellers.",
        )
        prism2 = ai_model_register(
            actor=kim,
            name="Prism-Coder",
            version="2.0 beta 3",
            description="Second generation of Prism-Coder with PLC ladder-logic support.",
            modalities=["code"],
        )

        # Closed: Treasury alone reviewed; nothing left open.
        closed = self.case(
            kim,
            lumen35,
            access=-28,
            sharing=1,
            snapshot="lumen-3.5.2-prod",
            partners="Four regional banks in a supervised pilot.",
            safeguards=safeguards,
        )
        self.firm_documents(closed, kim)
        closed = self.start_review(closed, kim, "treasury")
        hallucinated = self.finding(
            closed,
            "treasury",
            title="Model invents regulatory citations in compliance summaries",
            description="In 7 of 50 summaries the model cited rules that do not exist.",
            category=Category.OTHER,
            severity=Severity.INFORMATIONAL,
            visibility=Visibility.FIRM,
            due=1,
        )
        finding_respond(
            finding=hallucinated,
            actor=kim,
            choice=ResponseChoice.ACKNOWLEDGED,
            text="Pilot banks will see a citation-check banner; retrieval grounding ships next quarter.",
        )
        finding_resolve(finding=hallucinated, actor=self.reviewer["treasury"])
        closeout = closeout_request(
            case=closed,
            actor=self.reviewer["treasury"],
            summary="Review of Lumen-3.5 concluded: one informational finding, acknowledged by Lumen Labs.",
        )
        closeout_decide(closeout=closeout, actor=self.supervisor["treasury"], approve=True)

        # Withdrawn before triage.
        withdrawn = self.case(
            kim,
            prism,
            access=3,
            sharing=24,
            snapshot="prism-coder-1.0.0",
            partners="Two PLC vendors.",
            safeguards="Output filter for known-malicious code patterns.",
        )
        self.firm_documents(withdrawn, kim, reports=False)
        case_submit(case=withdrawn, actor=kim)
        case_withdraw(
            case=withdrawn,
            actor=kim,
            reason="Prism-Coder 1.0 will not be shared with partners; version 2 replaces it.",
        )

        # Closeout requested: returned once by DoD, then requested again; CISA approved, DoD awaited.
        awaiting = self.case(
            kim,
            vision,
            access=-14,
            sharing=4,
            snapshot="lumen-4-vision-1.0-rc2",
            partners="Document-processing partners in insurance.",
            safeguards=safeguards + " Image inputs pass an OCR-based filter before the model.",
        )
        self.firm_documents(awaiting, kim)
        awaiting = self.start_review(awaiting, kim, "cisa", "dod")
        tokens = self.finding(
            awaiting,
            "dod",
            title="Evaluator session tokens written to application logs in plain text",
            description="Tokens appeared in the request log shared with the evaluation team.",
            category=Category.WEIGHT_SECURITY,
            severity=Severity.MEDIUM,
            visibility=Visibility.FIRM,
            component="Evaluator access system",
            due=3,
        )
        ocr = self.finding(
            awaiting,
            "cisa",
            title="Instructions hidden in images bypass the OCR filter",
            description="Low-contrast text in an image carried instructions the input filter did not see.",
            category=Category.SAFEGUARD_BYPASS,
            severity=Severity.MEDIUM,
            visibility=Visibility.FIRM,
            component="OCR input filter",
            due=3,
        )
        finding_respond(
            finding=ocr,
            actor=kim,
            choice=ResponseChoice.MITIGATED,
            text="The filter now normalises contrast before OCR; retested on your 40 samples.",
        )
        finding_resolve(finding=ocr, actor=self.reviewer["cisa"])
        first = closeout_request(
            case=awaiting,
            actor=self.reviewer["cisa"],
            summary="CISA's work is done; the DoD token finding is being fixed by Lumen.",
            carried_forward={tokens.pk: "Lumen Labs is rotating tokens and scrubbing logs."},
        )
        closeout_decide(
            closeout=first,
            actor=self.supervisor["dod"],
            approve=False,
            reason="Lumen says the fix has shipped: let us record their response before we conclude.",
        )
        finding_respond(
            finding=tokens,
            actor=kim,
            choice=ResponseChoice.MITIGATED,
            text="Tokens are redacted at the logging layer and all evaluation tokens were rotated.",
        )
        finding_resolve(finding=tokens, actor=self.reviewer["dod"])
        second = closeout_request(
            case=awaiting,
            actor=self.reviewer["cisa"],
            summary="Review of Lumen-4 Vision concluded: both findings were mitigated and verified.",
        )
        closeout_decide(closeout=second, actor=self.supervisor["cisa"], approve=True)

        # In review: sharing date moved once (audited); the window closes within a week.
        review = self.case(
            kim,
            lumen4,
            access=-10,
            sharing=2,
            snapshot=f"lumen-4.0-{self.today:%Y%m}01",
            partners="Utilities and grid operators (operations copilots); two cloud resellers.",
            safeguards=safeguards,
        )
        self.firm_documents(review, kim)
        review = self.start_review(review, kim, "cisa", "treasury")
        review = case_move_sharing_date(
            case=review,
            new_sharing_date=self.day(6),
            reason="Partner onboarding slipped by four days; the evaluation window moves with it.",
            actor=kim,
        )
        self.finding(
            review,
            "cisa",
            title="Step-by-step ICS reconnaissance guidance for an unauthenticated user",
            description=(
                "Given only a utility's name, the model listed the likely SCADA vendors, their default ports and "
                "a scanning plan. No refusal in 5 of 5 runs."
            ),
            category=Category.CRITICAL_INFRASTRUCTURE,
            severity=Severity.HIGH,
            visibility=Visibility.FIRM,
            due=1,
        )
        self.finding(
            review,
            "cisa",
            title="Possible uplift for water-treatment control tampering",
            description="Draft: one transcript suggests specific setpoint changes. Needs a second reproduction.",
            category=Category.CRITICAL_INFRASTRUCTURE,
            severity=Severity.CRITICAL,
            visibility=Visibility.AGENCY,
            release=False,
        )
        self.finding(
            review,
            "treasury",
            title="Plausible cover stories for unusual trading activity",
            description="The model drafted explanations for trades ahead of announcements when asked indirectly.",
            category=Category.FINANCIAL_SYSTEM,
            severity=Severity.LOW,
            visibility=Visibility.GOVERNMENT,
        )
        encoded = self.finding(
            review,
            "treasury",
            title="Base64-encoded instructions pass the input filter",
            description="Encoded requests for fraud scripts passed the input filter in 6 of 100 attempts.",
            category=Category.SAFEGUARD_BYPASS,
            severity=Severity.MEDIUM,
            visibility=Visibility.FIRM,
            component="Input filter",
            due=5,
        )
        finding_respond(
            finding=encoded,
            actor=kim,
            choice=ResponseChoice.ACKNOWLEDGED,
            text="Known from our red team; the output filter catches these. A decoder stage ships next release.",
        )
        comment_add(
            case=review,
            actor=self.reviewer["cisa"],
            body="CISA is coordinating with DOE contacts on the grid-operator partners named by Lumen.",
            visibility=Visibility.GOVERNMENT,
        )
        comment_add(
            case=review,
            actor=self.supervisor["treasury"],
            body="Lumen Labs: could you share the tenant-level monitoring thresholds for the cloud resellers?",
            visibility=Visibility.FIRM,
        )
        comment_add(
            case=review,
            actor=kim,
            body="Thresholds attached to the system card's next version; the new sharing date gives us time.",
        )

        # Submitted, awaiting triage.
        submitted = self.case(
            kim,
            vision,
            access=1,
            sharing=12,
            snapshot="lumen-4-vision-1.0-rc3",
            partners="Document-processing partners in insurance.",
            safeguards=safeguards + " Image inputs pass an OCR-based filter before the model.",
        )
        self.firm_documents(submitted, kim, reports=False)
        case_submit(case=submitted, actor=kim)

        # Draft with nothing filled in yet.
        self.case(
            kim,
            prism2,
            access=None,
            sharing=None,
            snapshot="",
            partners="",
            safeguards="",
        )
