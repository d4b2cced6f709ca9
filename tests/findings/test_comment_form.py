"""The comment form on a case page: each writer is offered the visibilities their role allows,
whichever form the portal rendered before (a blank form's HTML is kept once per shape)."""

from core.forms import form_html
from findings.forms import CommentForm

FIRM_CHOICE = "Assigned agencies and the firm"


def test_each_writer_is_offered_their_own_visibilities_whoever_opened_the_case_first(
    case, client_for, alex, dod_reviewer, dod_supervisor
):
    pages = {}
    for person in (dod_supervisor, dod_reviewer, alex, dod_supervisor):  # the supervisor's again, last
        response = client_for(person).get(f"/cases/{case.pk}/")
        assert response.status_code == 200
        pages.setdefault(person.email, []).append(response.content.decode())

    supervisor_first, supervisor_last = pages[dod_supervisor.email]
    assert FIRM_CHOICE in supervisor_first
    assert FIRM_CHOICE in supervisor_last
    reviewer = pages[dod_reviewer.email][0]
    assert 'name="visibility"' in reviewer
    assert FIRM_CHOICE not in reviewer
    assert "A comment the firm reads is written by a supervisor of your agency." in reviewer
    liaison = pages[alex.email][0]
    assert 'name="body"' in liaison
    assert 'name="visibility"' not in liaison


def test_a_kept_blank_form_is_what_rendering_it_gives(alex, dod_reviewer, dod_supervisor):
    for person in (alex, dod_reviewer, dod_supervisor):
        form_html(CommentForm(author=person))  # kept
        assert form_html(CommentForm(author=person)) == CommentForm(author=person).render()


def test_a_form_with_errors_is_rendered_each_time_and_leaves_the_blank_one_alone(dod_reviewer):
    blank = form_html(CommentForm(author=dod_reviewer))
    refused = CommentForm({"body": "", "visibility": "firm"}, author=dod_reviewer)
    assert not refused.is_valid()
    shown = form_html(refused)
    assert "usa-error-message" in shown
    assert 'aria-invalid="true"' in shown
    assert form_html(CommentForm(author=dod_reviewer)) == blank
    assert "usa-error-message" not in blank
