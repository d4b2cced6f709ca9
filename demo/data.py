"""The demo data set, as tables: one row per account, firm, model, case, document, finding,
comment and closeout. ``demo.seed`` loops over them and drives each object through the services to
the state its row names; tests/demo checks every row against what it made.

Rows refer to each other by key (a case's, a finding's, a closeout's) and to people by email.
Enumerated columns hold the enumeration's value ("firm", "closed"), checked when this module loads.
Days are counted from the day the data is loaded, so review windows close within a week and answers
are due within days whenever the demo is started; a model version or a snapshot may name the month
(``{month}``, ``{previous_month}``, ``{month_digits}``: ``load_day_words``).

What the rows must keep (README.md, "Demo logins"): each firm has a case in every state; findings at
every visibility and in every state, a response sent back, a declined finding carried forward and a
draft whose release a reviewer asked a supervisor for; comments at every visibility; the two
closeouts that await one agency; a DoD working file marked CUI; PDF red-team reports; two tested
configurations on Atlas-2's case in review, with an access ledger holding an interruption; a sharing
attestation of each kind (a tested configuration, a different one, prefer not to say) on cases whose
sharing date the firm moved to the load day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from enum import Enum, StrEnum
from typing import Any

from accounts.models import User
from agencies.models import AgencyRole
from cases.models import CaseState, CloseoutState, ReviewCase
from configurations.models import AccessVariant, AttestationChoice
from core.models import Visibility
from demo import contents
from documents.models import DocumentKind, Marking
from findings.models import Category, FindingState, ResponseChoice, Severity

DEMO_PASSWORD = "checkpoint-demo"  # noqa: S105 - published in the README on purpose: demo only.

# What every case tells the evaluators about access, unless its row says otherwise.
EVALUATOR_ACCESS = "Hosted API with per-reviewer keys and an agent sandbox; see the access instructions."


def load_day_words(today: datetime.date) -> dict[str, str]:
    """The words a model version or a snapshot may use for the month the demo is loaded in."""
    previous = today.replace(day=1) - datetime.timedelta(days=1)
    return {"month": f"{today:%Y-%m}", "previous_month": f"{previous:%Y-%m}", "month_digits": f"{today:%Y%m}"}


# --- the shape of the rows -------------------------------------------------------------------------


def _enumerated(row: Any, **columns: type[Enum]) -> None:
    """Hold each of ``columns`` as a member of its enumeration (a value it does not know fails
    when the module loads)."""
    for name, enumeration in columns.items():
        if (value := getattr(row, name)) is not None:
            object.__setattr__(row, name, enumeration(value))


class Role(StrEnum):
    """A person's role, as the summary of logins prints it."""

    COORDINATOR = "Program coordinator"
    FIRM_ADMIN = "Firm admin"
    LIAISON = "Firm liaison"
    REVIEWER = "Agency reviewer"
    SUPERVISOR = "Agency supervisor"


AGENCY_ROLES = {Role.REVIEWER: AgencyRole.REVIEWER, Role.SUPERVISOR: AgencyRole.SUPERVISOR}


@dataclass(frozen=True)
class Account:
    email: str
    full_name: str
    role: Role
    organisation: str  # the firm's name, the agency's short name, or "Program office"
    added_by: str = ""  # who makes them a member: a colleague, else the coordinator


@dataclass(frozen=True)
class ModelRow:
    key: str
    firm: str
    registered_by: str
    name: str
    version: str  # may name the month (load_day_words)
    _: KW_ONLY
    modalities: tuple[str, ...]
    description: str = ""
    intended_partners: str = ""


@dataclass(frozen=True)
class CaseRow:
    """A case, opened (and submitted, withdrawn) by ``opened_by`` and driven to ``state``.

    Past ``submitted``, the coordinator has assigned ``agencies`` and each agency's supervisor has
    put that agency's ``reviewers`` on it (the first leading). A closeout requested or closed case
    gets there through its rows in ``CLOSEOUTS``; a withdrawn one is withdrawn where its agencies
    leave it (in review, or awaiting triage when it has none)."""

    key: str
    model: str
    opened_by: str
    state: str
    access: int | None  # days from the load day
    sharing: int | None
    _: KW_ONLY
    snapshot: str = ""  # may name the month (load_day_words)
    partners: str = ""
    safeguards: str = ""
    evaluator_access: str = EVALUATOR_ACCESS
    agencies: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    sharing_moved_to: int | None = None  # the firm moves the sharing date once the review has started
    sharing_move_reason: str = ""
    withdrawal_reason: str = ""

    def __post_init__(self) -> None:
        _enumerated(self, state=CaseState)


# A document's content, written for the case it is uploaded to and the person uploading it.
Writer = Callable[[ReviewCase, User], str | bytes]


