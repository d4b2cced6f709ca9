"""The search page and its selector: prefix matching, weights and ranking, highlighted snippets that
never carry markup from stored text, references and file names by their parts, filters, and the
simple match used where PostgreSQL is not (SQLite, the demo)."""

from __future__ import annotations

import pytest

from accounts.backends import AuthenticationBackend
from core.models import Visibility
from documents.models import Document, DocumentVersion
from search import selectors, views
from search.selectors import Filters, Kind, search_for, snippet_html, terms_of
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alex, coordinator, dod_reviewer, dod_supervisor):
    return builders.make_case(
        alex, state="in_review", agencies=("dod",), coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )


def hits(user, text, **filters):
    return {group.kind: list(group.hits) for group in search_for(user, text, Filters(**filters))}


def test_terms_keep_letters_and_digits_only():
    assert terms_of("CP-2026-0042 & 'jail*break' | !x") == ["cp", "2026", "0042", "jail", "break", "x"]
    assert terms_of("   ") == []


def test_a_word_matches_as_a_prefix_and_a_title_outranks_a_description(case, dod_reviewer, dod_supervisor):
    in_title = builders.released(case, dod_reviewer, dod_supervisor, title="Jailbreak via role play")
    in_text = builders.released(
        case, dod_reviewer, dod_supervisor, title="Filter gap", description="A jailbreaking prompt got through."
    )
    found = hits(dod_reviewer, "jailb")[Kind.FINDING]
    assert [f.pk for f in found] == [in_title.pk, in_text.pk]
    assert found[0].rank > found[1].rank


def test_category_and_target_are_searched_by_their_words(case, dod_reviewer, dod_supervisor):
    finding = builders.released(
        case, dod_reviewer, dod_supervisor, category="cbrn", target_kind="safeguard", target_component="Bio filter"
    )
    assert [f.pk for f in hits(dod_reviewer, "CBRN uplift")[Kind.FINDING]] == [finding.pk]
    assert [f.pk for f in hits(dod_reviewer, "bio filter")[Kind.FINDING]] == [finding.pk]


def test_a_case_by_its_reference_model_and_partners(case, alex):
    case.trusted_partners = "Contoso Bank"
    case.save(update_fields=["trusted_partners"])
    for text in (case.reference, case.reference.split("-")[-1], case.model.name, "contoso"):
        assert [c.pk for c in hits(alex, text)[Kind.CASE]] == [case.pk], text


def test_a_document_by_its_file_name(case, alex):
    document = builders.attach_document(case, alex, "other")
    DocumentVersion.objects.filter(document=document).update(original_name="red-team_summary-v2.pdf")
    Document.objects.filter(pk=document.pk).update(title="Annex")
    assert [d.pk for d in hits(alex, "summary")[Kind.DOCUMENT]] == [document.pk]
    assert [d.pk for d in hits(alex, "red team")[Kind.DOCUMENT]] == [document.pk]


def test_the_snippet_highlights_and_escapes(case, alex, dod_supervisor):
    builders.comment(case, alex, body='The payload "x<y" & <script>alert(1)</script> reached it')
    (row,) = hits(dod_supervisor, "payload")[Kind.COMMENT]
    html = snippet_html(row.snippet_raw, ["payload"], full_text=True)
    assert "<script" not in html
    assert "&quot;x&lt;y&quot; &amp;" in html
    assert "<mark>payload</mark>" in html


def test_filters_narrow_the_kinds_and_rows(case, dod_reviewer, dod_supervisor):
    high = builders.released(case, dod_reviewer, dod_supervisor, title="Exfil path", severity="high")
    builders.released(case, dod_reviewer, dod_supervisor, title="Exfil note", severity="low")
    found = hits(dod_reviewer, "exfil", severity="high")
    assert list(found) == [Kind.FINDING]
    assert [f.pk for f in found[Kind.FINDING]] == [high.pk]
    assert hits(dod_reviewer, "exfil", case_state="closed")[Kind.FINDING] == []


def test_the_simple_match_finds_the_same_with_highlights(case, alex, dod_reviewer, dod_supervisor):
    """The fallback (SQLite): every word in some field, a choice by its label, a highlighted excerpt."""
    finding = builders.released(
        case,
        dod_reviewer,
        dod_supervisor,
        visibility=Visibility.FIRM,
        category="cbrn",
        description="Uplift <b>observed</b> in the eval",
    )
    groups = {g.kind: list(g.hits) for g in search_for(alex, "cbrn observ", full_text=False)}
    assert [f.pk for f in groups[Kind.FINDING]] == [finding.pk]
    html = snippet_html(groups[Kind.FINDING][0].snippet_raw, ["cbrn", "observ"], full_text=False)
    assert "<mark>observ</mark>" not in html  # the prefix highlights the whole word
    assert "&lt;b&gt;<mark>observed</mark>&lt;/b&gt;" in html or "<mark>observed</mark>" in html
    assert "<b>" not in html
    other = builders.make_case(builders.make_liaison(builders.make_firm("Other AI")), state="draft")
    assert [c.pk for c in search_for(alex, other.reference, full_text=False)[0].hits] == []


