"""The search page's hit (``{% search_hit %}``) writes what the template it replaced wrote, for
every kind, and the page lists its hits with it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template

from cases.models import AIModel
from documents.models import Document
from search.selectors import Filters, Kind, search_for, snippet_html
from tests import builders
from tests.html import normal_html

pytestmark = pytest.mark.django_db

# One hit as a template, before it became one tag.
REFERENCE = """{% load checkpoint %}
      <li class="margin-bottom-2">
        {% if group.kind == "case" %}
          <a href="{% url 'cases:detail' row.pk %}" class="text-bold">{{ row.reference }}</a> · {{ row.model.name }} {{ row.model.version }} · {% state_tag row.state row.get_state_display %}
        {% elif group.kind == "finding" %}
          <a href="{% url 'findings:detail' row.pk %}" class="text-bold">#{{ row.pk }} {{ row.title }}</a> · {{ row.case.reference }} · {{ row.agency.short_name }} · {{ row.get_category_display }} · {% state_tag row.severity row.get_severity_display %}
        {% elif group.kind == "comment" %}
          {% if row.finding_id %}<a href="{% url 'findings:detail' row.finding_id %}" class="text-bold">Comment on finding #{{ row.finding_id }}</a>{% else %}<a href="{% url 'cases:detail' row.case_id %}" class="text-bold">Comment on {{ row.case.reference }}</a>{% endif %} · {{ row.case.reference }} · {{ row.author.get_full_name }}
        {% else %}
          <a href="{% url 'documents:detail' row.pk %}" class="text-bold">{{ row.title }}</a> · {{ row.case.reference }} · {{ row.get_kind_display }} · {{ row.marking }}
        {% endif %}
        <p class="margin-y-05 text-base-dark">{{ row.snippet }}</p>
      </li>"""  # noqa: E501 - the template as it was
HIT = "{% load search_hits %}{% search_hit group.kind row %}"
MARKUP = "<script>alert(1)</script> & zebra"


def test_the_hit_is_the_template_it_replaced_for_every_kind(
    alex, coordinator, dod_reviewer, dod_supervisor, client_for
):
    case = builders.make_case(
        alex, state="in_review", coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    AIModel.objects.filter(pk=case.model_id).update(name="Zebra <b>Atlas</b>", version="2.0 & beta")
    finding = builders.released(case, dod_reviewer, dod_supervisor, title=MARKUP, description="A zebra prompt.")
    builders.comment(case, dod_reviewer, body=f"On the case: {MARKUP}")
    builders.comment(case, dod_reviewer, body=f"On the finding: {MARKUP}", finding=finding)
    document = builders.attach_document(case, alex, "other")
    Document.objects.filter(pk=document.pk).update(title=MARKUP)

    groups = {group.kind: group for group in search_for(dod_reviewer, "zebra", Filters())}
    rows = {kind: group.best(10) for kind, group in groups.items()}
    assert {kind: len(found) for kind, found in rows.items()} == {
        Kind.CASE: 1,
        Kind.FINDING: 1,
        Kind.COMMENT: 2,
        Kind.DOCUMENT: 1,
    }
    for kind, found in rows.items():
        for row in found:
            row.snippet = snippet_html(row.snippet_raw, ["zebra"], full_text=True)
            context = Context({"group": SimpleNamespace(kind=kind), "row": row})
            written = Template(HIT).render(context)
            assert normal_html(written) == normal_html(Template(REFERENCE).render(context))
            assert "<script>" not in written
            assert "<mark>" in written  # the snippet's highlight is kept, as safe HTML

    page = client_for(dod_reviewer).get("/search/", {"q": "zebra"}).content.decode()
    assert page.count('<li class="margin-bottom-2">') == 5
    assert f'<a href="/findings/{finding.pk}/" class="text-bold">#{finding.pk} &lt;script&gt;' in page
    assert "<script>alert(1)" not in page