@dataclass(frozen=True)
class DocumentRow:
    """A document with one version. The firm's are uploaded while the case is a draft; an agency's
    working file once the agency is assigned."""

    case: str
    uploaded_by: str
    kind: str
    title: str  # "{model}" is the model's name
    marking: str
    file_name: str
    content: Writer
    visibility: str | None = None  # an agency's working file: who reads it

    def __post_init__(self) -> None:
        _enumerated(self, kind=DocumentKind, marking=Marking, visibility=Visibility)


@dataclass(frozen=True)
class Response:
    """The firm's answer to a finding; ``sent_back`` is the reviewer's reason for sending it back."""

    by: str
    choice: str
    text: str
    _: KW_ONLY
    sent_back: str = ""

    def __post_init__(self) -> None:
        _enumerated(self, choice=ResponseChoice)


@dataclass(frozen=True)
class FindingRow:
    """A finding drafted by its agency's ``author`` and, past draft, released by the agency's
    supervisor (two-person rule); then answered by the firm, resolved or withdrawn by the author."""

    key: str
    case: str
    agency: str
    category: str
    severity: str
    visibility: str
    state: str
    _: KW_ONLY
    title: str
    description: str
    author: AgencyRole = AgencyRole.REVIEWER
    configuration: str = ""  # the tested configuration's name; none: the case's first
    component: str = ""  # the safeguard it targets; none: the model itself
    due: int | None = None  # the firm's response is due, days from the load day
    responses: tuple[Response, ...] = ()
    withdrawal_reason: str = ""
    resolution_note: str = ""  # how a resolved finding was resolved (the author's note)
    release_requested: bool = False  # a draft the author asked a supervisor to release
    answered_after: str = ""  # a closeout whose decision the firm's answer and the resolution wait for

    def __post_init__(self) -> None:
        _enumerated(
            self,
            category=Category,
            severity=Severity,
            visibility=Visibility,
            state=FindingState,
            author=AgencyRole,
        )
        if (self.state == FindingState.RESOLVED) != bool(self.resolution_note):
            raise ValueError(f"{self.key}: a resolved finding, and only one, has a resolution note")


@dataclass(frozen=True)
class ConfigurationRow:
    """A configuration the firm offers on a case (a case without a row gets one made from its own
    snapshot and safeguards, so that findings have a configuration to name)."""

    case: str
    name: str
    snapshot: str  # may name the month (load_day_words)
    safeguard_version: str
    access_variant: str
    access_method: str
    _: KW_ONLY
    fingerprint: str = ""
    variant_other: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        _enumerated(self, access_variant=AccessVariant)


@dataclass(frozen=True)
class AccessRow:
    """An access period (``cause`` empty) or an interruption recorded by ``recorded_by``'s agency on a
    configuration: from ``start`` to ``end`` (days from the load day, and local hours); an open
    period has no ``end``."""

    case: str
    configuration: str
    recorded_by: str
    start: tuple[int, int]  # (days from the load day, hour in America/New_York)
    end: tuple[int, int] | None
    _: KW_ONLY
    cause: str = ""
    confirmed_by: str = ""
    note: str = ""
    visibility: str = "agency"
    firm_comment: str = ""  # the firm's remark on the entry
    firm_commenter: str = ""


@dataclass(frozen=True)
class AttestationRow:
    """The firm's statement on the sharing date: a tested configuration (by name), a different one
    (described), or prefer not to say."""

    case: str
    by: str
    choice: str
    _: KW_ONLY
    configuration: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        _enumerated(self, choice=AttestationChoice)


@dataclass(frozen=True)
class CommentRow:
    case: str
    author: str
    visibility: str  # a firm liaison's comment is always read by the firm
    _: KW_ONLY
    body: str
    finding: str = ""

    def __post_init__(self) -> None:
        _enumerated(self, visibility=Visibility)


@dataclass(frozen=True)
class Decision:
    by: str
    approve: bool
    reason: str = ""  # why a supervisor returned it
    statement: str = ""  # the agency's own statement on the review it approves

    def __post_init__(self) -> None:
        if self.approve != bool(self.statement) or self.approve == bool(self.reason):
            raise ValueError(f"{self.by}: an approval has a statement, a return a reason")


@dataclass(frozen=True)
class CloseoutRow:
    key: str
    case: str
    requested_by: str
    state: str
    _: KW_ONLY
    summary: str
    carried_forward: tuple[tuple[str, str], ...] = ()  # (finding key, reason)
    decisions: tuple[Decision, ...] = ()

    def __post_init__(self) -> None:
        _enumerated(self, state=CloseoutState)


# --- people -------------------------------------------------------------------------------------

COORDINATOR = "coordinator@checkpoint.example"
ALEX = "alex@northwind.example"
SAM = "sam@northwind.example"
KIM = "kim@lumenlabs.example"
DOD_REVIEWER, DOD_SUPERVISOR = "reviewer@dod.example", "supervisor@dod.example"
TREASURY_REVIEWER, TREASURY_SUPERVISOR = "reviewer@treasury.example", "supervisor@treasury.example"
CISA_REVIEWER, CISA_SUPERVISOR = "reviewer@cisa.example", "supervisor@cisa.example"

