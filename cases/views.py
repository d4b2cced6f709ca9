"""Pages for models, cases and closeouts. Each view authorizes and fetches through a selector
(404 for what the user may not see), validates its form, calls one service, and redirects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import coordinator_object, coordinator_required, liaison_required, supervisor_object
from accounts.models import User
from accounts.roles import agency_membership, sees_government_names
from agencies.models import Agency
from cases import forms, policy, services
from cases.models import (
    CaseState,
    Closeout,
    CloseoutState,
    Modality,
    ReviewCase,
    ReviewerAssignment,
)
from cases.permissions import CHANGE_CASE, CHANGE_MODEL, REVIEW_CASE
from cases.policy import Role
from cases.selectors import (
    assigned_agencies,
    by_urgency,
    cases_for,
    fetch_agencies,
    get_case_for,
    get_closeout_for,
    get_model_for,
    models_for,
    with_agencies,
)
from configurations import policy as configurations_policy
from configurations.chart import chart as access_chart
from configurations.selectors import access_summary_for, current_configurations
from core import formats
from core.policy import decide
from core.web import attempt, paginate
from documents import policy as documents_policy
from documents.models import DocumentKind
from documents.selectors import documents_for, firm_document_kinds, live_versions
from findings import policy as findings_policy
from findings.selectors import comments_for, findings_for
from records.policy import interim_report_refusal
from records.selectors import records_for
from workflow import policy as workflow_policy
from workflow import services as workflow_services
from workflow.selectors import SeenOnCase, case_timeline, closeout_review

# --- models ----------------------------------------------------------------------------------


@liaison_required
def model_list(request: HttpRequest) -> HttpResponse:
    submitted = ReviewCase.objects.filter(model=OuterRef("pk")).exclude(state=CaseState.DRAFT)
    models = models_for(request.user).annotate(under_review=Exists(submitted)).order_by("name", "version")
    page = paginate(request, models)
    return render(request, "cases/model_list.html", {"page": page})


@liaison_required
@require_http_methods(["GET", "POST"])
def model_create(request: HttpRequest) -> HttpResponse:
    form = forms.ModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        model = attempt(request, lambda: services.ai_model_register(actor=request.user, **form.cleaned_data), form=form)
        if model is not None:
            messages.success(request, f"{model} is registered. You can now open a review case for it.")
            # The case form opens with the model just registered chosen.
            return redirect(f"{reverse('cases:create')}?model={model.pk}")
    return render(request, "cases/model_form.html", {"form": form, "title": "Register a model"})


@liaison_required
@require_http_methods(["GET", "POST"])
def model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_model_for(request.user, pk, CHANGE_MODEL)
    initial = {f: getattr(model, f) for f in ("name", "version", "description", "modalities", "intended_partners")}
    form = forms.ModelForm(request.POST or None, initial=initial)
    frozen = policy.model_frozen_refusal(model)
    if request.method == "POST" and form.is_valid():
        if attempt(
            request, lambda: services.ai_model_edit(model=model, actor=request.user, **form.cleaned_data), form=form
        ):
            messages.success(request, f"{model} is saved.")
            return redirect("cases:model_list")
    context = {"form": form, "title": f"Edit {model}", "model": model, "frozen": frozen}
    return render(request, "cases/model_form.html", context)


# --- lists -----------------------------------------------------------------------------------


def _listing(user: Any) -> Any:
    return with_agencies(cases_for(user))


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = forms.CaseFilterForm(request.GET or None, staffing=policy.staffing_shown_to(request.user))
    cases = (
        form.filter(_listing(request.user), timezone.localdate()) if request.GET else by_urgency(_listing(request.user))
    )
    page = paginate(request, cases)
    return render(
        request,
        "cases/case_list.html",
        {"page": page, "form": form, "title": "Cases", "flag_unstaffed": "staffing" in form.fields},
    )


@coordinator_required
def triage(request: HttpRequest) -> HttpResponse:
    """Submitted cases awaiting agencies, fewest days left first, with what the coordinator needs
    to choose the agencies: the model, its modalities, the firm's documents, the window."""
    cases = by_urgency(_listing(request.user).filter(state=CaseState.SUBMITTED))
    page = paginate(request, cases)
    kinds = firm_document_kinds([case.pk for case in page.object_list])
    modality = dict(Modality.choices)
    rows = [
        (
            case,
            [modality.get(value, value) for value in case.model.modalities],
            [label for kind, label in DocumentKind.choices if kind in kinds[case.pk]],
        )
        for case in page
    ]
    return render(request, "cases/triage.html", {"page": page, "rows": rows, "title": "Triage"})


