"""The lists of cases and models cost the same few queries with 1 row as with 50 (STYLE.md, 7),
for each kind of reader; fetching one case is pinned too."""

import pytest

from cases.models import (
    AIModel,
    AIModelGroupObjectPermission,
    CaseAgencyAssignment,
    ReviewCase,
    ReviewCaseGroupObjectPermission,
)
from cases.selectors import cases_for, get_case_for, get_model_for, models_for
from tests import builders

# One query: the rows, filtered by the reader's groups' object permissions (guardian's direct
# foreign-key tables), with the model and firm joined in.
LIST_QUERIES = 1
# The same query narrowed to one primary key, joined to the firm's group.
GET_QUERIES = 1


def list_cases(user) -> list[tuple[str, str, str]]:
    """What a case list shows: reference, model and firm."""
    return [(case.reference, str(case.model), case.model.firm.name) for case in cases_for(user)]


def list_models(user) -> list[tuple[str, str]]:
    return [(str(model), model.firm.name) for model in models_for(user)]


def more_cases_like(template: ReviewCase, count: int) -> None:
    """``count`` more cases (each of its own model) in the state of ``template``, written straight to
    the tables with exactly the object permissions and assignments the services gave ``template``:
    building them through the services would take most of this file's time budget."""
    model_grants = list(
        AIModelGroupObjectPermission.objects.filter(content_object=template.model).values_list(
            "group_id", "permission_id"
        )
    )
    case_grants = list(
        ReviewCaseGroupObjectPermission.objects.filter(content_object=template).values_list("group_id", "permission_id")
    )
    agencies = list(template.agency_assignments.values_list("agency_id", flat=True))
    assert model_grants
    assert case_grants
    assert agencies
    models = AIModel.objects.bulk_create(
        [
            AIModel(firm=template.model.firm, name="Bulk", version=f"{n}.0", created_by=template.created_by)
            for n in range(count)
        ]
    )
    cases = ReviewCase.objects.bulk_create(
        [
            ReviewCase(
                model=model,
                reference=f"CP-BULK-{n:04d}",
                state=template.state,
                access_date=template.access_date,
                sharing_date=template.sharing_date,
                created_by=template.created_by,
                submitted_at=template.submitted_at,
            )
            for n, model in enumerate(models)
        ]
    )
    AIModelGroupObjectPermission.objects.bulk_create(
        [
            AIModelGroupObjectPermission(content_object=model, group_id=group, permission_id=perm)
            for model in models
            for group, perm in model_grants
        ]
    )
    ReviewCaseGroupObjectPermission.objects.bulk_create(
        [
            ReviewCaseGroupObjectPermission(content_object=case, group_id=group, permission_id=perm)
            for case in cases
            for group, perm in case_grants
        ]
    )
    CaseAgencyAssignment.objects.bulk_create(
        [
            CaseAgencyAssignment(case=case, agency_id=agency, assigned_by=template.created_by)
            for case in cases
            for agency in agencies
        ]
    )


@pytest.fixture
def readers(alex, dod_reviewer, coordinator):
    return {"liaison": alex, "agency reviewer": dod_reviewer, "coordinator": coordinator}


def test_listing_cases_and_models_costs_the_same_with_1_and_50_rows(
    alex, coordinator, readers, django_assert_num_queries
):
    def counts(expected_rows: int) -> None:
        for role, user in readers.items():
            list_cases(user)  # warm the permission and content-type caches, as on a live server
            with django_assert_num_queries(LIST_QUERIES):
                rows = list_cases(user)
            assert len(rows) == expected_rows, role
        list_models(alex)
        with django_assert_num_queries(LIST_QUERIES):
            assert len(list_models(alex)) == expected_rows

    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    counts(1)

    more_cases_like(case, 49)
    counts(50)


def test_fetching_one_case_or_model_is_one_query(alex, coordinator, readers, django_assert_num_queries):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    for user in readers.values():
        get_case_for(user, case.pk)
        with django_assert_num_queries(GET_QUERIES):
            fetched = get_case_for(user, case.pk)
            assert fetched.model.firm.group.name == "firm:northwind-ai"
    get_model_for(alex, case.model_id)
    with django_assert_num_queries(GET_QUERIES):
        assert get_model_for(alex, case.model_id).firm.group.name == "firm:northwind-ai"