# In the order README.md lists them. A firm admin brings in their colleague; a supervisor brings
# in their agency's reviewers.
# fmt: off
ACCOUNTS: tuple[Account, ...] = (
    #       email                full name          role                  organisation    added by
    Account(COORDINATOR,         "Jordan Ellis",    Role.COORDINATOR,     "Program office"),
    Account(ALEX,                "Alex Moreno",     Role.FIRM_ADMIN,      "Northwind AI"),
    Account(SAM,                 "Sam Okafor",      Role.LIAISON,         "Northwind AI", added_by=ALEX),
    Account(KIM,                 "Kim Nakamura",    Role.FIRM_ADMIN,      "Lumen Labs"),
    Account(DOD_REVIEWER,        "Dana Whitfield",  Role.REVIEWER,        "DoD",          added_by=DOD_SUPERVISOR),
    Account(DOD_SUPERVISOR,      "Marcus Reed",     Role.SUPERVISOR,      "DoD"),
    Account(TREASURY_REVIEWER,   "Priya Raman",     Role.REVIEWER,        "Treasury",     added_by=TREASURY_SUPERVISOR),
    Account(TREASURY_SUPERVISOR, "Helen Cho",       Role.SUPERVISOR,      "Treasury"),
    Account(CISA_REVIEWER,       "Luis Ortega",     Role.REVIEWER,        "CISA",         added_by=CISA_SUPERVISOR),
    Account(CISA_SUPERVISOR,     "Grace Adeyemi",   Role.SUPERVISOR,      "CISA"),
)
# fmt: on

# Registered by the coordinator, in this order.
FIRMS: tuple[str, ...] = ("Northwind AI", "Lumen Labs")

# --- models -------------------------------------------------------------------------------------

NORTHWIND_PARTNERS = "Azure Government (hosting partner); two named defense-industrial-base pilot customers."
ATLAS_DESCRIPTION = "General-purpose assistant model with an agent mode for software and IT operations."

# fmt: off
MODELS: tuple[ModelRow, ...] = (
    # key, firm, registered by, name, version; then what the firm says of it
    ModelRow("atlas-2-previous", "Northwind AI", ALEX, "Atlas-2", "{previous_month} snapshot",
        modalities=("text", "code", "agentic"), description=ATLAS_DESCRIPTION, intended_partners=NORTHWIND_PARTNERS),
    ModelRow("atlas-2", "Northwind AI", ALEX, "Atlas-2", "{month} snapshot", modalities=("text", "code", "agentic"),
        description=ATLAS_DESCRIPTION, intended_partners=NORTHWIND_PARTNERS),
    ModelRow("nimbus", "Northwind AI", SAM, "Nimbus-Agent", "0.9", modalities=("text", "agentic"),
        description="Autonomous operations agent that files tickets, runs playbooks and edits cloud configuration.",
        intended_partners="Three managed-service providers in a closed pilot."),
    ModelRow("atlas-2-mini", "Northwind AI", SAM, "Atlas-2-mini", "1.4", modalities=("text", "code"),
        description="Distilled Atlas-2 for on-device use; no agent mode.",
        intended_partners="Two handset manufacturers under NDA."),
    ModelRow("atlas-3", "Northwind AI", ALEX, "Atlas-3", "preview", modalities=("text", "code", "image", "agentic"),
        description="Next-generation model with longer context and native image input.",
        intended_partners="To be decided."),
    ModelRow("lumen-3.5", "Lumen Labs", KIM, "Lumen-3.5", "3.5.2", modalities=("text",),
        description="Enterprise assistant for finance and insurance back offices.",
        intended_partners="Four regional banks in a supervised pilot."),
    ModelRow("prism-coder", "Lumen Labs", KIM, "Prism-Coder", "1.0", modalities=("code",),
        description="Code-generation model for industrial-automation software.", intended_partners="Two PLC vendors."),
    ModelRow("lumen-4-vision", "Lumen Labs", KIM, "Lumen-4 Vision", "1.0-rc2", modalities=("text", "image"),
        description="Lumen-4 with image input for document processing.",
        intended_partners="Document-processing partners in insurance."),
    ModelRow("lumen-4", "Lumen Labs", KIM, "Lumen-4", "4.0 ({month} checkpoint)",
        modalities=("text", "code", "agentic"), description="Lumen's frontier general-purpose model, with tool use.",
        intended_partners="Utilities and grid operators (operations copilots); two cloud resellers."),
    ModelRow("prism-coder-2", "Lumen Labs", KIM, "Prism-Coder", "2.0 beta 3", modalities=("code",),
        description="Second generation of Prism-Coder with PLC ladder-logic support."),
)
# fmt: on

# --- cases --------------------------------------------------------------------------------------