# --- one case --------------------------------------------------------------------------------


def _actions(user: User, case: ReviewCase, held: policy.Standing, *, attested: bool | None = None) -> dict[str, Any]:
    """What the person may do to the case now, each with the rule's answer (``core.policy.Decision``):
    the page shows an action when it is allowed, and says why when it is theirs but not now."""
    return {
        "submit": decide(workflow_policy.case_submit_refusal(user, case, standing_=held)),
        "edit": decide(policy.case_edit_refusal(user, case, standing_=held)),
        "upload": decide(documents_policy.document_upload_refusal(user, case, standing_=held)),
        "move_date": decide(policy.case_move_sharing_date_refusal(user, case, standing_=held)),
        "withdraw": decide(policy.case_withdraw_refusal(user, case, standing_=held)),
        "assign_agencies": decide(workflow_policy.case_assign_agencies_refusal(user, case, standing_=held)),
        "assign_reviewers": decide(policy.case_assign_reviewers_refusal(user, case, standing_=held)),
        "draft_finding": decide(findings_policy.finding_draft_refusal(user, case, standing_=held)),
        "request_closeout": decide(workflow_policy.closeout_request_refusal(user, case, standing_=held)),
        "comment": decide(findings_policy.comment_add_refusal(user, case, standing_=held)),
        "audit": Role.COORDINATOR in held.roles,
        "add_configuration": decide(configurations_policy.configuration_add_refusal(user, case, standing_=held)),
        "attest": decide(
            configurations_policy.case_attest_sharing_refusal(user, case, standing_=held, attested=attested)
        ),
    }


