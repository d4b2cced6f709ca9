"""``core.db.custom_plans``: the statements run inside are planned for their own parameters each
time (the search's words, the size of an agency's group), while every other statement keeps the
plan PostgreSQL made once for its connection; the setting never outlives the block on a connection
that the next request reuses.

These tests commit (``transaction=True``), as a request does: inside a test's own transaction the
block's setting would last until that transaction ends."""

from __future__ import annotations

import pytest
from django.db import connection

from core.db import custom_plans
from tests import builders

pytestmark = pytest.mark.django_db(transaction=True)


def _mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return str(cursor.fetchone()[0])


def _plans(*fragments: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of each statement prepared on this connection whose text holds
    every fragment."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return [(generic, custom) for text, generic, custom in cursor.fetchall() if all(f in text for f in fragments)]


def test_inside_the_block_and_only_there_each_statement_is_planned_for_its_parameters():
    assert _mode() == "auto"
    with custom_plans():
        assert _mode() == "force_custom_plan"
    assert _mode() == "auto"


def _fail_inside() -> None:
    with custom_plans():
        assert _mode() == "force_custom_plan"
        raise RuntimeError("the page failed")


def test_a_failure_inside_leaves_the_connection_as_it_was():
    with pytest.raises(RuntimeError, match="the page failed"):
        _fail_inside()
    assert _mode() == "auto"


def test_the_workload_plans_its_loads_for_the_agency_and_the_rest_of_the_page_keeps_its_plans(
    client_for, alex, coordinator, dod_supervisor, dod_reviewer
):
    builders.make_case(
        alex, state="in_review", coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}, lead=dod_reviewer
    )
    client = client_for(dod_supervisor)
    # psycopg prepares a statement at its sixth run; PostgreSQL may choose a generic plan from the
    # sixth run of the prepared statement on.
    for _ in range(12):
        assert client.get("/workload/").status_code == 200

    loads = _plans('COUNT("cases_reviewerassignment"."case_id")', "GROUP BY")
    unread = _plans('FROM "notifications_notification"', "COUNT(*)")  # the header's count, every page
    assert loads, "the loads' statement is prepared after twelve requests"
    assert unread, "the unread count's statement is prepared after twelve requests"
    assert all(generic == 0 and custom >= 6 for generic, custom in loads)
    assert any(generic > 0 for generic, _ in unread)  # a plan made once, as for every other statement
    assert _mode() == "auto"


def test_the_search_plans_its_statements_for_the_words(client_for, alex):
    builders.make_case(alex)
    client = client_for(alex)
    for word in ("model", "safety", "report", "eval", "weights", "model") * 2:
        assert client.get("/search/", {"q": word}).status_code == 200

    ranked = _plans("ts_rank(")
    assert len(ranked) == 4  # the four kinds, each prepared (parsed once)
    assert all(generic == 0 for generic, _ in ranked)
    assert any(generic > 0 for generic, _ in _plans('FROM "notifications_notification"', "COUNT(*)"))
    assert _mode() == "auto"