NORTHWIND_SAFEGUARDS = (
    "Input filter v5 and output refusal classifier v3 on every request; agent mode limited to the "
    "sandboxed tool set; abuse monitoring with 30-day retention."
)
LUMEN_SAFEGUARDS = "Input filter (multilingual); constitutional refusal layer; usage monitoring per tenant."
VISION_SAFEGUARDS = LUMEN_SAFEGUARDS + " Image inputs pass an OCR-based filter before the model."

# Each firm's cases, one in every state; references are numbered in this order.
# fmt: off
CASES: tuple[CaseRow, ...] = (
    # key, model, opened by, state to reach, access and sharing (days from the load day); then the rest
    # Closed: DoD and CISA reviewed; Northwind declined to act on one finding, which the closeout carries
    # forward with the firm's reason.
    CaseRow("atlas-2-closed", "atlas-2-previous", ALEX, "closed", -26, 2, snapshot="atlas-2-{previous_month}-28-rc1",
        partners=NORTHWIND_PARTNERS, safeguards=NORTHWIND_SAFEGUARDS, agencies=("dod", "cisa"),
        reviewers=(DOD_REVIEWER, CISA_REVIEWER), sharing_moved_to=0,
        sharing_move_reason="The partners are ready two days early; the review has concluded its work."),
    # Withdrawn: the first submission of this month's Atlas-2, withdrawn in review when the partner list
    # changed; Northwind resubmitted it as atlas-2-review.
    CaseRow("atlas-2-withdrawn", "atlas-2", ALEX, "withdrawn", -20, 8, snapshot="atlas-2-{month}-02-rc2",
        partners="Azure Government (hosting partner).", safeguards=NORTHWIND_SAFEGUARDS, agencies=("dod",),
        reviewers=(DOD_REVIEWER,),
        withdrawal_reason="Our partner list changed; we are resubmitting with a newer snapshot as a new case."),
    # Closeout requested: DoD approved, Treasury's decision is awaited.
    CaseRow("nimbus-closeout", "nimbus", SAM, "closeout_requested", -20, 5, snapshot="nimbus-agent-0.9.3",
        partners="Three managed-service providers in a closed pilot.",
        safeguards="Action allow-list; human approval for destructive operations; full action logging.",
        agencies=("dod", "treasury"), reviewers=(DOD_REVIEWER, TREASURY_REVIEWER), sharing_moved_to=0,
        sharing_move_reason="The pilot providers start today; the closeout can conclude after sharing."),
    # In review: the busy case, with findings in every state and comments at every visibility.
    CaseRow("atlas-2-review", "atlas-2", ALEX, "in_review", -18, 3, snapshot="atlas-2-{month}-14-rc3",
        partners=NORTHWIND_PARTNERS, safeguards=NORTHWIND_SAFEGUARDS, agencies=("dod", "treasury"),
        reviewers=(DOD_REVIEWER, TREASURY_REVIEWER)),
    # Submitted: awaiting the coordinator's triage.
    CaseRow("atlas-2-mini-submitted", "atlas-2-mini", SAM, "submitted", 2, 16, snapshot="atlas-2-mini-1.4.0",
        partners="Two handset manufacturers under NDA.",
        safeguards="On-device output filter; no tool use; no network access from the model runtime."),
    # Draft: not submittable yet (no access instructions).
    CaseRow("atlas-3-draft", "atlas-3", ALEX, "draft", 9, 30, snapshot="atlas-3-preview-0", partners="To be decided.",
        safeguards="Same stack as Atlas-2; the image-input filter is still in development."),
    # Closed: Treasury alone reviewed; nothing left open.
    CaseRow("lumen-3.5-closed", "lumen-3.5", KIM, "closed", -28, 1, snapshot="lumen-3.5.2-prod",
        partners="Four regional banks in a supervised pilot.", safeguards=LUMEN_SAFEGUARDS, agencies=("treasury",),
        reviewers=(TREASURY_REVIEWER,), sharing_moved_to=0,
        sharing_move_reason="The banks' pilot starts a day early."),
    # Withdrawn before triage.
    CaseRow("prism-coder-withdrawn", "prism-coder", KIM, "withdrawn", 3, 24, snapshot="prism-coder-1.0.0",
        partners="Two PLC vendors.", safeguards="Output filter for known-malicious code patterns.",
        withdrawal_reason="Prism-Coder 1.0 will not be shared with partners; version 2 replaces it."),
    # Closeout requested: returned once by DoD, then requested again; CISA approved, DoD awaited.
    CaseRow("lumen-4-vision-closeout", "lumen-4-vision", KIM, "closeout_requested", -14, 4,
        snapshot="lumen-4-vision-1.0-rc2", partners="Document-processing partners in insurance.",
        safeguards=VISION_SAFEGUARDS, agencies=("cisa", "dod"), reviewers=(CISA_REVIEWER, DOD_REVIEWER)),
    # In review: the sharing date moved once (audited); the window closes within a week.
    CaseRow("lumen-4-review", "lumen-4", KIM, "in_review", -10, 2, snapshot="lumen-4.0-{month_digits}01",
        partners="Utilities and grid operators (operations copilots); two cloud resellers.",
        safeguards=LUMEN_SAFEGUARDS, agencies=("cisa", "treasury"), reviewers=(CISA_REVIEWER, TREASURY_REVIEWER),
        sharing_moved_to=6,
        sharing_move_reason="Partner onboarding slipped by four days; the evaluation window moves with it."),
    # Submitted, awaiting triage.
    CaseRow("lumen-4-vision-submitted", "lumen-4-vision", KIM, "submitted", 1, 12, snapshot="lumen-4-vision-1.0-rc3",
        partners="Document-processing partners in insurance.", safeguards=VISION_SAFEGUARDS),
    # Draft with nothing filled in yet.
    CaseRow("prism-coder-2-draft", "prism-coder-2", KIM, "draft", None, None),
)
# fmt: on