# Timeline events on the case page; its history page lists them all, this many to a page.
TIMELINE_ON_CASE_PAGE = 20
HISTORY_PAGE_SIZE = 50


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The firm's sharing attestation comes with the case (one statement): the page shows it and
    # the attest button's rule asks whether there is one.
    case = get_case_for(
        request.user, pk, related=("sharing_attestation__configuration", "sharing_attestation__attested_by")
    )
    user = request.user
    # Held by the case for this request: its agency assignments (the page lists them and the
    # person's standing reads them) and its current configurations (the page lists them and the
    # draft rule's "has the firm named one" reads them).
    fetch_agencies(case)
    prefetch_related_objects([case], Prefetch("configurations", queryset=current_configurations(case)))
    held = policy.standing(user, case, seen=True)
    coordinator = Role.COORDINATOR in held.roles
    try:
        attestation: Any = case.sharing_attestation
    except ObjectDoesNotExist:
        attestation = None
    closeouts = list(case.closeouts.select_related("requested_by__agency_membership__agency").order_by("-requested_at"))
    context: dict[str, Any] = {
        "case": case,
        "actions": _actions(user, case, held, attested=attestation is not None),
        "agencies": assigned_agencies(case),
        # What the list shows of each (read only when it is shown: a firm reader's page reads none).
        "reviewers": ReviewerAssignment.objects.filter(case=case)
        .select_related("reviewer", "agency")
        .only("is_lead", "reviewer__full_name", "reviewer__email", "agency__short_name")
        .order_by("agency__short_name", "-is_lead"),
        "pending_closeout": next((c for c in closeouts if c.state == CloseoutState.PENDING), None),
        "closeouts": closeouts,
        "is_coordinator": coordinator,
        "configurations": list(case.configurations.all()),
        "attestation": attestation,
        "names_shown": sees_government_names(user),
        "operational_detail_shown": policy.operational_detail_shown_to(user),
    }
    if context["agencies"]:
        now = timezone.now()
        context["summary"] = access_summary_for(user, case, held=held, now=now, agencies=context["agencies"])
        context["chart"] = access_chart(context["summary"], now=now)
    seen = None
    if not coordinator:  # Coordinators see case metadata, not its contents.
        newest = live_versions().filter(document=OuterRef("pk")).order_by("-number")
        # Every document of the case the reader may see, with its latest version that counts (not
        # retracted), in one statement: the list shows those that have one, the timeline all.
        documents = list(
            documents_for(user)
            .filter(case=case)
            .select_related(None)  # the page has the case: only the agency of a working file
            .select_related("agency")
            .annotate(
                latest_number=Subquery(newest.values("number")[:1]),
                latest_uploaded_at=Subquery(newest.values("uploaded_at")[:1]),
            )
            .order_by("kind", "title")
        )
        context["documents"] = [document for document in documents if document.latest_number is not None]
        findings = list(
            findings_for(user)
            .filter(case=case)
            .select_related(None)  # the page has the case
            .select_related("agency", "configuration")
            .order_by("-created_at")
        )
        for finding in findings:  # the rule's answer, per finding: tested on what the firm shares?
            finding.shared_differs = configurations_policy.attestation_differs_for(
                context["attestation"], finding.configuration
            )
        context["findings"] = findings
        # Every comment on the case the reader may see: the thread lists those on the case itself.
        comments = list(comments_for(user).filter(case=case).order_by("created_at"))
        context["comments"] = [comment for comment in comments if comment.finding_id is None]
        context["comment_form"] = _comment_form(user, case)
        order = {"firm": 0, "government": 1}  # then each agency by name
        # Records are stored as a case closes: an open case has none to list.
        context["records"] = sorted(
            records_for(user).filter(case=case) if case.state == CaseState.CLOSED else [],
            key=lambda r: (order.get(r.audience, 2), r.agency.short_name if r.agency else ""),
        )
        if not context["records"]:
            context["report"] = decide(interim_report_refusal(case, held))
        seen = SeenOnCase(
            findings=frozenset(f.pk for f in findings),
            comments=frozenset(c.pk for c in comments),
            documents=frozenset(d.pk for d in documents),
        )
    # The latest events, oldest of them first; the case's history page has them all.
    recent = list(case_timeline(user, case, held=held, seen=seen).order_by("-id")[: TIMELINE_ON_CASE_PAGE + 1])
    context["timeline"] = recent[:TIMELINE_ON_CASE_PAGE][::-1]
    context["timeline_has_earlier"] = len(recent) > TIMELINE_ON_CASE_PAGE
    return render(request, "cases/case_detail.html", context)


