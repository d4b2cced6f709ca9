"""The Django admin: a read-only window on the portal for program coordinators (issue 2, item 8)."""

import datetime

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from audit.models import AuditEvent
from cases.models import AIModel, CaseState, Closeout, CloseoutDecision, ReviewCase
from cases.services import (
    ai_model_register,
    case_assign_agencies,
    case_create,
    case_submit,
    closeout_decide,
    closeout_request,
)
from documents.models import Document, DocumentKind, DocumentVersion
from firms.models import Firm, FirmMembership
from tests import factories

pytestmark = pytest.mark.django_db

SECRET_CONTENT = b"%PDF-1.7 Northwind system card: weights stored in bucket nw-frontier-7"
STORED_NAME = "cases/nw-7f3a/system-card-4c1d9e.pdf"

REGISTERED = {
    "accounts.user",
    "firms.firm",
    "firms.firmmembership",
    "agencies.agency",
    "agencies.agencymembership",
    "cases.aimodel",
    "cases.reviewcase",
    "cases.closeout",
    "cases.closeoutdecision",
    "documents.document",
    "documents.documentversion",
    "audit.auditevent",
}


@pytest.fixture
def stored_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def _add_document(case, kind, title, author, content=b"%PDF-1.7 placeholder") -> DocumentVersion:
    document = Document.objects.create(case=case, kind=kind, title=title, created_by=author)
    name = default_storage.save(
        STORED_NAME if kind == DocumentKind.SYSTEM_CARD else f"cases/{kind}.pdf", ContentFile(content)
    )
    import hashlib

    return DocumentVersion.objects.create(
        document=document,
        number=1,
        file=name,
        original_name=f"{kind}.pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type="application/pdf",
        uploaded_by=author,
    )


@pytest.fixture
def closed_case(stored_files, alex, coordinator, dod_reviewer, dod_supervisor):
    """A Northwind case taken from draft to closed through the services. (Uploads have no service
    yet in issue 2: the two documents are written directly.)"""
    model = ai_model_register(actor=alex, name="Northwind Frontier", version="7.0", modalities=["text"])
    today = timezone.localdate()
    case = case_create(
        model=model,
        actor=alex,
        access_date=today + datetime.timedelta(days=1),
        sharing_date=today + datetime.timedelta(days=21),
        trusted_partners="Acme Cloud",
        model_snapshot="nw-frontier-7-2026-11",
        evaluator_access="VPN gateway vpn.northwind.example, token in access instructions",
    )
    _add_document(case, DocumentKind.SYSTEM_CARD, "Frontier 7 system card", alex, SECRET_CONTENT)
    _add_document(case, DocumentKind.ACCESS_INSTRUCTIONS, "Access instructions", alex)
    case_submit(case=case, actor=alex)
    case_assign_agencies(case=case, agencies=[Agency.objects.get(code="dod")], actor=coordinator)
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="No open findings; review concluded.")
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    return case


@pytest.fixture
def coordinator_client(client, login, coordinator):
    return login(client, coordinator)  # signed in with password and second factor


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_admin_shows_exactly_the_models_coordinators_may_browse():
    # Findings, their responses and comments are compartmented per agency: never in the admin.
    # Auth groups and allauth's addresses and authenticators are taken out too.
    assert {model._meta.label_lower for model in admin.site._registry} == REGISTERED


def test_a_coordinator_reaches_every_changelist_and_change_page(coordinator_client, closed_case):
    index = coordinator_client.get(reverse("admin:index"))
    assert index.status_code == 200
    for model in admin.site._registry:
        changelist = coordinator_client.get(_admin_url(model, "changelist"))
        assert changelist.status_code == 200, model
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {model.__name__} in the test data"
        change = coordinator_client.get(_admin_url(model, "change", obj.pk))
        assert change.status_code == 200, model
        assert str(obj) in change.content.decode()


def test_the_case_pages_show_the_case_metadata(coordinator_client, closed_case):
    changelist = coordinator_client.get(_admin_url(ReviewCase, "changelist"), {"q": closed_case.reference})
    page = changelist.content.decode()
    assert closed_case.reference in page
    assert "Northwind AI" in page
    assert "DoD" in page  # assigned agencies
    assert "Closed (review concluded)" in page

    other_state = coordinator_client.get(_admin_url(ReviewCase, "changelist"), {"state__exact": "draft"})
    assert closed_case.reference not in other_state.content.decode()

    change = coordinator_client.get(_admin_url(ReviewCase, "change", closed_case.pk)).content.decode()
    assert "nw-frontier-7-2026-11" in change
    assert "vpn.northwind.example" not in change  # how evaluators get in is not the office's business
    assert 'name="_save"' not in change  # read-only: no save button