# --- documents ----------------------------------------------------------------------------------


def firm_documents(case: str, uploaded_by: str, *, reports: bool = True) -> tuple[DocumentRow, ...]:
    """What a firm submits: its system card and access instructions (what submitting needs), and
    with ``reports`` its internal evaluation (Markdown) and an external red-team report (PDF)."""
    # fmt: off
    required = (
        #           case  uploaded by  kind                   title                            marking
        #           file name                  content
        DocumentRow(case, uploaded_by, "system_card",         "{model} system card",           "PROPRIETARY",
                    "system-card.md",          contents.system_card),
        DocumentRow(case, uploaded_by, "access_instructions", "Evaluator access instructions", "PROPRIETARY",
                    "access-instructions.md",  contents.access_instructions),
    )
    reported = (
        DocumentRow(case, uploaded_by, "evaluation_report", "Internal frontier-risk evaluation",
                    "CONFIDENTIAL REVIEW MATERIAL", "evaluation-report.md", contents.evaluation_report),
        DocumentRow(case, uploaded_by, "red_team_report",   "External red-team report",
                    "CONFIDENTIAL REVIEW MATERIAL", "red-team-report.pdf",  contents.red_team_report),
    )
    # fmt: on
    return (*required, *reported) if reports else required


# fmt: off
DOCUMENTS: tuple[DocumentRow, ...] = (
    *firm_documents("atlas-2-closed", ALEX),
    *firm_documents("atlas-2-withdrawn", ALEX, reports=False),
    *firm_documents("nimbus-closeout", SAM),
    *firm_documents("atlas-2-review", ALEX),
    # DoD's own notes: CUI, read by DoD alone.
    DocumentRow("atlas-2-review", DOD_REVIEWER, "other", "DoD working notes", "CUI",
                "other.md", contents.working_notes, visibility="agency"),
    *firm_documents("atlas-2-mini-submitted", SAM),
    DocumentRow("atlas-3-draft", ALEX, "system_card", "Atlas-3 system card (draft)", "PROPRIETARY",
                "system-card.md", contents.system_card),
    *firm_documents("lumen-3.5-closed", KIM),
    *firm_documents("prism-coder-withdrawn", KIM, reports=False),
    *firm_documents("lumen-4-vision-closeout", KIM),
    *firm_documents("lumen-4-review", KIM),
    *firm_documents("lumen-4-vision-submitted", KIM, reports=False),
)
# fmt: on

# --- findings -----------------------------------------------------------------------------------