@login_required
def case_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's whole timeline, as its reader may see it (the case page shows the latest events),
    oldest first, a page at a time."""
    case = get_case_for(request.user, pk)
    fetch_agencies(case)
    page = paginate(request, case_timeline(request.user, case), per_page=HISTORY_PAGE_SIZE)
    return render(
        request,
        "cases/case_history.html",
        {"case": case, "page": page, "agencies": assigned_agencies(case), "title": f"History of {case.reference}"},
    )


def _comment_form(user: User, case: ReviewCase) -> Any:
    from findings.forms import CommentForm

    return CommentForm(author=user)


@liaison_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    models = models_for(request.user, CHANGE_MODEL).order_by("name", "version")
    form = forms.NewCaseForm(request.POST or None, models=models, initial={"model": request.GET.get("model")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        model = data.pop("model")
        case = attempt(request, lambda: services.case_create(model=model, actor=request.user, **data), form=form)
        if case is not None:
            messages.success(
                request,
                f"Case {case.reference} is open as a draft. "
                "Upload a system card and access instructions, then submit it.",
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "title": "Open a review case", "window_help": forms.WINDOW_HELP, "has_models": models.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk, CHANGE_CASE)
    draft = case.state == CaseState.DRAFT
    fields = ("access_date", "sharing_date", *services.DESCRIPTIVE_FIELDS) if draft else services.DESCRIPTIVE_FIELDS
    form = forms.CaseForm(request.POST or None, with_dates=draft, initial={f: getattr(case, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        if attempt(request, lambda: services.case_edit(case=case, actor=request.user, **form.cleaned_data), form=form):
            messages.success(request, f"Case {case.reference} is saved.")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {
            "form": form,
            "case": case,
            "title": f"Edit {case.reference}",
            "window_help": forms.WINDOW_HELP,
            "has_models": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_submit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk, CHANGE_CASE)
    if request.method == "POST":
        if attempt(request, lambda: workflow_services.case_submit(case=case, actor=request.user)):
            messages.success(
                request, f"Case {case.reference} is submitted. The program office will assign reviewing agencies."
            )
            return redirect("cases:detail", pk=case.pk)
    context = {
        "case": case,
        "checklist": workflow_policy.submission_checklist(case),
        "access_date_rule": workflow_policy.ACCESS_DATE_RULE,
        "submit": decide(workflow_policy.case_submit_refusal(request.user, case)),
        "title": f"Submit {case.reference}",
    }
    return render(request, "cases/case_submit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_move_sharing_date(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk, CHANGE_CASE)
    form = forms.MoveSharingDateForm(request.POST or None, initial={"sharing_date": case.sharing_date})
    if request.method == "POST" and form.is_valid():
        call = lambda: services.case_move_sharing_date(
            case=case,
            new_sharing_date=form.cleaned_data["sharing_date"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        if attempt(request, call, form=form):
            messages.success(request, f"The sharing date of {case.reference} is now {formats.day(case.sharing_date)}.")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_move_date.html",
        {
            "form": form,
            "case": case,
            "title": f"Move the sharing date of {case.reference}",
            "window_help": forms.WINDOW_HELP,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk, CHANGE_CASE)
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if attempt(
            request,
            lambda: services.case_withdraw(case=case, actor=request.user, reason=form.cleaned_data["reason"]),
            form=form,
        ):
            messages.success(request, f"Case {case.reference} is withdrawn. It stays in the record, read-only.")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/case_withdraw.html", {"form": form, "case": case, "title": f"Withdraw {case.reference}"}
    )


@coordinator_object
@require_http_methods(["GET", "POST"])
def case_assign_agencies(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    form = forms.AssignAgenciesForm(request.POST or None, initial={"agencies": list(case.assigned_agencies.all())})
    if request.method == "POST" and form.is_valid():
        call = lambda: workflow_services.case_assign_agencies(
            case=case, agencies=form.cleaned_data["agencies"], actor=request.user
        )
        if attempt(request, call, form=form):
            messages.success(request, f"Agencies of {case.reference} are saved.")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/case_assign.html", {"form": form, "case": case, "title": f"Assign agencies to {case.reference}"}
    )


@supervisor_object
@require_http_methods(["GET", "POST"])
def case_assign_reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk, REVIEW_CASE)
    agency: Agency = agency_membership(request.user).agency
    members = policy.assignable_reviewers(request.user)
    current = ReviewerAssignment.objects.filter(case=case, agency=agency)
    lead = current.filter(is_lead=True).values_list("reviewer", flat=True).first()
    form = forms.AssignReviewersForm(
        request.POST or None, members=members, initial={"reviewers": [a.reviewer_id for a in current], "lead": lead}
    )
    if request.method == "POST" and form.is_valid():
        call = lambda: services.case_assign_reviewers(
            case=case, reviewers=form.cleaned_data["reviewers"], lead=form.cleaned_data["lead"], actor=request.user
        )
        if attempt(request, call, form=form):
            messages.success(request, f"{agency.short_name}'s reviewers on {case.reference} are saved.")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_assign.html",
        {"form": form, "case": case, "title": f"Assign {agency.short_name} reviewers to {case.reference}"},
    )


@coordinator_object
def case_audit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    from audit.models import AuditEvent
    from audit.views import name_objects

    events = AuditEvent.objects.filter(case=case).select_related("actor", "case").order_by("-id")
    page = paginate(request, events, per_page=50)
    names = name_objects(page.object_list, known={("cases.reviewcase", str(case.pk)): f"case {case.reference}"})
    rows = [(event, names[event.pk]) for event in page.object_list]
    return render(
        request,
        "cases/case_audit.html",
        {"case": case, "page": page, "rows": rows, "title": f"Audit log of {case.reference}"},
    )


# --- closeout --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def closeout_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk, REVIEW_CASE)
    open_findings = workflow_policy.open_released_findings_for(request.user, case)
    form = forms.CloseoutRequestForm(request.POST or None, open_findings=open_findings)
    if request.method == "POST" and form.is_valid():
        call = lambda: workflow_services.closeout_request(
            case=case, actor=request.user, summary=form.cleaned_data["summary"], carried_forward=form.carried_forward()
        )
        closeout = attempt(request, call, form=form)
        if closeout is not None:
            messages.success(
                request, f"Closeout of {case.reference} is requested. A supervisor of each assigned agency decides."
            )
            return redirect("cases:closeout", pk=closeout.pk)
    return render(
        request,
        "cases/closeout_request.html",
        {"form": form, "case": case, "title": f"Request closeout of {case.reference}"},
    )


@login_required
def closeout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    closeout = get_closeout_for(
        request.user,
        pk,
        Closeout.objects.select_related("case__model__firm__group", "requested_by__agency_membership__agency"),
    )
    case = closeout.case
    membership = agency_membership(request.user)
    held = policy.standing(request.user, case, seen=True)
    give_back = decide(workflow_policy.closeout_return_refusal(request.user, closeout, standing_=held))
    approve = give_back
    if give_back.allowed:
        approve = decide(workflow_policy.closeout_approve_refusal(request.user, closeout, standing_=held))
    context = {
        "closeout": closeout,
        "case": case,
        "reviews": closeout_review(request.user, closeout),
        "names_shown": sees_government_names(request.user),
        "my_agency": membership.agency if membership is not None else None,
        "form": forms.CloseoutDecisionForm(may_approve=approve.allowed) if give_back else None,
        "approve": approve,
        "give_back": give_back,
        "show_reasons": workflow_policy.closeout_return_reasons_shown_to(request.user),
        "title": f"Closeout of {case.reference}",
    }
    return render(request, "cases/closeout_detail.html", context)


@login_required
@require_POST
def closeout_decide(request: HttpRequest, pk: int) -> HttpResponse:
    closeout = get_closeout_for(
        request.user,
        pk,
        Closeout.objects.select_related("case__model__firm__group", "requested_by__agency_membership__agency"),
    )
    form = forms.CloseoutDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        call = lambda: workflow_services.closeout_decide(
            closeout=closeout,
            actor=request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
            statement=form.cleaned_data.get("statement", ""),
        )
        decision = attempt(request, call)
        if decision is not None:
            closeout.refresh_from_db()
            if closeout.state == CloseoutState.APPROVED:
                messages.success(
                    request,
                    f"{closeout.case.reference} is closed: every assigned agency approved. The review is concluded.",
                )
            elif approve:
                messages.success(
                    request, "Your agency's approval is recorded. The other assigned agencies still decide."
                )
            else:
                messages.success(request, f"The closeout is returned; {closeout.case.reference} is back in review.")
            return redirect("cases:closeout", pk=closeout.pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("cases:closeout", pk=closeout.pk)
