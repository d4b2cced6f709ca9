"""Comments: who may write them, and who reads them. A comment on a finding is never read by
someone who cannot read the finding."""

import pytest
from django.http import Http404

from agencies.models import Agency
from audit.models import AuditEvent
from findings.models import Comment
from findings.selectors import comments_for, findings_for, get_comment_for
from findings.services import comment_add, finding_release
from tests import builders
from tests.assertions import refused
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
DOD = {"dod_reviewer", "dod_supervisor"}
TREASURY = {"treasury_reviewer", "treasury_supervisor"}
NORTHWIND = {"alex", "sam"}


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in PEOPLE}


def readers(comment, people):
    """The people who see ``comment`` through the list, checked against the one-by-one fetch."""
    listed = {name for name, user in people.items() if comments_for(user).filter(pk=comment.pk).exists()}
    fetched = set()
    for name, user in people.items():
        try:
            get_comment_for(user, comment.pk)
            fetched.add(name)
        except Http404:
            pass
    assert listed == fetched
    return listed


def test_a_firm_visible_comment_on_an_agency_finding_stays_within_dod(case, people, dod_reviewer, dod_supervisor):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="agency")
    comment = comment_add(case=case, actor=dod_supervisor, finding=finding, body="Tell the firm?", visibility="firm")
    assert readers(comment, people) == DOD


def test_a_comment_on_a_draft_opens_when_the_draft_is_released(
    case, people, dod_reviewer, dod_supervisor, other_dod_supervisor
):
    finding = draft(case, dod_supervisor, visibility="firm")
    comment = comment_add(case=case, actor=dod_supervisor, finding=finding, body="Ready to share.", visibility="firm")
    assert readers(comment, people) == DOD
    finding_release(finding=finding, actor=other_dod_supervisor)
    assert readers(comment, people) == DOD | TREASURY | NORTHWIND


COMMENTS_ON_RELEASED_FINDINGS = [
    # finding visibility, comment author, comment visibility, who reads the comment
    ("government", "treasury_reviewer", "agency", TREASURY),
    ("government", "treasury_supervisor", "firm", DOD | TREASURY),
    ("government", "dod_reviewer", "government", DOD | TREASURY),
    ("firm", "dod_reviewer", "government", DOD | TREASURY),
    ("firm", "treasury_supervisor", "agency", TREASURY),
    ("firm", "dod_supervisor", "firm", DOD | TREASURY | NORTHWIND),
    ("firm", "sam", "agency", DOD | TREASURY | NORTHWIND),  # a liaison's comment is always firm-visible
]


def test_who_reads_a_comment_on_a_released_finding(case, people, dod_reviewer, dod_supervisor):
    findings = {
        visibility: released(case, dod_reviewer, dod_supervisor, visibility=visibility)
        for visibility in ("government", "firm")
    }
    for finding_visibility, author, comment_visibility, expected in COMMENTS_ON_RELEASED_FINDINGS:
        finding = findings[finding_visibility]
        comment = comment_add(
            case=case, actor=people[author], finding=finding, body="A remark.", visibility=comment_visibility
        )
        who = f"{author}'s {comment_visibility} comment on a {finding_visibility} finding"
        assert readers(comment, people) == expected, who
        for name in expected:
            assert findings_for(people[name]).filter(pk=finding.pk).exists(), who


def test_a_liaisons_comment_on_the_case_reaches_the_firm_and_the_assigned_agencies(case, people, sam, coordinator):
    comment = comment_add(case=case, actor=sam, body="  Evaluator keys are live.  ", visibility="agency")
    comment.refresh_from_db()
    assert (comment.body, comment.visibility, comment.agency, comment.finding) == (
        "Evaluator keys are live.",
        "firm",
        None,
        None,
    )
    assert readers(comment, people) == DOD | TREASURY | NORTHWIND
    event = AuditEvent.objects.get(action="comment.added")
    assert (event.actor, event.case, event.target_id) == (sam, case, str(comment.pk))
    assert event.data == {"finding": None, "visibility": "firm"}
    # An agency assigned later reads the firm's comments, but not another agency's own notes.
    note = comment_add(case=case, actor=people["dod_reviewer"], body="Our own note.", visibility="agency")

    case_assign_agencies(
        case=case, agencies=Agency.objects.filter(code__in=["dod", "treasury", "cisa"]), actor=coordinator
    )
    assert readers(comment, people) == DOD | TREASURY | NORTHWIND | {"cisa_reviewer"}
    assert readers(note, people) == DOD