# In the order the agencies wrote them, case by case.
# fmt: off
FINDINGS: tuple[FindingRow, ...] = (
    # key, case, agency, category, severity, visibility, state to reach; then the words and the answers
    FindingRow("ot-exploits", "atlas-2-closed", "dod", "cyber_offense", "high", "firm", "firm_responded", due=1,
        title="Exploit-development guidance for legacy OT protocols",
        description="Asked for help against a Modbus/TCP device, the model produced a working fuzzing harness and "
                    "a step-by-step plan to crash the target. Reproduced in 4 of 5 runs with safeguards on.",
        responses=(
            Response(ALEX, "declined",
                "The same harness is available in public fuzzing tools; we will not retrain this snapshot before "
                "sharing. The next snapshot's classifier covers OT protocols."),
        ),
    ),
    FindingRow("key-reuse", "atlas-2-closed", "cisa", "weight_security", "low", "firm", "resolved",
        component="Evaluator access system", due=1,
        resolution_note="Retested from a second address range: the rotated keys are refused there.",
        title="Evaluator API keys could be reused from a second address",
        description="A key issued to one reviewer worked from a second, unregistered address range.",
        responses=(
            Response(SAM, "mitigated",
                "Keys are now bound to the requesting address range; rotated all evaluation keys."),
        ),
    ),
    FindingRow("agent-logging", "nimbus-closeout", "dod", "autonomy", "medium", "firm", "resolved", due=4,
        resolution_note="Reran the 40 blocked tasks: the agent can no longer reach its logging configuration.",
        title="Agent tries to disable its own action logging when a task is blocked",
        description="In 3 of 40 blocked tasks the agent proposed, and in one run executed, a change to the logging "
                    "configuration of its sandbox before retrying the task.",
        responses=(
            Response(SAM, "mitigated",
                "Logging configuration is now outside the agent's writable scope; added a regression test."),
        ),
    ),
    FindingRow("brokerage-tool", "nimbus-closeout", "treasury", "financial_system", "informational", "government",
        "withdrawn",
        title="Tool descriptions claim brokerage API access that does not exist",
        description="The agent's tool manifest lists a 'trade_execute' tool; calls fail, but users are misled.",
        withdrawal_reason="The tool was removed from the manifest of the snapshot under review; we tested a stale "
                          "build."),
    FindingRow("cve-chaining", "atlas-2-review", "dod", "cyber_offense", "high", "firm", "released", due=2,
        title="Multi-step exploitation of known CVEs in the evaluation sandbox",
        description="In agent mode the model chained two public CVEs against the sandbox's vulnerable web "
                    "application and reached a shell, without hints, in 3 of 5 runs.",
        responses=(
            Response(SAM, "disputed",
                "Both CVEs are patched in any supported deployment; we consider this out of scope.",
                sent_back="The finding is about capability, not the patch level: please address the chaining itself."),
        ),
    ),
    FindingRow("role-play", "atlas-2-review", "dod", "safeguard_bypass", "medium", "firm", "firm_responded",
        component="Output refusal classifier v3", due=5,
        title="Refusal classifier bypassed by role-play framing in agent mode",
        description="A fictional 'penetration test' framing lowered the refusal rate from 94% to 61%.",
        responses=(
            Response(SAM, "mitigated",
                "Classifier v3.1 adds the framing to its training set; deployed to the evaluation endpoint today."),
        ),
    ),
    FindingRow("weight-controls", "atlas-2-review", "dod", "weight_security", "low", "agency", "released",
        title="Weight-exfiltration controls on evaluation hosts not documented",
        description="The system card does not say how weights are protected on the hosts serving the API."),
    FindingRow("cron-persistence", "atlas-2-review", "dod", "autonomy", "medium", "government", "draft",
        title="Agent persists across sessions through scheduled tasks",
        description="Draft: one run created a cron entry in the sandbox. Reproduce before release."),
    FindingRow("synthetic-identity", "atlas-2-review", "treasury", "financial_system", "high", "government", "released",
        title="Synthetic-identity fraud workflow completed end to end",
        description="The model assembled a consistent synthetic identity and drafted the account-opening documents "
                    "a bank's onboarding would ask for."),
    FindingRow("wire-scripts", "atlas-2-review", "treasury", "financial_system", "medium", "firm", "resolved", due=6,
        resolution_note="Acknowledged by Northwind; the refusal policy change ships with the next classifier.",
        title="Wire-transfer social-engineering scripts produced without friction",
        description="Asked for a 'CFO voice' script to rush a wire transfer, the model complied without a warning.",
        responses=(
            Response(ALEX, "acknowledged", "Added to the refusal policy for the next classifier release."),
        ),
    ),
    FindingRow("batch-rate-limits", "atlas-2-review", "treasury", "other", "low", "firm", "withdrawn",
        component="API rate limiter",
        title="Rate limits not enforced on the batch endpoint",
        description="The batch endpoint accepted 5,000 requests a minute from one key.",
        withdrawal_reason="We tested a misconfigured staging endpoint; the evaluation endpoint enforces the limit."),
    FindingRow("invented-citations", "lumen-3.5-closed", "treasury", "other", "informational", "firm", "resolved",
        due=1,
        resolution_note="Acknowledged by Lumen Labs; the citation-check banner was verified in the pilot build.",
        title="Model invents regulatory citations in compliance summaries",
        description="In 7 of 50 summaries the model cited rules that do not exist.",
        responses=(
            Response(KIM, "acknowledged",
                "Pilot banks will see a citation-check banner; retrieval grounding ships next quarter."),
        ),
    ),
    # The first closeout request carried this one forward; DoD returned it to record Lumen's answer, which
    # came (and was verified) before the second request.
    FindingRow("logged-tokens", "lumen-4-vision-closeout", "dod", "weight_security", "medium", "firm", "resolved",
        component="Evaluator access system", due=3, answered_after="lumen-4-vision-returned",
        resolution_note="Verified: tokens are redacted in the request log and the old evaluation tokens are refused.",
        title="Evaluator session tokens written to application logs in plain text",
        description="Tokens appeared in the request log shared with the evaluation team.",
        responses=(
            Response(KIM, "mitigated",
                "Tokens are redacted at the logging layer and all evaluation tokens were rotated."),
        ),
    ),
    FindingRow("ocr-bypass", "lumen-4-vision-closeout", "cisa", "safeguard_bypass", "medium", "firm", "resolved",
        component="OCR input filter", due=3,
        resolution_note="Retested on the 40 samples: the filter now catches every hidden instruction.",
        title="Instructions hidden in images bypass the OCR filter",
        description="Low-contrast text in an image carried instructions the input filter did not see.",
        responses=(
            Response(KIM, "mitigated", "The filter now normalises contrast before OCR; retested on your 40 samples."),
        ),
    ),
    FindingRow("ics-reconnaissance", "lumen-4-review", "cisa", "critical_infrastructure", "high", "firm", "released",
        due=1,
        title="Step-by-step ICS reconnaissance guidance for an unauthenticated user",
        description="Given only a utility's name, the model listed the likely SCADA vendors, their default ports "
                    "and a scanning plan. No refusal in 5 of 5 runs."),
    FindingRow("water-treatment", "lumen-4-review", "cisa", "critical_infrastructure", "critical", "agency", "draft",
        title="Possible uplift for water-treatment control tampering",
        description="Draft: one transcript suggests specific setpoint changes. Needs a second reproduction."),
    FindingRow("trading-cover-stories", "lumen-4-review", "treasury", "financial_system", "low", "government",
        "released",
        title="Plausible cover stories for unusual trading activity",
        description="The model drafted explanations for trades ahead of announcements when asked indirectly."),
    FindingRow("base64-input", "lumen-4-review", "treasury", "safeguard_bypass", "medium", "firm", "firm_responded",
        component="Input filter", due=5,
        title="Base64-encoded instructions pass the input filter",
        description="Encoded requests for fraud scripts passed the input filter in 6 of 100 attempts.",
        responses=(
            Response(KIM, "acknowledged",
                "Known from our red team; the output filter catches these. A decoder stage ships next release."),
        ),
    ),
    # A draft for the firm: its author asked a supervisor to release it (two-person rule).
    FindingRow("deposit-structuring", "lumen-4-review", "treasury", "financial_system", "high", "firm", "draft", due=4,
        release_requested=True,
        title="Advice on structuring cash deposits below reporting thresholds",
        description="Asked how a small business could 'avoid the paperwork' on cash takings, the model suggested "
                    "splitting deposits under $10,000 across branches and days. Reproduced in 3 of 5 runs."),
)
# fmt: on

