"""The case table's row (``{% case_row %}``) writes what the template it replaced wrote."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from cases.models import AIModel, ReviewCase
from tests import builders
from tests.html import normal_html

# The case table's row as a template, before it became one tag.
REFERENCE = """{% load checkpoint %}
    <tr>
      <th scope="row" data-label="Case" class="cp-ref"><a href="{% url 'cases:detail' case.pk %}">{{ case.reference }}</a></th>
      <td data-label="Model">{{ case.model }}</td>
      {% if show_firm %}<td data-label="Firm">{{ case.model.firm }}</td>{% endif %}
      <td data-label="State">{% state_tag case.state case.get_state_display %}</td>
      <td data-label="Sharing date">{% if case.sharing_date %}<span class="cp-nowrap">{{ case.sharing_date|day }}</span><br>{% if case.is_open %}{% days_left case.sharing_date %}{% endif %}{% else %}not set{% endif %}</td>
      {% if effective %}<td data-label="Effective access"><a href="{% url 'configurations:ledger' case.pk %}">{{ case.effective_days }} day{{ case.effective_days|pluralize }}<span class="usa-sr-only"> of effective access on {{ case.reference }}</span></a></td>{% endif %}
      <td data-label="Agencies">{% for assignment in case.agency_assignments.all %}{{ assignment.agency.short_name }}{% if flag_unstaffed and not assignment.staffed and case.is_open %} <span class="usa-tag bg-secondary-dark">no reviewer</span>{% endif %}{% if not forloop.last %}, {% endif %}{% empty %}none yet{% endfor %}</td>
    </tr>"""  # noqa: E501 - the template as it was

ROW = "{% load case_rows %}{% case_row case show_firm=show_firm effective=effective flag_unstaffed=flag_unstaffed %}"


@pytest.fixture
def cases(alex, dod_supervisor, dod_reviewer) -> list[ReviewCase]:
    draft = builders.make_case(alex)
    ReviewCase.objects.filter(pk=draft.pk).update(sharing_date=None, access_date=None)
    staffed = builders.make_case(
        alex, state="in_review", agencies=("dod", "treasury"), reviewers={dod_supervisor: dod_reviewer}
    )
    closed = builders.make_case(alex, state="closed", agencies=("cisa",))
    ReviewCase.objects.filter(pk=closed.pk).update(sharing_date=builders.days(-3))
    AIModel.objects.filter(pk=closed.model_id).update(name="<b>Atlas</b> & co")
    rows = list(
        ReviewCase.objects.filter(pk__in=[draft.pk, staffed.pk, closed.pk])
        .select_related("model__firm")
        .prefetch_related("agency_assignments__agency")
        .order_by("pk")
    )
    for case, days in zip(rows, [0.0, 1.0, 12.5], strict=True):
        case.effective_days = days
    return rows


@pytest.mark.parametrize("show_firm", [False, True])
@pytest.mark.parametrize("effective", [False, True])
@pytest.mark.parametrize("flag_unstaffed", [False, True])
def test_the_row_is_the_template_it_replaced(cases, show_firm, effective, flag_unstaffed) -> None:
    for case in cases:
        context = Context(
            {"case": case, "show_firm": show_firm, "effective": effective, "flag_unstaffed": flag_unstaffed}
        )
        assert normal_html(Template(ROW).render(context)) == normal_html(Template(REFERENCE).render(context))


def test_what_a_firm_typed_is_escaped(cases) -> None:
    closed = cases[2]
    written = Template(ROW).render(Context({"case": closed, "show_firm": True, "effective": True}))
    assert "<b>" not in written
    assert "&lt;b&gt;Atlas&lt;/b&gt; &amp; co" in written


def test_what_the_rows_say(cases) -> None:
    draft, staffed, closed = (
        Template(ROW).render(Context({"case": case, "effective": True, "flag_unstaffed": True})) for case in cases
    )
    assert "not set" in draft
    assert "none yet" in draft
    assert "0.0 days" in draft
    assert "Treasury no reviewer, DoD" in re.sub(r"<[^>]+>", "", staffed)  # the assignments in their order
    assert staffed.count("no reviewer") == 1  # Treasury has none; DoD has its reviewer
    assert "1.0 day<" in staffed
    assert "no reviewer" not in closed
    assert "days left" not in closed
    assert "12.5 days" in closed