def test_the_admin_changes_nothing_even_for_a_superuser(client, login, coordinator, closed_case):
    coordinator.is_superuser = True
    coordinator.save(update_fields=["is_superuser"])
    login(client, coordinator)
    events_before = AuditEvent.objects.count()

    change = client.post(
        _admin_url(ReviewCase, "change", closed_case.pk),
        {"state": "draft", "trusted_partners": "Everyone", "sharing_date": "2099-01-01"},
    )
    assert change.status_code == 403
    assert client.get(_admin_url(ReviewCase, "delete", closed_case.pk)).status_code == 403
    assert client.post(_admin_url(ReviewCase, "delete", closed_case.pk), {"post": "yes"}).status_code == 403
    assert client.get(_admin_url(ReviewCase, "add")).status_code == 403
    assert client.post(_admin_url(ReviewCase, "add"), {"model": closed_case.model_id}).status_code == 403
    bulk = client.post(
        _admin_url(ReviewCase, "changelist"),
        {"action": "delete_selected", "_selected_action": [closed_case.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)

    event = AuditEvent.objects.order_by("id").last()
    assert client.post(_admin_url(AuditEvent, "change", event.pk), {"action": "x"}).status_code == 403
    assert client.post(_admin_url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    for model in (DocumentVersion, CloseoutDecision, FirmMembership, AIModel):
        obj = model.objects.first()
        assert client.post(_admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert client.post(_admin_url(model, "change", obj.pk), {}).status_code == 403

    closed_case.refresh_from_db()
    assert closed_case.state == CaseState.CLOSED
    assert closed_case.trusted_partners == "Acme Cloud"
    assert ReviewCase.objects.count() == 1
    assert Closeout.objects.count() == CloseoutDecision.objects.count() == 1
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("path", ["/admin/", "/admin/cases/reviewcase/", "/admin/audit/auditevent/"])
def test_a_firm_liaison_gets_no_admin(client, login, alex, path):
    login(client, alex)
    response = client.get(path)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_deactivated_coordinator_gets_no_admin(client, login, coordinator):
    login(client, coordinator)
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    response = client.get("/admin/cases/reviewcase/")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/findings/",
        "/admin/findings/finding/",
        "/admin/findings/finding/1/change/",
        "/admin/findings/findingresponse/",
        "/admin/findings/comment/",
        "/admin/auth/group/",
        "/admin/mfa/authenticator/",
    ],
)
def test_no_admin_page_for_compartmented_or_internal_models(coordinator_client, path):
    assert coordinator_client.get(path).status_code == 404


def test_document_pages_show_metadata_but_never_the_file(coordinator_client, closed_case):
    version = DocumentVersion.objects.get(document__kind=DocumentKind.SYSTEM_CARD)
    assert version.file.name == STORED_NAME
    assert version.file.read() == SECRET_CONTENT  # the file really is there to leak
    pages = [
        coordinator_client.get(_admin_url(DocumentVersion, "change", version.pk)),
        coordinator_client.get(_admin_url(DocumentVersion, "changelist")),
        coordinator_client.get(_admin_url(Document, "change", version.document_id)),
    ]
    for response in pages:
        assert response.status_code == 200
        page = response.content.decode()
        assert version.sha256 in page
        assert STORED_NAME not in page
        assert "system-card-4c1d9e" not in page
        assert version.file.url not in page
        assert "bucket nw-frontier-7" not in page
    detail = pages[0].content.decode()
    assert "Frontier 7 system card" in detail
    assert str(len(SECRET_CONTENT)) in detail
    assert "PROPRIETARY" in pages[2].content.decode()


def test_the_user_pages_show_no_password_hash(coordinator_client, alex):
    for url in (_admin_url(type(alex), "change", alex.pk), _admin_url(type(alex), "changelist")):
        page = coordinator_client.get(url).content.decode()
        assert "alex@northwind.test" in page
        assert "Firm admin, Northwind AI" in page
        assert alex.password not in page
        assert "md5$" not in page
        assert "field-password" not in page


def _result_rows(response) -> str:
    """The changelist's table, without the filter sidebar (which lists every action)."""
    page = response.content.decode()
    return page.split('id="result_list"', 1)[1].split("</table>", 1)[0]


def test_the_audit_log_is_searchable_and_filterable(coordinator_client, closed_case):
    url = _admin_url(AuditEvent, "changelist")
    by_case = _result_rows(coordinator_client.get(url, {"q": closed_case.reference}))
    assert "case.submitted" in by_case
    assert "closeout.approved" in by_case
    assert "firm.created" not in by_case
    by_action = _result_rows(coordinator_client.get(url, {"action": "case.submitted"}))
    assert "alex@northwind.test" in by_action
    assert closed_case.reference in by_action
    assert "closeout.approved" not in by_action

    event = AuditEvent.objects.get(action="case.submitted")
    detail = coordinator_client.get(_admin_url(AuditEvent, "change", event.pk)).content.decode()
    assert event.hash in detail
    assert event.prev_hash in detail


def test_changelists_do_not_query_once_per_row(coordinator_client, closed_case, alex, coordinator):
    def queries(model):
        with CaptureQueriesContext(connection) as captured:
            assert coordinator_client.get(_admin_url(model, "changelist")).status_code == 200
        return len(captured)

    before = {
        model: queries(model) for model in (ReviewCase, AuditEvent, DocumentVersion, factories.UserFactory._meta.model)
    }
    model = AIModel.objects.get()
    today = timezone.localdate()
    for _ in range(4):
        case = case_create(
            model=model,
            actor=alex,
            access_date=today + datetime.timedelta(days=1),
            sharing_date=today + datetime.timedelta(days=5),
        )
        _add_document(case, DocumentKind.OTHER, "Notes", alex)
        factories.make_liaison(Firm.objects.get(name="Northwind AI"))
    after = {model: queries(model) for model in before}
    assert after == before


def test_a_coordinator_registers_a_firm_through_the_service(coordinator_client, coordinator):
    form = coordinator_client.get(_admin_url(Firm, "add"))
    assert form.status_code == 200
    assert 'name="name"' in form.content.decode()
    assert _admin_url(Firm, "add") in coordinator_client.get(_admin_url(Firm, "changelist")).content.decode()
    response = coordinator_client.post(_admin_url(Firm, "add"), {"name": "  Orbital Systems "})
    firm = Firm.objects.get(name="Orbital Systems")
    assert response.status_code == 302
    assert response["Location"] == _admin_url(Firm, "change", firm.pk)
    event = AuditEvent.objects.get(action="firm.created", target_id=str(firm.pk))
    assert event.actor == coordinator

    duplicate = coordinator_client.post(_admin_url(Firm, "add"), {"name": "orbital systems"})
    assert duplicate.status_code == 200
    assert "already registered" in duplicate.content.decode()
    assert Firm.objects.filter(name__iexact="orbital systems").count() == 1

    # The change and delete pages stay refused.
    assert coordinator_client.post(_admin_url(Firm, "change", firm.pk), {"name": "Renamed"}).status_code == 403
    assert coordinator_client.post(_admin_url(Firm, "delete", firm.pk), {"post": "yes"}).status_code == 403


def test_a_coordinator_adds_an_agency_through_the_service(coordinator_client, coordinator):
    form = {"code": "nist", "name": "National Institute of Standards and Technology", "short_name": "NIST"}
    response = coordinator_client.post(_admin_url(Agency, "add"), form)
    agency = Agency.objects.get(code="nist")
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="agency.created", target_id=str(agency.pk)).actor == coordinator

    again = coordinator_client.post(_admin_url(Agency, "add"), form)
    assert again.status_code == 200
    assert "already exists" in again.content.decode()
    blank = coordinator_client.post(_admin_url(Agency, "add"), {"code": "", "name": "", "short_name": ""})
    assert blank.status_code == 200
    assert Agency.objects.filter(code="nist").count() == 1


def test_a_firm_liaison_cannot_register_a_firm_in_the_admin(client, login, alex):
    login(client, alex)
    response = client.post(_admin_url(Firm, "add"), {"name": "Shadow Labs"})
    assert response.status_code == 302
    assert not Firm.objects.filter(name="Shadow Labs").exists()
