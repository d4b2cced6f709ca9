"""A finding refers only to document versions of its own case that its author can see; so does
the firm's response."""

from findings.models import Finding
from findings.services import finding_edit, finding_respond
from tests import builders
from tests.assertions import audit_actions, refused
from tests.builders import draft, released, working_file

ONLY_THIS_CASE = "Findings can only refer to document versions of this case that you can see."


def _version(document):
    return document.versions.get()


def test_a_finding_refers_to_versions_of_its_case(case, alex, dod_reviewer, treasury_reviewer):
    report = _version(builders.attach_document(case, alex, "red_team_report"))
    notes = working_file(case, treasury_reviewer, "treasury", visibility="government")
    finding = draft(case, dod_reviewer, related_versions=[report, notes])
    assert set(finding.related_versions.all()) == {report, notes}


def test_a_version_of_another_case_is_refused(case, alex, kim, coordinator, dod_reviewer):
    other = builders.make_case(alex, state="in_review", agencies=("dod",), coordinator=coordinator)
    lumen = builders.make_case(kim, state="in_review", agencies=("dod",), coordinator=coordinator)
    mine = _version(builders.attach_document(case, alex, "evaluation_report"))
    for foreign in (_version(other.documents.first()), _version(lumen.documents.first())):
        with refused(ONLY_THIS_CASE):
            draft(case, dod_reviewer, related_versions=[mine, foreign])


def test_a_version_hidden_from_the_author_is_refused(case, dod_reviewer, treasury_reviewer):
    treasury_only = working_file(case, treasury_reviewer, "treasury", visibility="agency")
    with refused(ONLY_THIS_CASE):
        draft(case, dod_reviewer, related_versions=[treasury_only])


def test_an_edit_may_change_the_versions_but_not_to_another_cases(case, alex, coordinator, dod_reviewer):
    report = _version(builders.attach_document(case, alex, "red_team_report"))
    finding = draft(case, dod_reviewer)
    finding_edit(finding=finding, actor=dod_reviewer, related_versions=[report])
    assert list(finding.related_versions.all()) == [report]
    assert audit_actions(finding) == ["finding.drafted", "finding.edited"]

    other = builders.make_case(alex, state="in_review", agencies=("dod",), coordinator=coordinator)
    with refused(ONLY_THIS_CASE):
        finding_edit(
            finding=finding, actor=dod_reviewer, title="Retitled", related_versions=[_version(other.documents.first())]
        )
    assert finding.title != "Retitled"  # the caller's object is left as it was, too
    assert Finding.objects.get(pk=finding.pk).related_versions.get() == report


def test_the_firms_response_attaches_only_its_cases_documents(case, alex, coordinator, dod_reviewer, dod_supervisor):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    other = builders.make_case(alex, state="in_review", agencies=("dod",), coordinator=coordinator)
    with refused(ONLY_THIS_CASE):
        finding_respond(
            finding=finding,
            actor=alex,
            choice="mitigated",
            text="See the patch notes.",
            documents=[_version(other.documents.first())],
        )
    patch_notes = _version(builders.attach_document(case, alex, "other"))
    response = finding_respond(
        finding=finding, actor=alex, choice="mitigated", text="See the patch notes.", documents=[patch_notes]
    )
    assert list(response.documents.all()) == [patch_notes]
