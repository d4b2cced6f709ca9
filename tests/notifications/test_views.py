"""The notifications page, the header's unread count, and the email preference."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import EmailState, Notification, NotificationPreference
from tests import builders

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
PREFERENCES = reverse("notifications:preferences")


@pytest.fixture
def case(alex):
    return builders.make_case(alex, state="draft")


def notice(user, case, text="CP: something happened.", **fields) -> Notification:
    fields.setdefault("target_type", "cases.reviewcase")
    fields.setdefault("target_id", case.pk)
    return Notification.objects.create(recipient=user, case=case, verb="case.submitted", message=text, **fields)


def test_the_page_lists_my_notifications_and_the_header_counts_the_unread(client_for, alex, sam, case):
    notice(alex, case, "First notice.")
    notice(alex, case, "Second notice.", read_at=case.created_at)
    notice(sam, case, "Sam's notice.")
    response = client_for(alex).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "First notice." in page
    assert "Second notice." in page
    assert "Sam&#x27;s notice." not in page
    assert "Sam's notice." not in page
    assert "1 unread notification." in page
    assert 'class="cp-unread"' in page
    assert '<span class="usa-tag">1<span class="usa-sr-only"> unread</span>' in page


def test_opening_a_notice_marks_it_read_and_leads_to_its_object(client_for, alex, case):
    item = notice(alex, case)
    response = client_for(alex).get(reverse("notifications:open", args=[item.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    item.refresh_from_db()
    assert item.read_at is not None
    assert AuditEvent.objects.filter(action="notification.read", target_id=str(item.pk)).exists()


def test_a_notice_leads_to_its_finding_only_while_the_reader_may_open_it(
    client_for, alex, coordinator, dod_reviewer, dod_supervisor
):
    """Links never lead to a 404 we made: a notice whose object is no longer open to its reader is
    named, not linked, and opening it says so instead of answering "Page not found"."""
    from findings.models import Finding
    from tests.builders import released

    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    shared = released(case, dod_reviewer, dod_supervisor, visibility="firm", title="Shared")
    hidden = released(case, dod_reviewer, dod_reviewer, visibility="agency", title="DoD's own")
    client = client_for(alex)
    open_notice = notice(alex, case, "About a shared finding.", target_type="findings.finding", target_id=shared.pk)
    gone_notice = notice(alex, case, "About a finding not shared.", target_type="findings.finding", target_id=hidden.pk)
    missing = notice(alex, case, "About a finding that is gone.", target_type="findings.finding", target_id=987654)
    assert not Finding.objects.filter(pk=987654).exists()

    page = client.get(LIST).content.decode()
    assert f'href="{reverse("notifications:open", args=[open_notice.pk])}"' in page
    for unopenable in (gone_notice, missing):
        assert f'href="{reverse("notifications:open", args=[unopenable.pk])}"' not in page
    assert page.count("(no longer open to you)") == 2

    assert client.get(reverse("notifications:open", args=[open_notice.pk]))["Location"] == reverse(
        "findings:detail", args=[shared.pk]
    )
    response = client.get(reverse("notifications:open", args=[gone_notice.pk]), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "no longer open to you" in response.content.decode()


@pytest.mark.parametrize("name", ["open", "read", "clear"])
def test_someone_elses_notification_is_not_found(client_for, alex, kim, case, name):
    item = notice(alex, case)
    client = client_for(kim)
    response = client.get(reverse(f"notifications:{name}", args=[item.pk])) if name == "open" else None
    if name != "open":
        response = client.post(reverse(f"notifications:{name}", args=[item.pk]))
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.read_at is None
    assert item.cleared_at is None


def test_marking_read_and_clearing(client_for, alex, case):
    first, second, _third = notice(alex, case, "one."), notice(alex, case, "two."), notice(alex, case, "three.")
    client = client_for(alex)
    assert client.post(reverse("notifications:read", args=[first.pk])).status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("notifications:clear_read"))
    assert "one." not in client.get(LIST).content.decode(), "read notices are cleared"
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.filter(recipient=alex, read_at__isnull=True).count() == 0
    client.post(reverse("notifications:clear", args=[second.pk]))
    page = client.get(LIST).content.decode()
    assert "two." not in page
    assert "three." in page
    assert "Nothing unread." in page
    actions = list(AuditEvent.objects.filter(actor=alex).values_list("action", flat=True))
    assert actions[-4:] == [
        "notification.read",
        "notifications.cleared",
        "notifications.all_read",
        "notification.cleared",
    ]


def test_clearing_and_reading_need_a_post(client_for, alex, case):
    item = notice(alex, case)
    client = client_for(alex)
    assert client.get(reverse("notifications:clear", args=[item.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405


def test_choosing_the_daily_digest(client_for, sam, case):
    owed = notice(sam, case, email_state=EmailState.PENDING)
    client = client_for(sam)
    page = client.get(PREFERENCES).content.decode()
    [immediate] = re.findall(r'<input[^>]*value="immediate"[^>]*>', page)
    assert "checked" in immediate
    response = client.post(PREFERENCES, {"email_mode": "digest"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=sam).email_mode == "digest"
    owed.refresh_from_db()
    assert owed.email_state == EmailState.DIGEST, "an email still owed waits for the digest"
    event = AuditEvent.objects.get(action="notifications.preference_changed")
    assert event.data == {"from": "immediate", "to": "digest", "owed_emails_moved": 1}


def test_an_unknown_email_mode_is_refused_and_changes_nothing(client_for, sam):
    response = client_for(sam).post(PREFERENCES, {"email_mode": "hourly"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=sam).exists()


def test_the_pages_need_a_signed_in_user(client):
    for url in (LIST, PREFERENCES):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
