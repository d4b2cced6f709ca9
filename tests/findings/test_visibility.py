"""Who sees which finding (docs/design.md, "Who sees what"), as a matrix over the people of the
fixtures. The case belongs to Northwind and is assigned to DoD and Treasury, not CISA; DoD wrote
one finding at each visibility, in draft and released."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency
from audit.models import AuditEvent
from audit.services import flush_refusal_tallies
from findings.selectors import findings_for, get_finding_for
from findings.services import finding_release
from tests import builders
from tests.builders import draft, released
from workflow.services import case_assign_agencies

PEOPLE = (
    "dod_reviewer",
    "dod_supervisor",
    "treasury_reviewer",
    "treasury_supervisor",
    "cisa_reviewer",
    "alex",
    "sam",
    "kim",
    "coordinator",
)
EVERY_FINDING = {
    "draft agency",
    "draft government",
    "draft firm",
    "released agency",
    "released government",
    "released firm",
}
SHARED_WITH_TREASURY = {"released government", "released firm"}

EXPECTED = {
    "dod_reviewer": EVERY_FINDING,
    "dod_supervisor": EVERY_FINDING,
    "treasury_reviewer": SHARED_WITH_TREASURY,
    "treasury_supervisor": SHARED_WITH_TREASURY,
    "cisa_reviewer": set(),  # CISA is not assigned
    "alex": {"released firm"},
    "sam": {"released firm"},
    "kim": set(),  # another firm
    "coordinator": set(),  # case metadata only
}


@pytest.fixture
def findings(case, dod_reviewer, dod_supervisor):
    built = {}
    for visibility in ("agency", "government", "firm"):
        built[f"draft {visibility}"] = draft(case, dod_reviewer, visibility=visibility, title=f"draft {visibility}")
        built[f"released {visibility}"] = released(
            case, dod_reviewer, dod_supervisor, visibility=visibility, title=f"released {visibility}"
        )
    return built


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in PEOPLE}


def _seen_through_the_list(user):
    return set(findings_for(user).values_list("title", flat=True))


def _seen_one_by_one(user, findings):
    seen = set()
    for name, finding in findings.items():
        try:
            fetched = get_finding_for(user, finding.pk)
        except Http404:
            continue
        assert fetched == finding
        seen.add(name)
    return seen


def test_who_sees_which_finding(findings, people):
    listed = {name: _seen_through_the_list(user) for name, user in people.items()}
    fetched = {name: _seen_one_by_one(user, findings) for name, user in people.items()}
    assert listed == EXPECTED
    assert fetched == EXPECTED


def test_a_refused_fetch_answers_404_like_a_missing_one_and_is_recorded(findings, alex):
    hidden = findings["released government"]
    missing_pk = max(f.pk for f in findings.values()) + 1000
    before = AuditEvent.objects.count()
    for pk in (hidden.pk, missing_pk, "not-a-number"):
        with pytest.raises(Http404) as refusal:
            get_finding_for(alex, pk)
        assert str(refusal.value) == "No such object, or it is not yours to see."
    # The first refusal of the minute is an event of its own; the others are counted, and the
    # count is logged once the minute is over (audit.services.audit_refusal).
    [first] = AuditEvent.objects.filter(action="access.refused")
    assert AuditEvent.objects.count() == before + 1
    assert (first.actor, first.data["object_id"]) == (alex, str(hidden.pk))
    flush_refusal_tallies(now=timezone.now() + datetime.timedelta(minutes=1))
    [repeated] = AuditEvent.objects.filter(action="access.refused_repeated")
    assert (repeated.actor, repeated.data["count"], repeated.data["first_event"]) == (alex, 2, first.pk)


def test_an_agency_assigned_later_sees_the_shared_findings_but_not_dods_own(
    case, findings, people, coordinator, dod_supervisor, other_dod_supervisor
):
    cisa = people["cisa_reviewer"]
    case_assign_agencies(
        case=case, agencies=Agency.objects.filter(code__in=["dod", "treasury", "cisa"]), actor=coordinator
    )
    assert _seen_through_the_list(cisa) == SHARED_WITH_TREASURY
    assert _seen_one_by_one(cisa, findings) == SHARED_WITH_TREASURY
    # A draft released after the assignment reaches CISA too; DoD's agency findings never do.

    finding_release(finding=findings["draft government"], actor=other_dod_supervisor)
    finding_release(finding=findings["draft agency"], actor=dod_supervisor)
    assert _seen_through_the_list(cisa) == SHARED_WITH_TREASURY | {"draft government"}
    # Nobody else's view moved.
    expected = EXPECTED | {"cisa_reviewer": SHARED_WITH_TREASURY | {"draft government"}}
    for name in ("treasury_reviewer", "treasury_supervisor"):
        expected[name] = SHARED_WITH_TREASURY | {"draft government"}
    assert {name: _seen_through_the_list(user) for name, user in people.items()} == expected


def test_releasing_opens_a_draft_at_its_level_only(case, people, dod_reviewer, dod_supervisor):

    finding = draft(case, dod_reviewer, visibility="firm", title="firm")
    for name, user in people.items():
        assert _seen_through_the_list(user) == ({"firm"} if name.startswith("dod") else set()), name
    finding_release(finding=finding, actor=dod_supervisor)
    for name, user in people.items():
        visible = name.startswith(("dod", "treasury")) or name in ("alex", "sam")
        assert _seen_through_the_list(user) == ({"firm"} if visible else set()), name


def test_a_lumen_case_is_invisible_to_northwind(lumen, kim, alex, sam, coordinator, dod_reviewer, dod_supervisor):

    lumen_case = builders.make_case(kim, state="in_review", agencies=("dod",), coordinator=coordinator)
    finding = released(lumen_case, dod_reviewer, dod_supervisor, visibility="firm")
    assert list(findings_for(kim)) == [finding]
    for northwind_liaison in (alex, sam):
        assert list(findings_for(northwind_liaison)) == []
        with pytest.raises(Http404):
            get_finding_for(northwind_liaison, finding.pk)
