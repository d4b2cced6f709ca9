"""The agencies page counts each agency's members and assigned cases (each its own subquery: they
must not multiply each other)."""

from __future__ import annotations

import re

import pytest

from agencies.models import Agency
from tests import builders

pytestmark = pytest.mark.django_db


def test_members_and_cases_are_counted_apart(client_for, alex, coordinator, dod_reviewer, dod_supervisor):
    for _ in range(3):
        builders.make_case(alex, state="in_review", agencies=("dod",), coordinator=coordinator)
    page = client_for(coordinator).get("/agencies/").content.decode()
    dod, cisa = Agency.objects.get(code="dod"), Agency.objects.get(code="cisa")
    row = re.search(rf'agencies/{dod.pk}/".*?<td>(\d+)</td><td>(\d+)</td>', page)
    assert row is not None
    assert row.groups() == ("2", "3")
    assert re.search(rf'agencies/{cisa.pk}/".*?<td>0</td><td>0</td>', page)
