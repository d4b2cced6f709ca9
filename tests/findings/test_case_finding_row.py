"""The case page's finding row (``{% case_finding_row %}``) writes what the template it replaced
wrote, and the case page lists its findings with it."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from findings.models import Finding
from tests import builders
from tests.html import normal_html

pytestmark = pytest.mark.django_db

# The row as a template, before it became one tag.
REFERENCE = """{% load checkpoint %}
      <tr>
        <th scope="row"><a href="{% url 'findings:detail' finding.pk %}">#{{ finding.pk }} {{ finding.title }}</a>{% if finding.shared_differs %}<br><span class="usa-tag bg-accent-warm-dark">Tested on a different configuration than shared</span>{% endif %}</th>
        <td>{{ finding.agency.short_name }}</td>
        <td>{% state_tag finding.severity finding.get_severity_display %}</td>
        <td>{% state_tag finding.state finding.get_state_display %}</td>
        <td>{{ finding.get_visibility_display }}</td>
      </tr>"""  # noqa: E501 - the template as it was
ROW = "{% load finding_rows %}{% case_finding_row finding %}"


def test_the_row_is_the_template_it_replaced(alex, dod_supervisor, dod_reviewer, client_for) -> None:
    case = builders.make_case(alex, state="in_review", reviewers={dod_supervisor: dod_reviewer})
    builders.draft(case, dod_reviewer, title="<script>alert(1)</script> & more", severity="critical")
    builders.draft(case, dod_reviewer, visibility="government", severity="low", category="cbrn")
    builders.released(case, dod_reviewer, dod_supervisor, visibility="firm", severity="medium")
    findings = list(Finding.objects.filter(case=case).select_related("agency").order_by("pk"))
    assert len(findings) == 3
    for finding in findings:
        for differs in (False, True):
            finding.shared_differs = differs
            context = Context({"finding": finding})
            assert normal_html(Template(ROW).render(context)) == normal_html(Template(REFERENCE).render(context))

    written = Template(ROW).render(Context({"finding": findings[0]}))
    assert "<script>" not in written
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in written

    page = client_for(dod_reviewer).get(f"/cases/{case.pk}/").content.decode()
    for finding in findings:
        assert f'<a href="/findings/{finding.pk}/">#{finding.pk} ' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
