"""Who may read an open case's interim report (core.policy's shape). Stored records are read by
their readers (``records.selectors.reader_groups``), granted when the record is stored."""

from __future__ import annotations

from cases.models import CaseState, ReviewCase
from cases.policy import Role, Standing
from core.policy import Refusal, forbidden


def interim_report_refusal(case: ReviewCase, standing_: Standing) -> Refusal | None:
    if Role.FIRM not in standing_.roles and standing_.membership is None:
        return forbidden("A case's report is read by the firm's liaisons and the assigned agencies.")
    if case.state == CaseState.CLOSED:
        return Refusal("This case is closed: its closeout records are stored, and listed on the case page.")
    if case.state == CaseState.WITHDRAWN:
        return Refusal("The firm withdrew this case: a withdrawn review has no report.")
    return None