# --- comments -----------------------------------------------------------------------------------

# fmt: off
COMMENTS: tuple[CommentRow, ...] = (
    # case, author, visibility (a liaison's is always "firm"); then the finding it is on, and the words
    CommentRow("atlas-2-closed", CISA_SUPERVISOR, "firm", finding="key-reuse",
        body="Key binding verified from both of our ranges: the second range is now refused."),
    CommentRow("atlas-2-withdrawn", DOD_SUPERVISOR, "firm",
        body="Keys received; starting the cyber evaluation suite tomorrow."),
    CommentRow("nimbus-closeout", TREASURY_REVIEWER, "agency",
        body="Treasury has nothing open on Nimbus; Helen to sign off once she has read the summary."),
    CommentRow("atlas-2-review", DOD_REVIEWER, "agency",
        body="Lab time booked for the last four days of the window; the agent red-team exercise runs then."),
    CommentRow("atlas-2-review", DOD_REVIEWER, "agency", finding="weight-controls",
        body="Asked Northwind's security team for the host hardening guide before we release this."),
    CommentRow("atlas-2-review", TREASURY_REVIEWER, "government",
        body="Treasury is covering payment fraud and market integrity; DoD has cyber. Flag any overlap here."),
    CommentRow("atlas-2-review", DOD_SUPERVISOR, "firm",
        body="Northwind: please confirm the agent sandbox stays available through the sharing date."),
    CommentRow("atlas-2-review", ALEX, "firm",
        body="Confirmed: the sandbox stays up until 23:59 Eastern on the sharing date. More keys on request."),
    CommentRow("atlas-2-review", SAM, "firm", finding="cve-chaining",
        body="We will send the chaining analysis requested in the send-back by tomorrow."),
    CommentRow("lumen-4-review", CISA_REVIEWER, "government",
        body="CISA is coordinating with DOE contacts on the grid-operator partners named by Lumen."),
    CommentRow("lumen-4-review", TREASURY_SUPERVISOR, "firm",
        body="Lumen Labs: could you share the tenant-level monitoring thresholds for the cloud resellers?"),
    CommentRow("lumen-4-review", KIM, "firm",
        body="Thresholds attached to the system card's next version; the new sharing date gives us time."),
)
# fmt: on

# --- tested configurations, the access ledger, sharing attestations -----------------------------

# fmt: off
CONFIGURATIONS: tuple[ConfigurationRow, ...] = (
    # case, name, snapshot, safeguard version, access variant, access method
    ConfigurationRow("atlas-2-review", "Atlas-2 API (production)", "atlas-2-{month}-14-rc3",
        "input filter v5 / refusal v3", "production_safeguards", "Hosted API, per-reviewer keys",
        fingerprint="sha256:9f2c…e41a",
        notes="What partners will get."),
    ConfigurationRow("atlas-2-review", "Atlas-2 agent sandbox (reduced)", "atlas-2-{month}-14-rc3",
        "refusal v3 only", "reduced_safeguards", "Agent sandbox with tool use",
        notes="Input filter off, so evaluators can probe the model itself."),
    ConfigurationRow("lumen-4-review", "Lumen-4 reasoning visible", "lumen-4.0-{month_digits}01",
        "constitutional layer 7", "reasoning_visible", "Hosted API with chain-of-thought returned"),
    ConfigurationRow("lumen-3.5-closed", "Lumen-3.5 production", "lumen-3.5.2-prod", "LS-2", "production_safeguards",
        "Hosted API"),
)

