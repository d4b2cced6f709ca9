"""Pages for findings, firm responses and comments: authorize and fetch through the selectors
(404 for what the user may not see), validate, call one service, redirect."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from cases.models import ReviewCase
from cases.permissions import REVIEW_CASE
from cases.policy import Standing, standing
from cases.selectors import get_case_for
from configurations.models import Configuration
from configurations.policy import attestation_differs_for
from configurations.selectors import current_configurations
from core import formats, permissions
from core.models import Visibility
from core.policy import decide
from core.web import attempt, paginate
from documents import services as document_services
from documents.models import DocumentKind, DocumentVersion
from documents.policy import initial_marking
from documents.selectors import documents_for, live_versions
from findings import forms, policy, services
from findings.models import Category, Finding, FindingState, Severity, TargetKind
from findings.permissions import VIEW_FINDING
from findings.selectors import comments_for, findings_for, get_finding_for

_SEVERITY_RANK = Case(
    *[When(severity=value, then=Value(rank)) for rank, value in enumerate(Severity.values)],
    output_field=IntegerField(),
)


def _versions_visible(user: User, case: ReviewCase) -> Any:
    documents = documents_for(user).filter(case=case)
    return (
        live_versions().filter(document__in=documents).select_related("document").order_by("document__title", "-number")
    )


def _filtered(request: HttpRequest) -> tuple[forms.FindingFilterForm, Any]:
    form = forms.FindingFilterForm(request.GET or None)
    findings = findings_for(request.user).annotate(severity_rank=_SEVERITY_RANK)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            findings = findings.filter(Q(title__icontains=data["q"]) | Q(case__reference__icontains=data["q"]))
        for field in ("state", "severity", "category"):
            if data.get(field):
                findings = findings.filter(**{field: data[field]})
        findings = findings.order_by(data.get("sort") or "-created_at", "-pk")
    else:
        findings = findings.order_by("-created_at", "-pk")
    return form, findings


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    form, findings = _filtered(request)
    filtered = form.is_valid() and any(value for name, value in form.cleaned_data.items() if name != "sort")
    # Unfiltered, the list holds exactly the findings the reader may see: count their grants.
    count = None if filtered else (lambda: permissions.visible_count(request.user, VIEW_FINDING))
    page = paginate(request, findings, count=count)
    return render(request, "findings/finding_list.html", {"form": form, "page": page, "title": "Findings"})


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def finding_export(request: HttpRequest) -> StreamingHttpResponse:
    """The findings the user may see (with the list's filters), as CSV. Audited like a download."""
    form, findings = _filtered(request)
    services.findings_export_record(actor=request.user, filters=getattr(form, "cleaned_data", {}))
    writer = csv.writer(_Echo())
    header = [
        "case",
        "finding",
        "agency",
        "title",
        "category",
        "severity",
        "target",
        "state",
        "visibility",
        "response_due",
        "released_at",
    ]

    # Plain tuples straight from the cursor (no model instances), a chunk at a time: the first
    # byte goes out at once and memory stays flat however many rows the reader may see.
    labels = {
        "category": dict(Category.choices),
        "severity": dict(Severity.choices),
        "target_kind": dict(TargetKind.choices),
        "state": dict(FindingState.choices),
        "visibility": dict(Visibility.choices),
    }
    values = findings.values_list(
        "case__reference",
        "pk",
        "agency__short_name",
        "title",
        "category",
        "severity",
        "target_kind",
        "target_component",
        "state",
        "visibility",
        "response_due",
        "released_at",
    )

    def rows() -> Any:
        yield writer.writerow(header)
        for (
            ref,
            pk,
            agency,
            title,
            category,
            severity,
            kind,
            component,
            state,
            visibility,
            due,
            released,
        ) in values.iterator(chunk_size=2000):
            target = labels["target_kind"].get(kind, kind) + (f": {component}" if component else "")
            cells = [
                ref,
                pk,
                agency,
                title,
                labels["category"].get(category, category),
                labels["severity"].get(severity, severity),
                target,
                labels["state"].get(state, state),
                labels["visibility"].get(visibility, visibility),
                formats.iso(due),
                formats.iso(released),
            ]
            # Neutralise spreadsheet formulas in text cells (CSV injection).
            yield writer.writerow(
                [f"'{c}" if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t", "\r") else c for c in cells]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="checkpoint-findings.csv"'
    return response


def _finding_actions(user: User, finding: Finding, held: Standing) -> dict[str, Any]:
    """What the person may do to the finding now, each with the rule's answer (``core.policy``)."""
    return {
        "edit": decide(policy.finding_edit_refusal(user, finding, standing_=held)),
        "release": decide(policy.finding_release_refusal(user, finding, standing_=held)),
        "request_release": decide(policy.finding_request_release_refusal(user, finding, standing_=held)),
        "withdraw": decide(policy.finding_withdraw_refusal(user, finding, standing_=held)),
        "resolve": decide(policy.finding_resolve_refusal(user, finding, standing_=held)),
        "send_back": decide(policy.finding_send_back_refusal(user, finding, standing_=held)),
        "respond": decide(policy.finding_respond_refusal(user, finding, standing_=held)),
        "comment": decide(policy.comment_add_refusal(user, finding.case, finding=finding, standing_=held)),
    }


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # What the page shows of the finding's people, configuration and the case's attestation comes
    # with the finding, in one statement.
    finding = get_finding_for(
        request.user,
        pk,
        related=(
            "configuration",
            "author",
            "released_by",
            "release_requested_by",
            "case__sharing_attestation__configuration",
        ),
    )
    user = request.user
    case = finding.case
    try:
        attestation: Any = case.sharing_attestation
    except ObjectDoesNotExist:
        attestation = None
    held = standing(user, case)
    actions = _finding_actions(user, finding, held)
    context = {
        "finding": finding,
        "case": case,
        "actions": actions,
        "responses": finding.responses.select_related("responder", "sent_back_by").prefetch_related(
            Prefetch("documents", queryset=live_versions().select_related("document"))
        ),
        "comments": comments_for(user).filter(finding=finding).order_by("created_at"),
        "related": finding.related_versions.select_related("document").filter(
            document__in=documents_for(user), retraction__isnull=True
        ),
        "comment_form": forms.CommentForm(author=user),
        "response_form": forms.ResponseForm(versions=_versions_visible(user, case)) if actions["respond"] else None,
        "release_form": forms.ReleaseForm(finding=finding) if actions["release"] else None,
        "resolve_form": forms.ResolveForm() if actions["resolve"] else None,
        "title": f"Finding #{finding.pk}: {finding.title}",
        "configuration": finding.configuration,
        "shared_differs": attestation_differs_for(attestation, finding.configuration),
    }
    return render(request, "findings/finding_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def finding_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk, REVIEW_CASE)
    configurations = current_configurations(case)
    form = forms.FindingForm(
        request.POST or None,
        versions=_versions_visible(request.user, case),
        configurations=configurations,
        initial={
            "visibility": Visibility.AGENCY,
            "target_kind": "model",
            "configuration": configurations.first() if len(configurations) == 1 else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        finding = attempt(
            request, lambda: services.finding_draft(case=case, actor=request.user, **form.cleaned_data), form=form
        )
        if finding is not None:
            messages.success(
                request, f"Finding #{finding.pk} is saved as a draft: only your agency sees it until it is released."
            )
            return redirect("findings:detail", pk=finding.pk)
    return render(
        request,
        "findings/finding_form.html",
        {"form": form, "case": case, "title": f"Draft a finding on {case.reference}"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_finding_for(request.user, pk)
    refusal = policy.finding_edit_refusal(request.user, finding)
    if refusal is not None and refusal.forbidden:
        # Readers outside the authoring agency (the firm, other agencies) have no edit page.
        raise permissions.refuse_access(request.user, "findings.edit_finding", pk)
    initial: dict[str, Any] = {f: getattr(finding, f) for f in services.EDITABLE_FIELDS}
    initial["related_versions"] = list(finding.related_versions.all())
    initial["configuration"] = finding.configuration
    configurations = current_configurations(finding.case) | Configuration.objects.filter(pk=finding.configuration_id)
    form = forms.FindingForm(
        request.POST or None,
        versions=_versions_visible(request.user, finding.case),
        configurations=configurations.distinct(),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        versions = data.pop("related_versions")
        if attempt(
            request,
            lambda: services.finding_edit(finding=finding, actor=request.user, related_versions=versions, **data),
            form=form,
        ):
            messages.success(request, f"Finding #{finding.pk} is saved.")
            return redirect("findings:detail", pk=finding.pk)
    return render(
        request,
        "findings/finding_form.html",
        {
            "form": form,
            "case": finding.case,
            "finding": finding,
            "refusal": refusal,
            "title": f"Edit finding #{finding.pk}",
        },
    )


def _refused(request: HttpRequest, finding: Finding, form: Any) -> HttpResponse:
    """A confirmation or a note missing: nothing changed, and the page says what is needed."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("findings:detail", pk=finding.pk)


def _after(request: HttpRequest, finding: Finding, done: Any, message: str) -> HttpResponse:
    if done is not None:
        messages.success(request, message)
    return redirect("findings:detail", pk=finding.pk)


@login_required
@require_POST
def finding_release(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_finding_for(request.user, pk)
    form = forms.ReleaseForm(request.POST, finding=finding)
    # Someone the rule refuses hears the rule's reason (from the service), not about the checkbox.
    if policy.finding_release_refusal(request.user, finding) is None and not form.is_valid():
        return _refused(request, finding, form)
    done = attempt(request, lambda: services.finding_release(finding=finding, actor=request.user))
    return _after(
        request,
        finding,
        done,
        f"Finding #{finding.pk} is released: {finding.get_visibility_display().lower()} can read it.",
    )


@login_required
@require_POST
def finding_request_release(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_finding_for(request.user, pk)
    done = attempt(request, lambda: services.finding_request_release(finding=finding, actor=request.user))
    return _after(
        request,
        finding,
        done,
        f"{finding.agency.short_name}'s supervisors are asked to release finding #{finding.pk}: "
        "it is on their dashboard.",
    )


@login_required
@require_POST
def finding_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_finding_for(request.user, pk)
    form = forms.ResolveForm(request.POST)
    if policy.finding_resolve_refusal(request.user, finding) is None and not form.is_valid():
        return _refused(request, finding, form)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    done = attempt(request, lambda: services.finding_resolve(finding=finding, actor=request.user, note=note))
    return _after(request, finding, done, f"Finding #{finding.pk} is resolved.")


@login_required
@require_POST
def finding_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_finding_for(request.user, pk)
    form = forms.OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    done = attempt(request, lambda: services.finding_withdraw(finding=finding, actor=request.user, reason=reason))
    return _after(request, finding, done, f"Finding #{finding.pk} is withdrawn.")


@login_required
@require_POST
def finding_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_finding_for(request.user, pk)
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    done = attempt(request, lambda: services.finding_send_back(finding=finding, actor=request.user, reason=reason))
    return _after(request, finding, done, "The response is sent back to the firm with your reason.")


@login_required
@require_POST
def finding_respond(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_finding_for(request.user, pk)
    form = forms.ResponseForm(request.POST, request.FILES, versions=_versions_visible(request.user, finding.case))
    if form.is_valid():
        attached = _attach(request, finding, form)
        documents = list(form.cleaned_data["documents"]) + ([attached] if attached is not None else [])
        call = lambda: services.finding_respond(
            finding=finding,
            actor=request.user,
            choice=form.cleaned_data["choice"],
            text=form.cleaned_data["text"],
            documents=documents,
        )
        done = attempt(request, call, form=form) if not form.errors else None
        if done is not None:
            messages.success(request, "Your response is recorded and the reviewers are notified.")
            return redirect("findings:detail", pk=finding.pk)
    context = {
        "finding": finding,
        "case": finding.case,
        "response_form": form,
        "title": f"Respond to finding #{finding.pk}",
    }
    return render(request, "findings/finding_respond.html", context, status=400)


def _attach(request: HttpRequest, finding: Finding, form: Any) -> DocumentVersion | None:
    """The document the firm attaches from the response form, uploaded through the documents'
    service (checked, stored, audited) once the response itself is allowed; a refused upload is
    shown on the form and nothing is answered."""
    upload = form.cleaned_data.get("new_document")
    if not upload:
        return None
    if (refusal := policy.finding_respond_refusal(request.user, finding)) is not None:
        form.add_error(None, str(refusal))
        return None
    call = lambda: document_services.document_create(
        case=finding.case,
        kind=form.cleaned_data["new_document_kind"] or DocumentKind.OTHER,
        title=form.cleaned_data["new_document_title"],
        marking=initial_marking(request.user),
        upload=upload,
        actor=request.user,
    )
    document = attempt(request, call, form=form)
    return document.versions.get() if document is not None else None


@login_required
@require_POST
def comment_add(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Add a comment to a case, or to one of its findings (``finding`` in the form). With htmx, the
    updated thread is returned in place; without JavaScript, the page reloads."""
    case = get_case_for(request.user, case_pk)
    # A finding of another case is refused by the service, never quietly moved to this case.
    finding = get_finding_for(request.user, request.POST["finding"]) if request.POST.get("finding") else None
    form = forms.CommentForm(request.POST, author=request.user)
    if form.is_valid():
        call = lambda: services.comment_add(
            case=case,
            actor=request.user,
            body=form.cleaned_data["body"],
            visibility=form.chosen_visibility,
            finding=finding,
        )
        # With htmx the refusal shows on the returned form; after a reload, as a message.
        if attempt(request, call, form=form if request.htmx else None) is not None and not request.htmx:
            messages.success(request, "Your comment is added.")
    elif not request.htmx:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    if request.htmx:
        if finding is not None and finding.case_id != case.pk:
            finding = None  # the thread shown is this case's
        comments = comments_for(request.user).filter(case=case, finding=finding).order_by("created_at")
        fresh = form if form.errors else forms.CommentForm(author=request.user)
        return render(
            request,
            "findings/_comments.html",
            {"comments": comments, "comment_form": fresh, "case": case, "finding": finding, "can_comment": True},
        )
    on_this_case = finding is not None and finding.case_id == case.pk
    target = reverse("findings:detail", args=[finding.pk]) if on_this_case else reverse("cases:detail", args=[case.pk])
    return redirect(f"{target}#comments")
