"""The suite's own refusal checks (tests/assertions.py) must be able to fail: a refusal that says
something else, or that leaves a row behind, is caught; the record of the refusal itself is not
counted as a change."""

from __future__ import annotations

import pytest

from audit.services import audit_record, audit_refusal
from core.errors import DomainError
from tests import builders
from tests.assertions import database_digest, refused, rows_unchanged


def test_a_refusal_with_its_message_that_changes_nothing_passes(db):
    with refused("No.", code="forbidden") as caught:
        raise DomainError("No.", code="forbidden")
    assert caught.value.message == "No."


@pytest.mark.parametrize(
    ("said", "code"), [("No, sorry.", "forbidden"), ("No.", "refused")], ids=["other message", "other code"]
)
def test_a_refusal_that_says_something_else_fails(db, said, code):
    with pytest.raises(AssertionError, match="expected"), refused("No.", code="forbidden"):
        raise DomainError(said, code=code)


def test_no_refusal_fails(db):
    with pytest.raises(pytest.fail.Exception), refused("No."):
        pass


def test_a_refusal_that_leaves_a_row_behind_fails_naming_the_table(db):
    def make_a_firm_then_refuse() -> None:
        builders.make_firm("Left behind")
        raise DomainError("No.")

    with pytest.raises(AssertionError, match=r"firms\.Firm"), refused("No."):
        make_a_firm_then_refuse()


def test_a_changed_row_fails_rows_unchanged_and_a_note_names_the_attempt(db, alex):
    renamed = r"renaming: rows of \['accounts\.User'\] changed"
    with pytest.raises(AssertionError, match=renamed), rows_unchanged(note="renaming"):
        type(alex).objects.filter(pk=alex.pk).update(full_name="Someone else")


def test_the_record_of_a_refusal_is_not_a_change(db, alex):
    with rows_unchanged():
        audit_refusal(actor=alex, data={"path": "/cases/1/"})
        audit_refusal(actor=alex, data={"path": "/cases/2/"})  # counted in the minute's tally


def test_any_other_audit_event_is_a_change(db, alex):
    before = database_digest()
    audit_record(actor=alex, action="auth.login", target=alex)
    assert database_digest() != before