def test_the_page_groups_by_kind_and_the_header_holds_the_box(case, alex, client_for):
    builders.comment(case, alex, body="Staging endpoint rotated")
    client = client_for(alex)
    page = client.get("/search/", {"q": "staging"}).content.decode()
    assert 'role="search"' in page
    assert "Comments <span" in page
    assert "<mark>Staging</mark>" in page
    assert client.get("/").content.decode().count('role="search"') == 1
    empty = client.get("/search/").content.decode()
    assert "result" not in empty.split("</form>", 1)[1]


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/search/", {"q": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_common_word_is_counted_to_a_bound_and_show_all_pages_through_every_match(
    case, alex, client_for, monkeypatch
):
    # CANDIDATES is 100 in production: at most that many matches of a kind are counted and ranked.
    monkeypatch.setattr(selectors, "CANDIDATES", 3)
    monkeypatch.setattr(views, "PER_KIND", 2)
    for i in range(5):
        builders.comment(case, alex, body=f"Rotated staging key {i}")
    client = client_for(alex)
    page = client.get("/search/", {"q": "staging"}).content.decode()
    assert '<span class="usa-tag">more than 3</span>' in page
    assert "More than 3 results" in page
    assert "Show all comments (more than 3)" in page
    assert page.count('<li class="margin-bottom-2">') == 2
    # One kind: every match, newest first, paged without a count.
    every = client.get("/search/", {"q": "staging", "kind": "comment"}).content.decode()
    assert every.count('<li class="margin-bottom-2">') == 5
    assert "Newest first." in every


def test_few_matches_are_counted_exactly_and_ranked(case, dod_reviewer, dod_supervisor):
    for i in range(3):
        builders.released(case, dod_reviewer, dod_supervisor, title=f"Gap {i}", description="A jailbreaking prompt.")
    top = builders.released(case, dod_reviewer, dod_supervisor, title="Jailbreak", description="-")
    (group,) = search_for(dod_reviewer, "jailb", Filters(kind=Kind.FINDING))
    assert group.count == 4
    assert not group.capped
    assert next(iter(group.hits)).pk == top.pk


def test_the_first_hits_read_with_their_count_leave_out_the_match_past_the_bound(
    case, dod_reviewer, dod_supervisor, monkeypatch
):
    # The oldest match ranks best (its title), but it is past the CANDIDATES newest: it is counted
    # ("more than"), never ranked or shown, as in ``hits``.
    monkeypatch.setattr(selectors, "CANDIDATES", 3)
    oldest = builders.released(case, dod_reviewer, dod_supervisor, title="Jailbreak", description="-")
    newer = [
        builders.released(case, dod_reviewer, dod_supervisor, title=f"Gap {i}", description="A jailbreaking prompt.")
        for i in range(3)
    ]
    (group,) = search_for(dod_reviewer, "jailb", Filters(kind=Kind.FINDING))
    rows = group.best(3)
    assert group.count == 4
    assert group.capped
    assert oldest.pk not in [row.pk for row in rows]
    assert [row.pk for row in rows] == [
        f.pk for f in search_for(dod_reviewer, "jailb", Filters(kind=Kind.FINDING))[0].hits
    ]
    assert sorted(row.pk for row in rows) == sorted(f.pk for f in newer)
    assert all(row.snippet_raw is not None for row in rows)
    (none,) = search_for(dod_reviewer, "zzzunfound", Filters(kind=Kind.FINDING))
    assert none.best(3) == []
    assert none.count == 0


def test_the_stored_vectors_know_every_category_and_target_label():
    from importlib import import_module

    from findings.models import Category, TargetKind

    migration = import_module("search.migrations.0002_search_vectors")
    assert [(c.value, c.label) for c in Category] == migration.CATEGORIES
    assert [(t.value, t.label) for t in TargetKind] == migration.TARGET_KINDS


