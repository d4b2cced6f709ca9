"""Who may do what to a case's tested configurations, its access ledger and its sharing
attestation, now: one rule per action, starting from the lifecycle table
(``cases.policy.LIFECYCLE``), then adding what the object says."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from cases.models import ReviewCase
from cases.policy import Standing, standing, step_refusal
from configurations.models import Configuration, SharingAttestation
from core.policy import Refusal, forbidden


def _held(actor: Any, case: ReviewCase, standing_: Standing | None) -> Standing:
    return standing_ if standing_ is not None else standing(actor, case)


def configuration_add_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    """The firm adds a configuration it offers while the case is open."""
    return step_refusal("configuration.add", actor, case, standing_=_held(actor, case, standing_))


def configuration_revise_refusal(
    actor: Any, configuration: Configuration, *, standing_: Standing | None = None
) -> Refusal | None:
    """The firm changes a configuration: a new version is made (a row is never edited), and only
    the current version can be changed."""
    case = configuration.case
    if refusal := step_refusal("configuration.revise", actor, case, standing_=_held(actor, case, standing_)):
        return refusal
    if not configuration.is_current:
        return Refusal(
            f"Version {configuration.version} of {configuration.name} has been superseded: change its current version."
        )
    return None


def ledger_record_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    """An assigned agency records its access periods and interruptions, once the firm has named a
    configuration to record them on."""
    if refusal := step_refusal("ledger.record", actor, case, standing_=_held(actor, case, standing_)):
        return refusal
    if not case.configurations.exists():
        return Refusal(f"The firm has not added a tested configuration to {case.reference} yet.", "no_configuration")
    return None


def ledger_comment_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    """The firm (or an assigned agency) remarks on a ledger entry it can see."""
    return step_refusal("ledger.comment", actor, case, standing_=_held(actor, case, standing_))


def sharing_attestation_due(case: ReviewCase, *, today: datetime.date | None = None) -> bool:
    """Has the case's sharing date arrived (program time zone)?"""
    if case.sharing_date is None:
        return False
    return (today or timezone.localdate()) >= case.sharing_date


def case_attest_sharing_refusal(
    actor: Any, case: ReviewCase, *, standing_: Standing | None = None, attested: bool | None = None
) -> Refusal | None:
    """On (or after) its sharing date, a liaison of the firm states, once, which configuration the
    firm shares with partners: a neutral, voluntary statement. ``attested``: whether the case has
    its attestation, when the caller has read it already (a page that shows it)."""
    held = _held(actor, case, standing_)
    if refusal := step_refusal("case.attest_sharing", actor, case, standing_=held):
        return refusal
    if attested is None:
        attested = SharingAttestation.objects.filter(case=case).exists()
    if attested:
        return Refusal(f"The firm has already attested what it shares for {case.reference}.", "attested")
    if not sharing_attestation_due(case):
        assert case.sharing_date is not None  # a submitted case has its dates
        return Refusal(f"The attestation is asked for on the sharing date, {case.sharing_date:%B %-d, %Y}.", "not_yet")
    return None


def attestation_differs_for(attestation: SharingAttestation | None, configuration: Configuration | None) -> bool:
    """Was a finding on ``configuration`` tested on a different configuration than the one shared?
    Yes when the firm attested a different configuration, or another tested one (another lineage);
    unknown (False) when it prefers not to say or has not attested."""
    if attestation is None or configuration is None:
        return False
    if attestation.choice == "different":
        return True
    if attestation.choice == "tested" and attestation.configuration is not None:
        return attestation.configuration.lineage != configuration.lineage
    return False


__all__ = [
    "attestation_differs_for",
    "case_attest_sharing_refusal",
    "configuration_add_refusal",
    "configuration_revise_refusal",
    "forbidden",
    "ledger_comment_refusal",
    "ledger_record_refusal",
    "sharing_attestation_due",
]
