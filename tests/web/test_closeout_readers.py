"""Who reads what around a closeout, and the refusals that leave a trace."""

from django.urls import reverse

from audit.models import AuditEvent
from tests.web.support import words
from workflow.services import closeout_decide, closeout_request

RETURN_REASON = "Treasury still weighs its open question on the payments classifier"


def test_a_returned_closeouts_reason_stays_among_the_agencies(
    case, client_for, alex, dod_reviewer, treasury_supervisor
):
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="Nothing open remains.")
    closeout_decide(closeout=closeout, actor=treasury_supervisor, approve=False, reason=RETURN_REASON)
    url = reverse("cases:closeout", args=[closeout.pk])

    firm_page = words(client_for(alex).get(url))
    agency_page = words(client_for(dod_reviewer).get(url))

    assert "Returned" in firm_page
    assert "Nothing open remains." in firm_page  # the summary is the firm's to read
    assert RETURN_REASON not in firm_page
    assert RETURN_REASON in agency_page


def test_a_supervisors_own_request_is_not_in_their_decision_list(case, client_for, dod_supervisor, treasury_supervisor):
    closeout = closeout_request(case=case, actor=dod_supervisor, summary="Concluded.")
    link = reverse("cases:closeout", args=[closeout.pk])

    own_dashboard = client_for(dod_supervisor).get("/").content.decode()
    other_dashboard = client_for(treasury_supervisor).get("/").content.decode()

    assert link not in own_dashboard
    assert link in other_dashboard


def test_a_role_page_of_an_object_refused_as_404_is_audited(case, client_for, kim):
    response = client_for(kim).get(reverse("cases:audit", args=[case.pk]))

    assert response.status_code == 404
    refusal = AuditEvent.objects.filter(action="access.refused", actor=kim).get()
    assert refusal.data["object_id"] == str(case.pk)