def test_an_agencys_case_comment_is_read_at_its_visibility(case, people, treasury_supervisor):
    expected = {"agency": TREASURY, "government": DOD | TREASURY, "firm": DOD | TREASURY | NORTHWIND}
    for visibility, audience in expected.items():
        comment = comment_add(case=case, actor=treasury_supervisor, body=f"At {visibility}.", visibility=visibility)
        assert readers(comment, people) == audience, visibility
        assert comment.agency.code == "treasury"


def test_the_firm_cannot_comment_on_a_finding_not_shared_with_it(case, dod_reviewer, dod_supervisor, alex):
    for finding in (
        released(case, dod_reviewer, dod_supervisor, visibility="government"),
        draft(case, dod_reviewer, visibility="firm"),
    ):
        with refused("This finding has not been shared with your firm."):
            comment_add(case=case, actor=alex, finding=finding, body="What is this?")


def test_another_agency_cannot_comment_on_dods_own_finding(case, dod_reviewer, dod_supervisor, treasury_supervisor):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="agency")
    with refused("You cannot see that finding."):
        comment_add(case=case, actor=treasury_supervisor, finding=finding, body="Agreed.", visibility="agency")


def test_people_outside_the_case_cannot_comment(case, kim, cisa_reviewer, coordinator):
    for outsider in (kim, cisa_reviewer, coordinator):
        with refused(f"Only the firm's liaisons and the assigned agencies' reviewers can comment on {case.reference}."):
            comment_add(case=case, actor=outsider, body="Hello.")


def test_an_empty_comment_or_an_unknown_visibility_is_refused(case, alex, dod_reviewer):
    for author in (alex, dod_reviewer):
        for body in ("", "   \n\t"):
            with refused("A comment cannot be empty.", note=f"{body!r} by {author.email}"):
                comment_add(case=case, actor=author, body=body)
    with refused(
        "Choose who may read the comment: authoring agency only, all assigned agencies, assigned agencies and the firm."
    ):
        comment_add(case=case, actor=dod_reviewer, body="Hi.", visibility="public")


def test_a_comment_names_a_finding_of_its_own_case(case, alex, coordinator, dod_reviewer, dod_supervisor):
    other_case = builders.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)
    finding = released(other_case, dod_reviewer, dod_supervisor, visibility="firm")
    with refused("That finding belongs to another case."):
        comment_add(case=case, actor=dod_reviewer, finding=finding, body="Cross-posted.")
    assert Comment.objects.count() == 0


def test_no_comment_is_read_by_someone_who_cannot_read_its_finding(
    case, people, coordinator, dod_reviewer, dod_supervisor, other_dod_supervisor
):
    findings = []
    for visibility in ("agency", "government", "firm"):
        findings.append(draft(case, dod_reviewer, visibility=visibility))
        findings.append(released(case, dod_reviewer, dod_supervisor, visibility=visibility))
    for finding in findings:
        for name in ("dod_supervisor", "treasury_supervisor", "alex"):
            if not findings_for(people[name]).filter(pk=finding.pk).exists():
                continue
            # The widest a comment can be: the narrower ones are pinned above.
            comment_add(case=case, actor=people[name], finding=finding, body="Noted.", visibility="firm")

    def check():
        for name, user in people.items():
            readable = set(findings_for(user).values_list("pk", flat=True))
            commented = set(comments_for(user).values_list("finding_id", flat=True))
            assert commented <= readable, name

    check()

    case_assign_agencies(
        case=case, agencies=Agency.objects.filter(code__in=["dod", "treasury", "cisa"]), actor=coordinator
    )
    check()
    for finding in findings:
        if finding.state == "draft":
            finding_release(finding=finding, actor=other_dod_supervisor)
    check()
    assert comments_for(people["cisa_reviewer"]).exists()
    assert not comments_for(people["kim"]).exists()
    assert not comments_for(people["coordinator"]).exists()


def test_a_reviewer_cannot_tell_the_firm_without_a_supervisor(case, dod_reviewer, dod_supervisor):
    """As for findings (two-person rule): what an agency says to the firm is a supervisor's."""
    shared = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    for finding in (None, shared):
        with refused(
            "A comment the firm reads is written by a supervisor of DoD: choose your agency or all assigned agencies, "
            "or ask a supervisor.",
            note=str(finding),
        ):
            comment_add(case=case, actor=dod_reviewer, finding=finding, body="Tell the firm.", visibility="firm")
    for visibility in ("agency", "government"):
        comment_add(case=case, actor=dod_reviewer, finding=shared, body="Among us.", visibility=visibility)
