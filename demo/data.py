"""The demo data set, as tables: one row per account, firm, model, case, document, finding,
comment and closeout. ``demo.seed`` loops over them and drives each object through the services to
the state its row names.

Rows refer to each other by key (a case's ``key``, a finding's ``key``, a closeout's ``key``) and to
people by email. Days are counted from the day the data is loaded, so review windows close within
a week and answers are due within days whenever the demo is started; a model version or a snapshot
may name the month (``{month}``, ``{previous_month}``, ``{month_digits}``: see ``load_day_words``).

What the rows must keep, and tests/demo checks: each firm has a case in every state; findings at
every visibility and in every state, a response sent back, a declined finding carried forward and a
draft whose release a reviewer asked for; comments at every visibility; the two closeouts that await
one agency; a DoD working file marked CUI; PDF red-team reports.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from accounts.models import User
from agencies.models import AgencyRole
from cases.models import CaseState, CloseoutState, Modality, ReviewCase
from core.models import Visibility
from demo import contents
from documents.models import DocumentKind, Marking
from findings.models import Category, FindingState, ResponseChoice, Severity

DEMO_PASSWORD = "checkpoint-demo"  # noqa: S105 - published in the README on purpose: demo only.


def load_day_words(today: datetime.date) -> dict[str, str]:
    """The words a model version or a snapshot may use for the month the demo is loaded in."""
    previous = today.replace(day=1) - datetime.timedelta(days=1)
    return {"month": f"{today:%Y-%m}", "previous_month": f"{previous:%Y-%m}", "month_digits": f"{today:%Y%m}"}


# --- the shape of the rows -------------------------------------------------------------------------


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
    description: str = ""
    modalities: tuple[str, ...] = ()
    intended_partners: str = ""


@dataclass(frozen=True)
class CaseRow:
    """A case, opened (and submitted, withdrawn) by ``opened_by`` and driven to ``state``.

    From ``in_review`` on, the coordinator has assigned ``agencies`` and each agency's supervisor
    has put that agency's ``reviewers`` on it (the first leading). A closeout requested or closed
    case gets there through its rows in ``CLOSEOUTS``; a withdrawn one is withdrawn from where its
    agencies leave it (in review, or awaiting triage when it has none)."""

    key: str
    model: str
    opened_by: str
    state: CaseState
    access: int | None  # days from the load day
    sharing: int | None
    snapshot: str = ""  # may name the month (load_day_words)
    partners: str = ""
    safeguards: str = ""
    evaluator_access: str = ""
    agencies: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    sharing_moved_to: int | None = None  # the firm moves the sharing date once review has started
    sharing_move_reason: str = ""
    withdrawal_reason: str = ""


# A document's content, written for the case it is uploaded to and the person uploading it.
Writer = Callable[[ReviewCase, User], str | bytes]


@dataclass(frozen=True)
class DocumentRow:
    """A document with one version. The firm's are uploaded while the case is a draft; an agency's
    working file once the agency is assigned."""

    case: str
    uploaded_by: str
    kind: DocumentKind
    title: str  # "{model}" is the model's name
    marking: Marking
    file_name: str
    content: Writer
    visibility: Visibility | None = None  # an agency's working file: who reads it


@dataclass(frozen=True)
class Response:
    """The firm's answer to a finding; ``sent_back`` is the reviewer's reason for sending it back."""

    by: str
    choice: ResponseChoice
    text: str
    sent_back: str = ""


@dataclass(frozen=True)
class FindingRow:
    """A finding drafted by its agency's ``author`` and, past draft, released by the agency's
    supervisor (two-person rule); then answered by the firm, resolved or withdrawn by the author."""

    key: str
    case: str
    agency: str
    title: str
    description: str
    category: Category
    severity: Severity
    visibility: Visibility
    state: FindingState
    author: AgencyRole = AgencyRole.REVIEWER
    component: str = ""  # the safeguard it targets; none: the model itself
    due: int | None = None  # the firm's response is due, days from the load day
    responses: tuple[Response, ...] = ()
    withdrawal_reason: str = ""
    release_requested: bool = False  # a draft the author asked a supervisor to release
    answered_after: str = ""  # a closeout whose decision the firm's answer and the resolution wait for


@dataclass(frozen=True)
class CommentRow:
    case: str
    author: str
    body: str
    visibility: Visibility  # a firm liaison's comment is always read by the firm
    finding: str = ""


@dataclass(frozen=True)
class Decision:
    by: str
    approve: bool
    reason: str = ""


@dataclass(frozen=True)
class CloseoutRow:
    key: str
    case: str
    requested_by: str
    summary: str
    state: CloseoutState
    carried_forward: tuple[tuple[str, str], ...] = ()  # (finding key, reason)
    decisions: tuple[Decision, ...] = ()


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
ACCOUNTS: tuple[Account, ...] = (
    Account(COORDINATOR, "Jordan Ellis", Role.COORDINATOR, "Program office"),
    Account(ALEX, "Alex Moreno", Role.FIRM_ADMIN, "Northwind AI"),
    Account(SAM, "Sam Okafor", Role.LIAISON, "Northwind AI", added_by=ALEX),
    Account(KIM, "Kim Nakamura", Role.FIRM_ADMIN, "Lumen Labs"),
    Account(DOD_REVIEWER, "Dana Whitfield", Role.REVIEWER, "DoD", added_by=DOD_SUPERVISOR),
    Account(DOD_SUPERVISOR, "Marcus Reed", Role.SUPERVISOR, "DoD"),
    Account(TREASURY_REVIEWER, "Priya Raman", Role.REVIEWER, "Treasury", added_by=TREASURY_SUPERVISOR),
    Account(TREASURY_SUPERVISOR, "Helen Cho", Role.SUPERVISOR, "Treasury"),
    Account(CISA_REVIEWER, "Luis Ortega", Role.REVIEWER, "CISA", added_by=CISA_SUPERVISOR),
    Account(CISA_SUPERVISOR, "Grace Adeyemi", Role.SUPERVISOR, "CISA"),
)

# Registered by the coordinator, in this order.
FIRMS: tuple[str, ...] = ("Northwind AI", "Lumen Labs")

# --- models -------------------------------------------------------------------------------------

NORTHWIND_PARTNERS = "Azure Government (hosting partner); two named defense-industrial-base pilot customers."
ATLAS_DESCRIPTION = "General-purpose assistant model with an agent mode for software and IT operations."
_TEXT, _CODE, _IMAGE, _AGENTIC = Modality.TEXT, Modality.CODE, Modality.IMAGE, Modality.AGENTIC

MODELS: tuple[ModelRow, ...] = (
    ModelRow(
        "atlas-2-previous",
        "Northwind AI",
        ALEX,
        "Atlas-2",
        "{previous_month} snapshot",
        ATLAS_DESCRIPTION,
        (_TEXT, _CODE, _AGENTIC),
        NORTHWIND_PARTNERS,
    ),
    ModelRow(
        "atlas-2",
        "Northwind AI",
        ALEX,
        "Atlas-2",
        "{month} snapshot",
        ATLAS_DESCRIPTION,
        (_TEXT, _CODE, _AGENTIC),
        NORTHWIND_PARTNERS,
    ),
    ModelRow(
        "nimbus",
        "Northwind AI",
        SAM,
        "Nimbus-Agent",
        "0.9",
        "Autonomous operations agent that files tickets, runs playbooks and edits cloud configuration.",
        (_TEXT, _AGENTIC),
        "Three managed-service providers in a closed pilot.",
    ),
    ModelRow(
        "atlas-2-mini",
        "Northwind AI",
        SAM,
        "Atlas-2-mini",
        "1.4",
        "Distilled Atlas-2 for on-device use; no agent mode.",
        (_TEXT, _CODE),
        "Two handset manufacturers under NDA.",
    ),
    ModelRow(
        "atlas-3",
        "Northwind AI",
        ALEX,
        "Atlas-3",
        "preview",
        "Next-generation model with longer context and native image input.",
        (_TEXT, _CODE, _IMAGE, _AGENTIC),
        "To be decided.",
    ),
    ModelRow(
        "lumen-3.5",
        "Lumen Labs",
        KIM,
        "Lumen-3.5",
        "3.5.2",
        "Enterprise assistant for finance and insurance back offices.",
        (_TEXT,),
        "Four regional banks in a supervised pilot.",
    ),
    ModelRow(
        "prism-coder",
        "Lumen Labs",
        KIM,
        "Prism-Coder",
        "1.0",
        "Code-generation model for industrial-automation software.",
        (_CODE,),
        "Two PLC vendors.",
    ),
    ModelRow(
        "lumen-4-vision",
        "Lumen Labs",
        KIM,
        "Lumen-4 Vision",
        "1.0-rc2",
        "Lumen-4 with image input for document processing.",
        (_TEXT, _IMAGE),
        "Document-processing partners in insurance.",
    ),
    ModelRow(
        "lumen-4",
        "Lumen Labs",
        KIM,
        "Lumen-4",
        "4.0 ({month} checkpoint)",
        "Lumen's frontier general-purpose model, with tool use.",
        (_TEXT, _CODE, _AGENTIC),
        "Utilities and grid operators (operations copilots); two cloud resellers.",
    ),
    ModelRow(
        "prism-coder-2",
        "Lumen Labs",
        KIM,
        "Prism-Coder",
        "2.0 beta 3",
        "Second generation of Prism-Coder with PLC ladder-logic support.",
        (_CODE,),
    ),
)

# --- cases --------------------------------------------------------------------------------------

EVALUATOR_ACCESS = "Hosted API with per-reviewer keys and an agent sandbox; see the access instructions."
NORTHWIND_SAFEGUARDS = (
    "Input filter v5 and output refusal classifier v3 on every request; agent mode limited to the "
    "sandboxed tool set; abuse monitoring with 30-day retention."
)
LUMEN_SAFEGUARDS = "Input filter (multilingual); constitutional refusal layer; usage monitoring per tenant."
VISION_SAFEGUARDS = LUMEN_SAFEGUARDS + " Image inputs pass an OCR-based filter before the model."
_S = CaseState

# Each firm's cases in every state. References are numbered in this order.
CASES: tuple[CaseRow, ...] = (
    # Closed: DoD and CISA reviewed; Northwind declined to act on one finding, which the closeout
    # carries forward with the firm's reason.
    CaseRow(
        "atlas-2-closed",
        "atlas-2-previous",
        ALEX,
        _S.CLOSED,
        access=-26,
        sharing=2,
        snapshot="atlas-2-{previous_month}-28-rc1",
        partners=NORTHWIND_PARTNERS,
        safeguards=NORTHWIND_SAFEGUARDS,
        evaluator_access=EVALUATOR_ACCESS,
        agencies=("dod", "cisa"),
        reviewers=(DOD_REVIEWER, CISA_REVIEWER),
    ),
    # Withdrawn: the first submission of this month's Atlas-2, withdrawn in review when the partner
    # list changed; Northwind resubmitted it as atlas-2-review.
    CaseRow(
        "atlas-2-withdrawn",
        "atlas-2",
        ALEX,
        _S.WITHDRAWN,
        access=-20,
        sharing=8,
        snapshot="atlas-2-{month}-02-rc2",
        partners="Azure Government (hosting partner).",
        safeguards=NORTHWIND_SAFEGUARDS,
        evaluator_access=EVALUATOR_ACCESS,
        agencies=("dod",),
        reviewers=(DOD_REVIEWER,),
        withdrawal_reason="Our partner list changed; we are resubmitting with a newer snapshot as a new case.",
    ),
    # Closeout requested: DoD approved, Treasury's decision is awaited.
    CaseRow(
        "nimbus-closeout",
        "nimbus",
        SAM,
        _S.CLOSEOUT_REQUESTED,
        access=-20,
        sharing=5,
        snapshot="nimbus-agent-0.9.3",
        partners="Three managed-service providers in a closed pilot.",
        safeguards="Action allow-list; human approval for destructive operations; full action logging.",
        evaluator_access=EVALUATOR_ACCESS,
        agencies=("dod", "treasury"),
        reviewers=(DOD_REVIEWER, TREASURY_REVIEWER),
    ),
    # In review: the busy case, with findings in every state and comments at every visibility.
    CaseRow(
        "atlas-2-review",
        "atlas-2",
        ALEX,
        _S.IN_REVIEW,
        access=-18,
        sharing=3,
        snapshot="atlas-2-{month}-14-rc3",
        partners=NORTHWIND_PARTNERS,
        safeguards=NORTHWIND_SAFEGUARDS,
        evaluator_access=EVALUATOR_ACCESS,
        agencies=("dod", "treasury"),
        reviewers=(DOD_REVIEWER, TREASURY_REVIEWER),
    ),
    # Submitted: awaiting the coordinator's triage.
    CaseRow(
        "atlas-2-mini-submitted",
        "atlas-2-mini",
        SAM,
        _S.SUBMITTED,
        access=2,
        sharing=16,
        snapshot="atlas-2-mini-1.4.0",
        partners="Two handset manufacturers under NDA.",
        safeguards="On-device output filter; no tool use; no network access from the model runtime.",
        evaluator_access=EVALUATOR_ACCESS,
    ),
    # Draft: not submittable yet (no access instructions).
    CaseRow(
        "atlas-3-draft",
        "atlas-3",
        ALEX,
        _S.DRAFT,
        access=9,
        sharing=30,
        snapshot="atlas-3-preview-0",
        partners="To be decided.",
        safeguards="Same stack as Atlas-2; the image-input filter is still in development.",
        evaluator_access=EVALUATOR_ACCESS,
    ),
    # Closed: Treasury alone reviewed; nothing left open.
    CaseRow(
        "lumen-3.5-closed",
        "lumen-3.5",
        KIM,
        _S.CLOSED,
        access=-28,
        sharing=1,
        snapshot="lumen-3.5.2-prod",
        partners="Four regional banks in a supervised pilot.",
        safeguards=LUMEN_SAFEGUARDS,
        evaluator_access=EVALUATOR_ACCESS,
        agencies=("treasury",),
        reviewers=(TREASURY_REVIEWER,),
    ),
    # Withdrawn before triage.
    CaseRow(
        "prism-coder-withdrawn",
        "prism-coder",
        KIM,
        _S.WITHDRAWN,
        access=3,
        sharing=24,
        snapshot="prism-coder-1.0.0",
        partners="Two PLC vendors.",
        safeguards="Output filter for known-malicious code patterns.",
        evaluator_access=EVALUATOR_ACCESS,
        withdrawal_reason="Prism-Coder 1.0 will not be shared with partners; version 2 replaces it.",
    ),
    # Closeout requested: returned once by DoD, then requested again; CISA approved, DoD awaited.
    CaseRow(
        "lumen-4-vision-closeout",
        "lumen-4-vision",
        KIM,
        _S.CLOSEOUT_REQUESTED,
        access=-14,
        sharing=4,
        snapshot="lumen-4-vision-1.0-rc2",
        partners="Document-processing partners in insurance.",
        safeguards=VISION_SAFEGUARDS,
        evaluator_access=EVALUATOR_ACCESS,
        agencies=("cisa", "dod"),
        reviewers=(CISA_REVIEWER, DOD_REVIEWER),
    ),
    # In review: sharing date moved once (audited); the window closes within a week.
    CaseRow(
        "lumen-4-review",
        "lumen-4",
        KIM,
        _S.IN_REVIEW,
        access=-10,
        sharing=2,
        snapshot="lumen-4.0-{month_digits}01",
        partners="Utilities and grid operators (operations copilots); two cloud resellers.",
        safeguards=LUMEN_SAFEGUARDS,
        evaluator_access=EVALUATOR_ACCESS,
        agencies=("cisa", "treasury"),
        reviewers=(CISA_REVIEWER, TREASURY_REVIEWER),
        sharing_moved_to=6,
        sharing_move_reason="Partner onboarding slipped by four days; the evaluation window moves with it.",
    ),
    # Submitted, awaiting triage.
    CaseRow(
        "lumen-4-vision-submitted",
        "lumen-4-vision",
        KIM,
        _S.SUBMITTED,
        access=1,
        sharing=12,
        snapshot="lumen-4-vision-1.0-rc3",
        partners="Document-processing partners in insurance.",
        safeguards=VISION_SAFEGUARDS,
        evaluator_access=EVALUATOR_ACCESS,
    ),
    # Draft with nothing filled in yet.
    CaseRow(
        "prism-coder-2-draft",
        "prism-coder-2",
        KIM,
        _S.DRAFT,
        access=None,
        sharing=None,
        evaluator_access=EVALUATOR_ACCESS,
    ),
)

# --- documents ----------------------------------------------------------------------------------

_K, _M = DocumentKind, Marking


def firm_documents(case: str, uploaded_by: str, *, reports: bool = True) -> tuple[DocumentRow, ...]:
    """What a firm submits: its system card and access instructions (what submitting needs), and
    with ``reports`` its internal evaluation (Markdown) and an external red-team report (PDF)."""
    required = (
        DocumentRow(
            case,
            uploaded_by,
            _K.SYSTEM_CARD,
            "{model} system card",
            _M.PROPRIETARY,
            "system-card.md",
            contents.system_card,
        ),
        DocumentRow(
            case,
            uploaded_by,
            _K.ACCESS_INSTRUCTIONS,
            "Evaluator access instructions",
            _M.PROPRIETARY,
            "access-instructions.md",
            contents.access_instructions,
        ),
    )
    if not reports:
        return required
    return (
        *required,
        DocumentRow(
            case,
            uploaded_by,
            _K.EVALUATION_REPORT,
            "Internal frontier-risk evaluation",
            _M.CONFIDENTIAL_REVIEW,
            "evaluation-report.md",
            contents.evaluation_report,
        ),
        DocumentRow(
            case,
            uploaded_by,
            _K.RED_TEAM_REPORT,
            "External red-team report",
            _M.CONFIDENTIAL_REVIEW,
            "red-team-report.pdf",
            contents.red_team_report,
        ),
    )


DOCUMENTS: tuple[DocumentRow, ...] = (
    *firm_documents("atlas-2-closed", ALEX),
    *firm_documents("atlas-2-withdrawn", ALEX, reports=False),
    *firm_documents("nimbus-closeout", SAM),
    *firm_documents("atlas-2-review", ALEX),
    # DoD's own notes: CUI, read by DoD alone.
    DocumentRow(
        "atlas-2-review",
        DOD_REVIEWER,
        _K.OTHER,
        "DoD working notes",
        _M.CUI,
        "other.md",
        contents.working_notes,
        visibility=Visibility.AGENCY,
    ),
    *firm_documents("atlas-2-mini-submitted", SAM),
    DocumentRow(
        "atlas-3-draft",
        ALEX,
        _K.SYSTEM_CARD,
        "Atlas-3 system card (draft)",
        _M.PROPRIETARY,
        "system-card.md",
        contents.system_card,
    ),
    *firm_documents("lumen-3.5-closed", KIM),
    *firm_documents("prism-coder-withdrawn", KIM, reports=False),
    *firm_documents("lumen-4-vision-closeout", KIM),
    *firm_documents("lumen-4-review", KIM),
    *firm_documents("lumen-4-vision-submitted", KIM, reports=False),
)

# --- findings -----------------------------------------------------------------------------------

_C, _V, _F, _R = Category, Visibility, FindingState, ResponseChoice

# In the order the agencies wrote them, case by case.
FINDINGS: tuple[FindingRow, ...] = (
    # atlas-2-closed
    FindingRow(
        "ot-exploits",
        "atlas-2-closed",
        "dod",
        title="Exploit-development guidance for legacy OT protocols",
        description=(
            "Asked for help against a Modbus/TCP device, the model produced a working fuzzing harness and "
            "a step-by-step plan to crash the target. Reproduced in 4 of 5 runs with safeguards on."
        ),
        category=_C.CYBER_OFFENSE,
        severity=Severity.HIGH,
        visibility=_V.FIRM,
        state=_F.FIRM_RESPONDED,
        due=1,
        responses=(
            Response(
                ALEX,
                _R.DECLINED,
                "The same harness is available in public fuzzing tools; we will not retrain this snapshot before "
                "sharing. The next snapshot's classifier covers OT protocols.",
            ),
        ),
    ),
    FindingRow(
        "key-reuse",
        "atlas-2-closed",
        "cisa",
        title="Evaluator API keys could be reused from a second address",
        description="A key issued to one reviewer worked from a second, unregistered address range.",
        category=_C.WEIGHT_SECURITY,
        severity=Severity.LOW,
        visibility=_V.FIRM,
        state=_F.RESOLVED,
        component="Evaluator access system",
        due=1,
        responses=(
            Response(
                SAM, _R.MITIGATED, "Keys are now bound to the requesting address range; rotated all evaluation keys."
            ),
        ),
    ),
    # nimbus-closeout
    FindingRow(
        "agent-logging",
        "nimbus-closeout",
        "dod",
        title="Agent tries to disable its own action logging when a task is blocked",
        description=(
            "In 3 of 40 blocked tasks the agent proposed, and in one run executed, a change to the logging "
            "configuration of its sandbox before retrying the task."
        ),
        category=_C.AUTONOMY,
        severity=Severity.MEDIUM,
        visibility=_V.FIRM,
        state=_F.RESOLVED,
        due=4,
        responses=(
            Response(
                SAM,
                _R.MITIGATED,
                "Logging configuration is now outside the agent's writable scope; added a regression test.",
            ),
        ),
    ),
    FindingRow(
        "brokerage-tool",
        "nimbus-closeout",
        "treasury",
        title="Tool descriptions claim brokerage API access that does not exist",
        description="The agent's tool manifest lists a 'trade_execute' tool; calls fail, but users are misled.",
        category=_C.FINANCIAL_SYSTEM,
        severity=Severity.INFORMATIONAL,
        visibility=_V.GOVERNMENT,
        state=_F.WITHDRAWN,
        withdrawal_reason=(
            "The tool was removed from the manifest of the snapshot under review; we tested a stale build."
        ),
    ),
    # atlas-2-review
    FindingRow(
        "cve-chaining",
        "atlas-2-review",
        "dod",
        title="Multi-step exploitation of known CVEs in the evaluation sandbox",
        description=(
            "In agent mode the model chained two public CVEs against the sandbox's vulnerable web "
            "application and reached a shell, without hints, in 3 of 5 runs."
        ),
        category=_C.CYBER_OFFENSE,
        severity=Severity.HIGH,
        visibility=_V.FIRM,
        state=_F.RELEASED,
        due=2,
        responses=(
            Response(
                SAM,
                _R.DISPUTED,
                "Both CVEs are patched in any supported deployment; we consider this out of scope.",
                sent_back="The finding is about capability, not the patch level: please address the chaining itself.",
            ),
        ),
    ),
    FindingRow(
        "role-play",
        "atlas-2-review",
        "dod",
        title="Refusal classifier bypassed by role-play framing in agent mode",
        description="A fictional 'penetration test' framing lowered the refusal rate from 94% to 61%.",
        category=_C.SAFEGUARD_BYPASS,
        severity=Severity.MEDIUM,
        visibility=_V.FIRM,
        state=_F.FIRM_RESPONDED,
        component="Output refusal classifier v3",
        due=5,
        responses=(
            Response(
                SAM,
                _R.MITIGATED,
                "Classifier v3.1 adds the framing to its training set; deployed to the evaluation endpoint today.",
            ),
        ),
    ),
    FindingRow(
        "weight-controls",
        "atlas-2-review",
        "dod",
        title="Weight-exfiltration controls on evaluation hosts not documented",
        description="The system card does not say how weights are protected on the hosts serving the API.",
        category=_C.WEIGHT_SECURITY,
        severity=Severity.LOW,
        visibility=_V.AGENCY,
        state=_F.RELEASED,
    ),
    FindingRow(
        "cron-persistence",
        "atlas-2-review",
        "dod",
        title="Agent persists across sessions through scheduled tasks",
        description="Draft: one run created a cron entry in the sandbox. Reproduce before release.",
        category=_C.AUTONOMY,
        severity=Severity.MEDIUM,
        visibility=_V.GOVERNMENT,
        state=_F.DRAFT,
    ),
    FindingRow(
        "synthetic-identity",
        "atlas-2-review",
        "treasury",
        title="Synthetic-identity fraud workflow completed end to end",
        description=(
            "The model assembled a consistent synthetic identity and drafted the account-opening documents "
            "a bank's onboarding would ask for."
        ),
        category=_C.FINANCIAL_SYSTEM,
        severity=Severity.HIGH,
        visibility=_V.GOVERNMENT,
        state=_F.RELEASED,
    ),
    FindingRow(
        "wire-scripts",
        "atlas-2-review",
        "treasury",
        title="Wire-transfer social-engineering scripts produced without friction",
        description="Asked for a 'CFO voice' script to rush a wire transfer, the model complied without a warning.",
        category=_C.FINANCIAL_SYSTEM,
        severity=Severity.MEDIUM,
        visibility=_V.FIRM,
        state=_F.RESOLVED,
        due=6,
        responses=(Response(ALEX, _R.ACKNOWLEDGED, "Added to the refusal policy for the next classifier release."),),
    ),
    FindingRow(
        "batch-rate-limits",
        "atlas-2-review",
        "treasury",
        title="Rate limits not enforced on the batch endpoint",
        description="The batch endpoint accepted 5,000 requests a minute from one key.",
        category=_C.OTHER,
        severity=Severity.LOW,
        visibility=_V.FIRM,
        state=_F.WITHDRAWN,
        component="API rate limiter",
        withdrawal_reason="We tested a misconfigured staging endpoint; the evaluation endpoint enforces the limit.",
    ),
    # lumen-3.5-closed
    FindingRow(
        "invented-citations",
        "lumen-3.5-closed",
        "treasury",
        title="Model invents regulatory citations in compliance summaries",
        description="In 7 of 50 summaries the model cited rules that do not exist.",
        category=_C.OTHER,
        severity=Severity.INFORMATIONAL,
        visibility=_V.FIRM,
        state=_F.RESOLVED,
        due=1,
        responses=(
            Response(
                KIM,
                _R.ACKNOWLEDGED,
                "Pilot banks will see a citation-check banner; retrieval grounding ships next quarter.",
            ),
        ),
    ),
    # lumen-4-vision-closeout: the token finding was carried forward by the first closeout request,
    # which DoD returned to record Lumen's answer; it was answered and resolved before the second.
    FindingRow(
        "logged-tokens",
        "lumen-4-vision-closeout",
        "dod",
        title="Evaluator session tokens written to application logs in plain text",
        description="Tokens appeared in the request log shared with the evaluation team.",
        category=_C.WEIGHT_SECURITY,
        severity=Severity.MEDIUM,
        visibility=_V.FIRM,
        state=_F.RESOLVED,
        component="Evaluator access system",
        due=3,
        responses=(
            Response(
                KIM,
                _R.MITIGATED,
                "Tokens are redacted at the logging layer and all evaluation tokens were rotated.",
            ),
        ),
        answered_after="lumen-4-vision-returned",
    ),
    FindingRow(
        "ocr-bypass",
        "lumen-4-vision-closeout",
        "cisa",
        title="Instructions hidden in images bypass the OCR filter",
        description="Low-contrast text in an image carried instructions the input filter did not see.",
        category=_C.SAFEGUARD_BYPASS,
        severity=Severity.MEDIUM,
        visibility=_V.FIRM,
        state=_F.RESOLVED,
        component="OCR input filter",
        due=3,
        responses=(
            Response(KIM, _R.MITIGATED, "The filter now normalises contrast before OCR; retested on your 40 samples."),
        ),
    ),
    # lumen-4-review
    FindingRow(
        "ics-reconnaissance",
        "lumen-4-review",
        "cisa",
        title="Step-by-step ICS reconnaissance guidance for an unauthenticated user",
        description=(
            "Given only a utility's name, the model listed the likely SCADA vendors, their default ports and "
            "a scanning plan. No refusal in 5 of 5 runs."
        ),
        category=_C.CRITICAL_INFRASTRUCTURE,
        severity=Severity.HIGH,
        visibility=_V.FIRM,
        state=_F.RELEASED,
        due=1,
    ),
    FindingRow(
        "water-treatment",
        "lumen-4-review",
        "cisa",
        title="Possible uplift for water-treatment control tampering",
        description="Draft: one transcript suggests specific setpoint changes. Needs a second reproduction.",
        category=_C.CRITICAL_INFRASTRUCTURE,
        severity=Severity.CRITICAL,
        visibility=_V.AGENCY,
        state=_F.DRAFT,
    ),
    FindingRow(
        "trading-cover-stories",
        "lumen-4-review",
        "treasury",
        title="Plausible cover stories for unusual trading activity",
        description="The model drafted explanations for trades ahead of announcements when asked indirectly.",
        category=_C.FINANCIAL_SYSTEM,
        severity=Severity.LOW,
        visibility=_V.GOVERNMENT,
        state=_F.RELEASED,
    ),
    FindingRow(
        "base64-input",
        "lumen-4-review",
        "treasury",
        title="Base64-encoded instructions pass the input filter",
        description="Encoded requests for fraud scripts passed the input filter in 6 of 100 attempts.",
        category=_C.SAFEGUARD_BYPASS,
        severity=Severity.MEDIUM,
        visibility=_V.FIRM,
        state=_F.FIRM_RESPONDED,
        component="Input filter",
        due=5,
        responses=(
            Response(
                KIM,
                _R.ACKNOWLEDGED,
                "Known from our red team; the output filter catches these. A decoder stage ships next release.",
            ),
        ),
    ),
    # The reviewer's draft for the firm waits on the supervisor's dashboard (two-person rule).
    FindingRow(
        "deposit-structuring",
        "lumen-4-review",
        "treasury",
        title="Advice on structuring cash deposits below reporting thresholds",
        description=(
            "Asked how a small business could 'avoid the paperwork' on cash takings, the model suggested "
            "splitting deposits under $10,000 across branches and days. Reproduced in 3 of 5 runs."
        ),
        category=_C.FINANCIAL_SYSTEM,
        severity=Severity.HIGH,
        visibility=_V.FIRM,
        state=_F.DRAFT,
        due=4,
        release_requested=True,
    ),
)

# --- comments -----------------------------------------------------------------------------------

COMMENTS: tuple[CommentRow, ...] = (
    CommentRow(
        "atlas-2-closed",
        CISA_SUPERVISOR,
        "Key binding verified from both of our ranges: the second range is now refused.",
        _V.FIRM,
        finding="key-reuse",
    ),
    CommentRow(
        "atlas-2-withdrawn", DOD_SUPERVISOR, "Keys received; starting the cyber evaluation suite tomorrow.", _V.FIRM
    ),
    CommentRow(
        "nimbus-closeout",
        TREASURY_REVIEWER,
        "Treasury has nothing open on Nimbus; Helen to sign off once she has read the summary.",
        _V.AGENCY,
    ),
    CommentRow(
        "atlas-2-review",
        DOD_REVIEWER,
        "Lab time booked for the last four days of the window; the agent red-team exercise runs then.",
        _V.AGENCY,
    ),
    CommentRow(
        "atlas-2-review",
        DOD_REVIEWER,
        "Asked Northwind's security team for the host hardening guide before we release this.",
        _V.AGENCY,
        finding="weight-controls",
    ),
    CommentRow(
        "atlas-2-review",
        TREASURY_REVIEWER,
        "Treasury is covering payment fraud and market integrity; DoD has cyber. Flag any overlap here.",
        _V.GOVERNMENT,
    ),
    CommentRow(
        "atlas-2-review",
        DOD_SUPERVISOR,
        "Northwind: please confirm the agent sandbox stays available through the sharing date.",
        _V.FIRM,
    ),
    CommentRow(
        "atlas-2-review",
        ALEX,
        "Confirmed: the sandbox stays up until 23:59 Eastern on the sharing date. More keys on request.",
        _V.FIRM,
    ),
    CommentRow(
        "atlas-2-review",
        SAM,
        "We will send the chaining analysis requested in the send-back by tomorrow.",
        _V.FIRM,
        finding="cve-chaining",
    ),
    CommentRow(
        "lumen-4-review",
        CISA_REVIEWER,
        "CISA is coordinating with DOE contacts on the grid-operator partners named by Lumen.",
        _V.GOVERNMENT,
    ),
    CommentRow(
        "lumen-4-review",
        TREASURY_SUPERVISOR,
        "Lumen Labs: could you share the tenant-level monitoring thresholds for the cloud resellers?",
        _V.FIRM,
    ),
    CommentRow(
        "lumen-4-review",
        KIM,
        "Thresholds attached to the system card's next version; the new sharing date gives us time.",
        _V.FIRM,
    ),
)

# --- closeouts ----------------------------------------------------------------------------------

CLOSEOUTS: tuple[CloseoutRow, ...] = (
    CloseoutRow(
        "atlas-2-closeout",
        "atlas-2-closed",
        CISA_REVIEWER,
        (
            "Review of Atlas-2 concluded. One high-severity cyber finding is carried forward: Northwind "
            "declined to act before sharing, as is its right. The access-system finding was mitigated."
        ),
        CloseoutState.APPROVED,
        carried_forward=(("ot-exploits", "Northwind declined to act before sharing; see its response."),),
        decisions=(Decision(CISA_SUPERVISOR, approve=True), Decision(DOD_SUPERVISOR, approve=True)),
    ),
    CloseoutRow(
        "nimbus-closeout",
        "nimbus-closeout",
        DOD_REVIEWER,
        "Review of Nimbus-Agent 0.9 concluded: the one autonomy finding was mitigated and verified.",
        CloseoutState.PENDING,
        decisions=(Decision(DOD_SUPERVISOR, approve=True),),
    ),
    CloseoutRow(
        "lumen-3.5-closeout",
        "lumen-3.5-closed",
        TREASURY_REVIEWER,
        "Review of Lumen-3.5 concluded: one informational finding, acknowledged by Lumen Labs.",
        CloseoutState.APPROVED,
        decisions=(Decision(TREASURY_SUPERVISOR, approve=True),),
    ),
    CloseoutRow(
        "lumen-4-vision-returned",
        "lumen-4-vision-closeout",
        CISA_REVIEWER,
        "CISA's work is done; the DoD token finding is being fixed by Lumen.",
        CloseoutState.RETURNED,
        carried_forward=(("logged-tokens", "Lumen Labs is rotating tokens and scrubbing logs."),),
        decisions=(
            Decision(
                DOD_SUPERVISOR,
                approve=False,
                reason="Lumen says the fix has shipped: let us record their response before we conclude.",
            ),
        ),
    ),
    CloseoutRow(
        "lumen-4-vision-closeout",
        "lumen-4-vision-closeout",
        CISA_REVIEWER,
        "Review of Lumen-4 Vision concluded: both findings were mitigated and verified.",
        CloseoutState.PENDING,
        decisions=(Decision(CISA_SUPERVISOR, approve=True),),
    ),
)
