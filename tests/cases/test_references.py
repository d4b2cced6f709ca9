"""Case references: CP-<year>-0001 upward, unique and gap-free, even when many liaisons open cases
at the same moment, and when a creation fails after taking its number."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DataError, connection

from audit.models import AuditEvent
from cases import services
from cases.models import ReferenceCounter, ReviewCase
from cases.services import case_create
from tests import builders
from tests.builders import today

THREADS = 8
CASES_PER_THREAD = 5
NEW_YORK = ZoneInfo("America/New_York")


def numbers(year: int) -> list[int]:
    references = ReviewCase.objects.values_list("reference", flat=True)
    assert all(ref.startswith(f"CP-{year}-") for ref in references), list(references)
    return sorted(int(ref.rsplit("-", 1)[1]) for ref in references)


def test_references_count_up_from_0001_in_four_digits(alex):
    model = builders.make_model(alex)
    cases = [case_create(model=model, actor=alex) for _ in range(3)]
    year = today().year
    assert [c.reference for c in cases] == [f"CP-{year}-0001", f"CP-{year}-0002", f"CP-{year}-0003"]


def test_the_year_is_the_programs_year_not_utcs(alex):
    model = builders.make_model(alex)
    # 23:30 on New Year's Eve in Washington is already 1 January in UTC.
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=NEW_YORK), tick=False):
        last_of_2026 = case_create(model=model, actor=alex)
    with time_machine.travel(datetime.datetime(2027, 1, 1, 0, 30, tzinfo=NEW_YORK), tick=False):
        first_of_2027 = case_create(model=model, actor=alex)
    assert last_of_2026.reference == "CP-2026-0001"
    assert first_of_2027.reference == "CP-2027-0001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gives_distinct_gap_free_references(alex):
    model = builders.make_model(alex)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def open_cases() -> None:
        try:
            start.wait()
            for _ in range(CASES_PER_THREAD):
                case_create(model=model, actor=alex)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=open_cases) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors

    total = THREADS * CASES_PER_THREAD
    assert numbers(today().year) == list(range(1, total + 1))
    assert ReferenceCounter.objects.get(year=today().year).last_number == total
    assert AuditEvent.objects.filter(action="case.created").count() == total


@pytest.mark.django_db(transaction=True)
def test_a_creation_that_fails_after_taking_its_number_leaves_no_gap(alex, monkeypatch):
    model = builders.make_model(alex)
    case_create(model=model, actor=alex)
    record = services.audit_record

    def record_then_fail_in_the_database(**kwargs):
        # The number is taken, the case row and its audit event are written: then the
        # database refuses a statement of the same transaction.
        record(**kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(services, "audit_record", record_then_fail_in_the_database)
    with pytest.raises(DataError):
        case_create(model=model, actor=alex)
    monkeypatch.undo()

    assert numbers(today().year) == [1]
    assert AuditEvent.objects.filter(action="case.created").count() == 1
    following = case_create(model=model, actor=alex)
    assert following.reference == f"CP-{today().year}-0002"
    assert numbers(today().year) == [1, 2]
