"""The lists of findings and comments cost the same query for 1 row as for 50.

The first row is made by the services; the other 49 are copies of it, granted to the same
audience (cases.audience), because 49 more trips through the services would only slow the test.
"""

from django.utils import timezone

from core import permissions
from findings import audience
from findings.models import Comment, Finding
from findings.permissions import VIEW_FINDING
from findings.selectors import comments_for, findings_for
from findings.services import comment_add
from tests.builders import released

# One query: the rows with their related rows joined in, filtered by the reader's groups'
# permissions. (guardian looks up the permission's content type once per process, hence the
# warm-up read.)
QUERIES = 1


def _read_findings(user):
    return [(f.title, f.case.reference, f.case.model.firm.name, f.agency.short_name) for f in findings_for(user)]


def _read_comments(user):
    return [(c.body, c.author.email, c.agency.short_name if c.agency else "firm") for c in comments_for(user)]


def _copies(finding, count):
    rows = Finding.objects.bulk_create(
        [
            Finding(
                case=finding.case,
                agency=finding.agency,
                author=finding.author,
                title=f"Finding {n}",
                description=finding.description,
                category=finding.category,
                severity=finding.severity,
                visibility=finding.visibility,
                state=finding.state,
                released_at=timezone.now(),
                released_by=finding.released_by,
            )
            for n in range(count)
        ]
    )
    permissions.grant(VIEW_FINDING, audience.finding_audience(finding), rows)


def test_listing_findings_costs_one_query_for_1_and_for_50(
    case, dod_reviewer, dod_supervisor, treasury_reviewer, alex, kim, django_assert_num_queries
):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    readers = {dod_reviewer: 1, treasury_reviewer: 1, alex: 1, kim: 0}
    _read_findings(kim)
    for reader, count in readers.items():
        with django_assert_num_queries(QUERIES):
            assert len(_read_findings(reader)) == count
    _copies(finding, 49)
    for reader, count in readers.items():
        with django_assert_num_queries(QUERIES):
            assert len(_read_findings(reader)) == 50 * count


def test_listing_comments_costs_one_query_for_1_and_for_50(
    case, dod_reviewer, dod_supervisor, treasury_reviewer, alex, kim, django_assert_num_queries
):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    comment_add(case=case, actor=alex, finding=finding, body="Comment 0")
    readers = {dod_reviewer: 1, treasury_reviewer: 1, alex: 1, kim: 0}
    _read_comments(kim)
    for reader, count in readers.items():
        with django_assert_num_queries(QUERIES):
            assert len(_read_comments(reader)) == count
    authors = [(alex, None), (dod_reviewer, finding.agency)]
    rows = Comment.objects.bulk_create(
        [
            Comment(
                case=case,
                finding=finding,
                author=authors[n % 2][0],
                agency=authors[n % 2][1],
                body=f"Comment {n}",
                visibility="firm",
            )
            for n in range(1, 50)
        ]
    )
    for comment in rows:
        audience.sync_comment(comment, finding=finding)
    for reader, count in readers.items():
        with django_assert_num_queries(QUERIES):
            assert len(_read_comments(reader)) == 50 * count
