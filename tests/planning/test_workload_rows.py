"""The workload's rows (``{% workload_case_row %}``, ``{% reviewer_load_row %}``) write what the
template lines they replaced wrote."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from accounts.models import User
from cases import services as case_services
from planning import selectors
from tests import builders
from tests.html import normal_html

pytestmark = pytest.mark.django_db

# The rows as template lines, before each became one tag.
CASE_ROW = """{% load checkpoint %}
    <tr><td class="cp-ref"><a href="{% url 'cases:detail' case.pk %}">{{ case.reference }}</a></td><td>{% state_tag case.state case.get_state_display %}</td><td><span class="cp-nowrap">{{ case.sharing_date|day }}</span> ({% days_left case.sharing_date %})</td>
      <td>{% for assignment in case.agency_reviewers %}{{ assignment.reviewer.get_full_name }}{% if assignment.is_lead %} (lead){% endif %}{% if not forloop.last %}, {% endif %}{% empty %}<span class="text-bold">No reviewer</span>{% endfor %}</td></tr>"""  # noqa: E501 - the template as it was
LOAD_ROW = """{% load checkpoint %}
    <tr><td>{{ load.reviewer.get_full_name }}</td><td>{{ load.cases }}</td><td>{{ load.leads }}</td><td>{% if load.nearest %}<span class="cp-nowrap">{{ load.nearest|day }}</span> ({% days_left load.nearest %}){% else %}—{% endif %}</td></tr>"""  # noqa: E501 - the template as it was


def test_the_rows_are_the_template_lines_they_replaced(alex, coordinator, dod_supervisor, dod_reviewer) -> None:
    second = builders.make_agency_member("dod", email="second@dod.test")
    User.objects.filter(pk=second.pk).update(full_name="<i>Robin</i> & Lee")
    builders.make_agency_member("dod", email="idle@dod.test")  # no case: no nearest date
    builders.make_case(
        alex,
        state="in_review",
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
        lead=dod_reviewer,
        days_to_sharing=1,
    )
    shared = builders.make_case(
        alex, state="in_review", coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    builders.make_case(alex, state="in_review", coordinator=coordinator, days_to_sharing=9)  # no reviewer
    case_services.case_assign_reviewers(case=shared, reviewers=[second], lead=None, actor=dod_supervisor)
    agency = dod_supervisor.agency_membership.agency_id
    cases = list(selectors.agency_active_cases(agency_id=agency, viewer=dod_supervisor))
    loads = selectors.agency_workload(agency_id=agency, viewer=dod_supervisor).reviewers
    assert len(cases) == 3
    assert len(loads) >= 3

    for case in cases:
        context = Context({"case": case})
        written = Template("{% load workload_rows %}{% workload_case_row case %}").render(context)
        assert normal_html(written) == normal_html(Template(CASE_ROW).render(context))
    for load in loads:
        context = Context({"load": load})
        written = Template("{% load workload_rows %}{% reviewer_load_row load %}").render(context)
        assert normal_html(written) == normal_html(Template(LOAD_ROW).render(context))

    page = "".join(
        Template("{% load workload_rows %}{% workload_case_row case %}").render(Context({"case": case}))
        for case in cases
    )
    assert "&lt;i&gt;Robin&lt;/i&gt; &amp; Lee" in page
    assert "<i>" not in page
    assert "No reviewer" in page
    assert f"{dod_reviewer.get_full_name()} (lead)" in page