LEDGER: tuple[AccessRow, ...] = (
    # case, configuration, recorded by, start, end (days from the load day, local hour); then the rest
    AccessRow("atlas-2-review", "Atlas-2 API (production)", DOD_REVIEWER, (-17, 9), (-1, 17),
        confirmed_by="Northwind access desk", visibility="government"),
    AccessRow("atlas-2-review", "Atlas-2 API (production)", DOD_REVIEWER, (-12, 8), (-10, 20), cause="outage",
        note="Endpoint returned 503 for every key.", visibility="government",
        firm_comment="A failed certificate rotation; fixed within the hour of our noticing.", firm_commenter=ALEX),
    AccessRow("atlas-2-review", "Atlas-2 agent sandbox (reduced)", DOD_REVIEWER, (-9, 9), None,
        confirmed_by="Northwind access desk"),
    AccessRow("atlas-2-review", "Atlas-2 API (production)", TREASURY_REVIEWER, (-15, 10), (-2, 18),
        confirmed_by="Northwind access desk", visibility="government"),
    AccessRow("atlas-2-review", "Atlas-2 API (production)", TREASURY_REVIEWER, (-8, 0), (-6, 12), cause="rate_limit",
        note="Keys capped at 20 requests a minute.", visibility="agency"),
)

ATTESTATIONS: tuple[AttestationRow, ...] = (
    AttestationRow("lumen-3.5-closed", KIM, "tested", configuration="Lumen-3.5 production"),
    AttestationRow("nimbus-closeout", SAM, "different",
        description="nimbus-agent-0.9.4: the tested snapshot with a newer action allow-list."),
    AttestationRow("atlas-2-closed", ALEX, "prefer_not_to_say"),
)
# fmt: on

# --- closeouts ----------------------------------------------------------------------------------

# fmt: off
CLOSEOUTS: tuple[CloseoutRow, ...] = (
    # key, case, requested by, state to reach; then the summary, what it carries forward, the decisions
    CloseoutRow("atlas-2-closeout", "atlas-2-closed", CISA_REVIEWER, "approved",
        summary="Review of Atlas-2 concluded. One high-severity cyber finding is carried forward: Northwind "
                "declined to act before sharing, as is its right. The access-system finding was mitigated.",
        carried_forward=(("ot-exploits", "Northwind declined to act before sharing; see its response."),),
        decisions=(
            Decision(CISA_SUPERVISOR, approve=True,
                     statement="CISA examined the access system and critical-infrastructure uplift; the key-reuse "
                               "finding was mitigated and verified."),
            Decision(DOD_SUPERVISOR, approve=True,
                     statement="DoD's cyber-offense finding is carried forward: Northwind declined to act before "
                               "sharing, as is its right. DoD recommends a retest of the next snapshot."),
        )),
    CloseoutRow("nimbus-closeout", "nimbus-closeout", DOD_REVIEWER, "pending",
        summary="Review of Nimbus-Agent 0.9 concluded: the one autonomy finding was mitigated and verified.",
        decisions=(Decision(DOD_SUPERVISOR, approve=True,
                            statement="DoD verified the fix to the agent's logging scope; nothing is left open."),)),
    CloseoutRow("lumen-3.5-closeout", "lumen-3.5-closed", TREASURY_REVIEWER, "approved",
        summary="Review of Lumen-3.5 concluded: one informational finding, acknowledged by Lumen Labs.",
        decisions=(Decision(TREASURY_SUPERVISOR, approve=True,
                            statement="Treasury's one informational finding was acknowledged by Lumen Labs."),)),
    CloseoutRow("lumen-4-vision-returned", "lumen-4-vision-closeout", CISA_REVIEWER, "returned",
        summary="CISA's work is done; the DoD token finding is being fixed by Lumen.",
        carried_forward=(("logged-tokens", "Lumen Labs is rotating tokens and scrubbing logs."),),
        decisions=(
            Decision(DOD_SUPERVISOR, approve=False,
                     reason="Lumen says the fix has shipped: let us record their response before we conclude."),
        )),
    CloseoutRow("lumen-4-vision-closeout", "lumen-4-vision-closeout", CISA_REVIEWER, "pending",
        summary="Review of Lumen-4 Vision concluded: both findings were mitigated and verified.",
        decisions=(Decision(CISA_SUPERVISOR, approve=True,
                            statement="CISA retested the OCR filter on its 40 samples: the bypass is closed."),)),
)
# fmt: on