def test_cases_findings_and_comments_are_ranked_from_stored_vectors_equal_to_the_weighted_ones(
    case, alex, dod_reviewer, dod_supervisor
):
    """A finding's and a comment's stored vector (search/migrations/0003), and a case's followed by
    its model's (0004), is the weighted vector the search would otherwise compute from their text:
    the same words, positions and weights, so the rank read from it is the same."""
    from cases.models import AIModel, ReviewCase
    from findings.models import Comment, Finding

    other = builders.make_case(alex)
    AIModel.objects.filter(pk=other.model_id).update(
        name="Role Play Atlas", version="v2.1-beta", intended_partners="Acme Labs; role-play testers"
    )
    ReviewCase.objects.filter(pk=other.pk).update(trusted_partners="Zenith Bio, Acme", model_snapshot="Atlas v2")

    findings = [
        builders.released(
            case,
            dod_reviewer,
            dod_supervisor,
            title="Jailbreak via role play",
            description="The model's refusal policy fails when a role-play preamble is given.",
            category="cbrn",
            target_kind="safeguard",
            target_component="Bio filter v2",
        ),
        builders.released(
            case, dod_reviewer, dod_supervisor, title="Filter gap", description="Seen once.", category="other"
        ),
    ]
    comments = [
        builders.comment(case, dod_reviewer, body="Seen again with a longer role-play preamble."),
        builders.comment(case, dod_reviewer, body="Confirmed; the filter v2 misses it."),
    ]
    kinds = (
        (ReviewCase, Kind.CASE, [case, other]),
        (Finding, Kind.FINDING, findings),
        (Comment, Kind.COMMENT, comments),
    )
    for model, kind, rows in kinds:
        spec = selectors.SPECS[kind]
        assert spec.stored_vector
        read = model.objects.filter(pk__in=[row.pk for row in rows]).annotate(
            computed=spec.vector(), stored=selectors._StoredVector()
        )
        vectors = list(read.values_list("computed", "stored"))
        assert len(vectors) == 2
        for computed, stored in vectors:
            assert stored == computed
            assert "A" in stored if kind != Kind.COMMENT else "C" in stored  # weighted (D is not written)
    found = hits(dod_reviewer, "role play filter", kind=Kind.FINDING)[Kind.FINDING]
    assert [f.pk for f in found] == [findings[0].pk]
    assert found[0].rank > 0


def test_the_walk_through_the_readers_grants_then_the_older_matches_finds_every_match(case, alex, monkeypatch):
    """A reader whose one group holds their grants: the newest ``WALK`` grants are walked (each
    object probed), the older matches come from the index past them; together, newest first."""
    monkeypatch.setattr(selectors, "WALK", 3)
    monkeypatch.setattr(selectors, "CANDIDATES", 4)
    bodies = ["Rotated staging key", "Other", "Staging again", "Other", "Other", "Other", "Late staging note"]
    made = [builders.comment(case, alex, body=body) for body in bodies]
    expected = [c.pk for c in reversed(made) if "staging" in c.body.lower()]  # one walked, two older
    reader = AuthenticationBackend().get_user(alex.pk)  # as a request reads them: with their group

    (group,) = search_for(reader, "staging", Filters(kind=Kind.COMMENT))
    assert group.grants is not None  # walked
    assert group.newest == expected
    assert group.count == 3
    assert not group.capped
    assert [row.pk for row in group.best(4)] == [row.pk for row in group.hits]
    assert sorted(row.pk for row in group.best(4)) == sorted(expected)

    monkeypatch.setattr(selectors, "CANDIDATES", 2)
    (bounded,) = search_for(reader, "staging", Filters(kind=Kind.COMMENT))
    assert bounded.newest == expected  # the bound and the one past it
    assert bounded.capped
    assert bounded.best(2)[0].pk in expected[:2]


def test_a_case_is_found_by_all_its_words_and_its_models_words_as_they_are_now(alex):
    """Words of the case and of its model together, in one search: the case's stored vector holds
    its model's words (search/migrations/0005), kept current when the model is edited."""
    from cases.services import ai_model_edit

    draft = builders.make_case(alex)
    number = draft.reference.rsplit("-", 1)[-1]
    assert [c.pk for c in hits(alex, f"{draft.reference} Atlas")[Kind.CASE]] == [draft.pk]
    assert hits(alex, f"{number} Borealis")[Kind.CASE] == []

    ai_model_edit(model=draft.model, actor=alex, name="Borealis", intended_partners="Zenith Labs")

    assert [c.pk for c in hits(alex, f"{number} Borealis")[Kind.CASE]] == [draft.pk]
    assert [c.pk for c in hits(alex, "borealis zenith")[Kind.CASE]] == [draft.pk]
    assert hits(alex, f"{number} Atlas zenith")[Kind.CASE] == []  # the model is no longer Atlas
    later = builders.make_case(alex)  # a new case of another model gets its model's words at once
    assert [c.pk for c in hits(alex, f"{later.reference} Atlas")[Kind.CASE]] == [later.pk]


def test_a_document_is_found_by_its_title_and_file_names_together(case, alex):
    """Words of the title and of a version's file name together, in one search: the document's
    stored vector holds its versions' file names (search/migrations/0006), written as versions are
    uploaded through the service."""
    document = builders.upload_document(
        case, alex, "other", title="Annex on red teaming", marking="CUI", file=builders.pdf("zebra-results_v7.pdf")
    )
    assert [d.pk for d in hits(alex, "annex zebra v7")[Kind.DOCUMENT]] == [document.pk]
    assert [d.pk for d in hits(alex, f"{case.reference} annex")[Kind.DOCUMENT]] == []  # no such words
    DocumentVersion.objects.filter(document=document).delete()
    assert hits(alex, "annex zebra")[Kind.DOCUMENT] == []  # the names went with their versions
    assert [d.pk for d in hits(alex, "annex teaming")[Kind.DOCUMENT]] == [document.pk]
