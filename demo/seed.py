"""The engine of the demo: it loops over the tables of ``demo.data`` and drives every row through
the services to the state the row names, in the order a real program would have produced it.

Nothing is written around the services (apart from the accounts, which production creates by
invitation), so the permissions, the audit log and the in-app notices are the ones production
would have. A row that the services accept but that ends in another state than it names is a
mistake in the tables: ``DemoDataError`` says which, and the caller's transaction undoes it all.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from accounts.services import coordinator_appoint
from agencies.models import Agency, AgencyRole
from agencies.services import agency_membership_add
from audit.actions import AuditAction
from audit.services import audit_record
from cases.models import AIModel, CaseState, Closeout, ReviewCase
from cases.services import ai_model_register, case_assign_reviewers, case_create, case_move_sharing_date, case_withdraw
from configurations.models import Configuration
from configurations.selectors import program_midnight
from configurations.services import (
    access_period_record,
    configuration_add,
    interruption_record,
    ledger_comment_add,
    sharing_attest,
)
from demo import data
from demo.data import AGENCY_ROLES, AccessRow, Account, CaseRow, CloseoutRow, DocumentRow, FindingRow, Role
from documents.services import document_create
from findings.models import Finding, FindingState, TargetKind
from findings.services import (
    comment_add,
    finding_draft,
    finding_release,
    finding_request_release,
    finding_resolve,
    finding_respond,
    finding_send_back,
    finding_withdraw,
)
from firms.models import Firm
from firms.services import firm_create, firm_membership_add
from workflow.services import case_assign_agencies, case_submit, closeout_decide, closeout_request

FIRM_ROLES = (Role.FIRM_ADMIN, Role.LIAISON)


class DemoDataError(Exception):
    """The tables contradict themselves (a row ends in another state than it names)."""


def seed(*, today: datetime.date, on_step: Callable[[int], None] | None = None) -> None:
    """Load every table of ``demo.data``, with days counted from ``today``. Run it in a
    transaction: a refusal midway leaves what was made before it. ``on_step`` is called after the
    people and after each model and case (``seed_steps()`` in all), for a progress bar."""
    _Seeder(today, on_step).run()


def seed_steps() -> int:
    return 1 + len(data.MODELS) + len(data.CASES)


class _Seeder:
    def __init__(self, today: datetime.date, on_step: Callable[[int], None] | None = None) -> None:
        self.today = today
        self.step = on_step or (lambda n: None)
        self.words = data.load_day_words(today)
        self.accounts = {account.email: account for account in data.ACCOUNTS}
        self.people: dict[str, User] = {}
        self.firms: dict[str, Firm] = {}
        self.agencies = {agency.code: agency for agency in Agency.objects.all()}
        self.agency_named = {agency.short_name: agency for agency in self.agencies.values()}
        self.models: dict[str, AIModel] = {}
        self.cases: dict[str, ReviewCase] = {}
        self.findings: dict[str, Finding] = {}
        self.closeouts: dict[str, Closeout] = {}

    def run(self) -> None:
        self.load_people()
        self.step(1)
        for model in data.MODELS:
            self.load_model(model)
            self.step(1)
        for case in data.CASES:
            self.load_case(case)
            self.step(1)

    # --- helpers -----------------------------------------------------------------------------------

    def day(self, offset: int | None) -> datetime.date | None:
        return None if offset is None else self.today + datetime.timedelta(days=offset)

    def agency_code_of(self, email: str) -> str | None:
        """The code of the agency the account belongs to (None: not an agency's)."""
        account = self.accounts[email]
        return self.agency_named[account.organisation].code if account.role in AGENCY_ROLES else None

    def member(self, code: str, role: AgencyRole) -> User:
        """The demo's first account in ``role`` at the agency ``code``."""
        for account in data.ACCOUNTS:
            if self.agency_code_of(account.email) == code and AGENCY_ROLES[account.role] == role:
                return self.people[account.email]
        raise DemoDataError(f"No demo account is a {role} of {self.agencies[code].short_name}.")

    # --- people and organisations ----------------------------------------------------------------

    def load_people(self) -> None:
        # The demo password is public: one hash for all accounts saves a second of start-up.
        password = make_password(data.DEMO_PASSWORD)
        for account in data.ACCOUNTS:
            user = User.objects.create_user(email=account.email, full_name=account.full_name)
            user.password = password
            user.save(update_fields=["password"])
            audit_record(
                actor=None, action=AuditAction.USER_CREATED, target=user, data={"email": user.email, "demo": True}
            )
        coordinators = [account.email for account in data.ACCOUNTS if account.role == Role.COORDINATOR]
        for email in coordinators:
            coordinator_appoint(user=User.objects.get(email=email), actor=None)
        coordinator = User.objects.get(email=coordinators[0])
        for name in data.FIRMS:
            self.firms[name] = firm_create(name=name, actor=coordinator)
        # The coordinator brings in each organisation's first people; they bring in their colleagues.
        placed = set(coordinators)
        waiting = [account for account in data.ACCOUNTS if account.role != Role.COORDINATOR]
        while waiting:
            ready = [account for account in waiting if (account.added_by or coordinators[0]) in placed]
            if not ready:
                raise DemoDataError(f"Nobody can add {', '.join(account.email for account in waiting)}.")
            for account in ready:
                self.add_member(account, actor=User.objects.get(email=account.added_by or coordinators[0]))
                placed.add(account.email)
            waiting = [account for account in waiting if account.email not in placed]
        # Read once more, so that each person's organisation is the one just given.
        self.people = {user.email: user for user in User.objects.filter(email__in=self.accounts)}
        self.coordinator = self.people[coordinators[0]]

    def add_member(self, account: Account, *, actor: User) -> None:
        user = User.objects.get(email=account.email)
        if account.role in FIRM_ROLES:
            firm_membership_add(
                firm=self.firms[account.organisation], user=user, is_admin=account.role == Role.FIRM_ADMIN, actor=actor
            )
        else:
            agency_membership_add(
                agency=self.agency_named[account.organisation], user=user, role=AGENCY_ROLES[account.role], actor=actor
            )

    def load_model(self, row: data.ModelRow) -> None:
        model = ai_model_register(
            actor=self.people[row.registered_by],
            name=row.name,
            version=row.version.format_map(self.words),
            description=row.description,
            modalities=list(row.modalities),
            intended_partners=row.intended_partners,
        )
        if model.firm.name != row.firm:
            raise DemoDataError(f"{row.key}: registered for {model.firm.name}, not {row.firm}.")
        self.models[row.key] = model

    # --- cases ---------------------------------------------------------------------------------

    def load_case(self, row: CaseRow) -> None:
        opener = self.people[row.opened_by]
        case = case_create(
            model=self.models[row.model],
            actor=opener,
            access_date=self.day(row.access),
            sharing_date=self.day(row.sharing),
            trusted_partners=row.partners,
            model_snapshot=row.snapshot.format_map(self.words),
            safeguard_configuration=row.safeguards,
            evaluator_access=row.evaluator_access,
        )
        self.cases[row.key] = case
        self.load_configurations(case, row)
        documents = [document for document in data.DOCUMENTS if document.case == row.key]
        for document in documents:
            if self.accounts[document.uploaded_by].role in FIRM_ROLES:
                self.upload(case, document)
        if row.state != CaseState.DRAFT:
            case = case_submit(case=case, actor=opener)
        if row.agencies:
            case = case_assign_agencies(
                case=case, agencies=[self.agencies[code] for code in row.agencies], actor=self.coordinator
            )
            for code in row.agencies:
                team = [self.people[email] for email in row.reviewers if self.agency_code_of(email) == code]
                if team:
                    supervisor = self.member(code, AgencyRole.SUPERVISOR)
                    case = case_assign_reviewers(case=case, reviewers=team, lead=team[0], actor=supervisor)
        for document in documents:
            if self.accounts[document.uploaded_by].role not in FIRM_ROLES:
                self.upload(case, document)
        if row.sharing_moved_to is not None:
            moved_to = self.today + datetime.timedelta(days=row.sharing_moved_to)
            case = case_move_sharing_date(
                case=case, new_sharing_date=moved_to, reason=row.sharing_move_reason, actor=opener
            )
        for entry in data.LEDGER:
            if entry.case == row.key:
                self.load_ledger(case, entry)
        findings = [finding for finding in data.FINDINGS if finding.case == row.key]
        for finding in findings:
            self.load_finding(case, finding)
        for comment in data.COMMENTS:
            if comment.case == row.key:
                comment_add(
                    case=case,
                    actor=self.people[comment.author],
                    body=comment.body,
                    visibility=comment.visibility,
                    finding=self.findings[comment.finding] if comment.finding else None,
                )
        for closeout in data.CLOSEOUTS:
            if closeout.case == row.key:
                self.load_closeout(case, closeout)
                for finding in findings:
                    if finding.answered_after == closeout.key:
                        self.answer(finding)
        for attestation in data.ATTESTATIONS:
            if attestation.case == row.key:
                sharing_attest(
                    case=case,
                    actor=self.people[attestation.by],
                    choice=attestation.choice,
                    configuration=self.configuration(case, attestation.configuration)
                    if attestation.configuration
                    else None,
                    different_description=attestation.description,
                )
        if row.state == CaseState.WITHDRAWN:
            case_withdraw(case=case, actor=opener, reason=row.withdrawal_reason)
        self.check(row, findings)

    # --- tested configurations and the access ledger ------------------------------------------------

    def load_configurations(self, case: ReviewCase, row: CaseRow) -> None:
        """The case's rows of ``CONFIGURATIONS``, or one made from its own snapshot and safeguards."""
        rows = [configuration for configuration in data.CONFIGURATIONS if configuration.case == row.key]
        opener = self.people[row.opened_by]
        if not rows:
            configuration_add(
                case=case,
                actor=opener,
                name=f"{case.model.name} as offered",
                snapshot=row.snapshot.format_map(self.words) or "to be named",
                safeguard_version="as in the system card",
                access_variant="production_safeguards",
                access_method="Hosted API",
            )
            return
        for configuration in rows:
            configuration_add(
                case=case,
                actor=opener,
                name=configuration.name,
                snapshot=configuration.snapshot.format_map(self.words),
                fingerprint=configuration.fingerprint,
                safeguard_version=configuration.safeguard_version,
                access_variant=configuration.access_variant,
                access_variant_other=configuration.variant_other,
                access_method=configuration.access_method,
                notes=configuration.notes,
            )

    def configuration(self, case: ReviewCase, name: str) -> Configuration:
        current = Configuration.objects.filter(case=case, superseded_at__isnull=True).order_by("pk")
        found = current.filter(name=name).first() if name else current.first()
        if found is None:
            raise DemoDataError(f"{case.reference} has no configuration named {name!r}.")
        return found

    def moment(self, at: tuple[int, int]) -> datetime.datetime:
        day = self.day(at[0])
        assert day is not None
        return program_midnight(day) + datetime.timedelta(hours=at[1])

    def load_ledger(self, case: ReviewCase, row: AccessRow) -> None:
        recorder = self.people[row.recorded_by]
        configuration = self.configuration(case, row.configuration)
        end = self.moment(row.end) if row.end else None
        if row.cause:
            assert end is not None, "an interruption ends"
            interruption = interruption_record(
                case=case,
                configuration=configuration,
                actor=recorder,
                started_at=self.moment(row.start),
                ended_at=end,
                cause=row.cause,
                note=row.note,
                visibility=row.visibility,
            )
            if row.firm_comment:
                ledger_comment_add(
                    actor=self.people[row.firm_commenter], body=row.firm_comment, interruption=interruption
                )
            return
        period = access_period_record(
            case=case,
            configuration=configuration,
            actor=recorder,
            started_at=self.moment(row.start),
            ended_at=end,
            confirmed_by=row.confirmed_by,
            visibility=row.visibility,
        )
        if row.firm_comment:
            ledger_comment_add(actor=self.people[row.firm_commenter], body=row.firm_comment, period=period)

    def upload(self, case: ReviewCase, row: DocumentRow) -> None:
        """Through the documents service: the same checks, storage and audit as the portal."""
        uploader = self.people[row.uploaded_by]
        content = row.content(case, uploader)
        document_create(
            case=case,
            kind=row.kind,
            title=row.title.format(model=case.model.name),
            marking=row.marking,
            upload=SimpleUploadedFile(row.file_name, content.encode() if isinstance(content, str) else content),
            actor=uploader,
            visibility=row.visibility,
        )

    # --- findings and closeouts --------------------------------------------------------------------

    def load_finding(self, case: ReviewCase, row: FindingRow) -> None:
        """Drafted by its author; released by the agency's supervisor (two-person rule) unless it
        stays a draft; answered now, or once the closeout it waits for is decided."""
        author = self.member(row.agency, row.author)
        finding = finding_draft(
            case=case,
            actor=author,
            title=row.title,
            description=row.description,
            category=row.category,
            severity=row.severity,
            target_kind=TargetKind.SAFEGUARD if row.component else TargetKind.MODEL,
            target_component=row.component,
            visibility=row.visibility,
            response_due=self.day(row.due),
            configuration=self.configuration(case, row.configuration),
        )
        self.findings[row.key] = finding
        if row.state == FindingState.DRAFT:
            if row.release_requested:
                finding_request_release(finding=finding, actor=author)
            return
        finding_release(finding=finding, actor=self.member(row.agency, AgencyRole.SUPERVISOR))
        if not row.answered_after:
            self.answer(row)

    def answer(self, row: FindingRow) -> None:
        """The firm's responses (each sent back or not), then the author's resolution or withdrawal."""
        finding = self.findings[row.key]
        author = self.member(row.agency, row.author)
        for response in row.responses:
            finding_respond(finding=finding, actor=self.people[response.by], choice=response.choice, text=response.text)
            if response.sent_back:
                finding_send_back(finding=finding, actor=author, reason=response.sent_back)
        if row.state == FindingState.RESOLVED:
            finding_resolve(finding=finding, actor=author, note=row.resolution_note)
        elif row.state == FindingState.WITHDRAWN:
            finding_withdraw(finding=finding, actor=author, reason=row.withdrawal_reason)

    def load_closeout(self, case: ReviewCase, row: CloseoutRow) -> None:
        closeout = closeout_request(
            case=case,
            actor=self.people[row.requested_by],
            summary=row.summary,
            carried_forward={self.findings[key].pk: reason for key, reason in row.carried_forward},
        )
        for decision in row.decisions:
            closeout_decide(
                closeout=closeout,
                actor=self.people[decision.by],
                approve=decision.approve,
                reason=decision.reason,
                statement=decision.statement,
            )
        self.closeouts[row.key] = closeout

    def check(self, row: CaseRow, findings: list[FindingRow]) -> None:
        """Each object of the case is in the state its row names."""
        wrong: list[str] = []

        def compare(key: str, reached: str, named: str) -> None:
            if reached != named:
                wrong.append(f"{key} is {reached}, its row says {named}")

        compare(row.key, ReviewCase.objects.get(pk=self.cases[row.key].pk).state, row.state)
        for finding in findings:
            stored = Finding.objects.get(pk=self.findings[finding.key].pk)
            compare(finding.key, stored.state, finding.state)
            asked = "release requested" if stored.release_requested_at else "no release requested"
            compare(finding.key, asked, "release requested" if finding.release_requested else "no release requested")
        for closeout in data.CLOSEOUTS:
            if closeout.case == row.key:
                compare(closeout.key, Closeout.objects.get(pk=self.closeouts[closeout.key].pk).state, closeout.state)
        if wrong:
            raise DemoDataError("; ".join(wrong))
