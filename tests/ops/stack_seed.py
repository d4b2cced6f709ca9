"""Run inside the stack's environment (``scripts/stack.sh env``) by tests/ops/test_stack.py: makes
the people and cases a drill needs through the services, and prints them as JSON.

    python -m tests.ops.stack_seed people     a firm admin with TOTP, a draft case ready to submit
    python -m tests.ops.stack_seed reminder   a case in review whose window closes tomorrow
"""

from __future__ import annotations

import json
import sys
import uuid

import django


def main(what: str) -> dict[str, object]:
    from tests import builders

    # A fresh sequence of addresses in each run (the factory counts from 0 in every process).
    builders.UserFactory.reset_sequence(uuid.uuid4().int % 10**9)

    if what == "people":
        firm = builders.make_firm(f"Stack Firm {uuid.uuid4().hex[:8]}")
        liaison = builders.make_liaison(firm, is_admin=True)
        builders.enrol_totp(liaison)
        coordinator = builders.make_coordinator()
        case = builders.make_case(liaison, state="draft", uploaded=True)
        return {
            "email": liaison.email,
            "password": builders.PASSWORD,
            "secret": builders.totp_secret(liaison),
            "case": case.pk,
            "reference": case.reference,
            "coordinator": coordinator.email,
        }
    if what == "reminder":
        firm = builders.make_firm(f"Stack Reminder Firm {uuid.uuid4().hex[:8]}")
        liaison = builders.make_liaison(firm, is_admin=True)
        supervisor = builders.make_agency_member("dod", role="supervisor")
        reviewer = builders.make_agency_member("dod", role="reviewer")
        case = builders.make_case(
            liaison, state="in_review", days_to_sharing=1, window_days=10, reviewers={supervisor: reviewer}
        )
        members = [reviewer.email, supervisor.email]
        return {"case": case.pk, "reference": case.reference, "agency_members": members}
    raise SystemExit(f"unknown: {what}")


if __name__ == "__main__":
    django.setup()
    print(json.dumps(main(sys.argv[1])))
