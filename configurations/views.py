"""Pages for a case's tested configurations, its access ledger and the firm's sharing attestation.
Each view fetches the case through ``cases.selectors.get_case_for`` (404 for what the user may not
see), asks the rule (``configurations.policy``), validates its form, calls one service, redirects.
An action that is not the person's at all answers 404, like a page that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import ReviewCase
from cases.policy import Standing, operational_detail_shown_to, standing
from cases.selectors import get_case_for
from configurations import forms, policy, selectors, services
from configurations.chart import chart
from configurations.models import Configuration
from core import permissions
from core.policy import Refusal, decide
from core.web import attempt


def _refuse_if_forbidden(request: HttpRequest, refusal: Refusal | None, what: str, pk: Any) -> None:
    if refusal is not None and refusal.forbidden:
        raise permissions.refuse_access(request.user, what, pk)


# --- configurations ---------------------------------------------------------------------------


@login_required
def configuration_list(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk)
    held = standing(request.user, case, seen=True)
    versions = list(selectors.configurations_for(request.user, case, held=held))
    lineages: dict[Any, list[Configuration]] = {}
    for configuration in versions:
        configuration.case = case  # the rule reads the case: no query per row
        lineages.setdefault(configuration.lineage, []).append(configuration)
    rows = [
        (history, decide(policy.configuration_revise_refusal(request.user, history[0], standing_=held)))
        for history in lineages.values()
    ]
    context = {
        "case": case,
        "rows": rows,
        "add": decide(policy.configuration_add_refusal(request.user, case, standing_=held)),
        "detail_shown": operational_detail_shown_to(request.user),
        "title": f"Tested configurations of {case.reference}",
    }
    return render(request, "configurations/configuration_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def configuration_add(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk)
    refusal = policy.configuration_add_refusal(request.user, case)
    _refuse_if_forbidden(request, refusal, "configurations.add", case_pk)
    form = forms.ConfigurationForm(request.POST or None, initial={"access_variant": "production_safeguards"})
    if request.method == "POST" and form.is_valid():
        added = attempt(
            request, lambda: services.configuration_add(case=case, actor=request.user, **form.cleaned_data), form=form
        )
        if added is not None:
            messages.success(request, f"{added} is added to {case.reference}.")
            return redirect("configurations:list", case_pk=case.pk)
    context = {
        "case": case,
        "form": form,
        "refusal": refusal,
        "title": f"Add a tested configuration to {case.reference}",
    }
    return render(request, "configurations/configuration_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def configuration_revise(request: HttpRequest, pk: int) -> HttpResponse:
    found = Configuration.objects.filter(pk=pk).select_related("case").first()
    if found is None:
        raise permissions.refuse_access(request.user, "configurations.revise", pk)
    case = get_case_for(request.user, found.case_id)
    configuration = Configuration.objects.select_related("case").get(pk=pk)
    refusal = policy.configuration_revise_refusal(request.user, configuration)
    _refuse_if_forbidden(request, refusal, "configurations.revise", pk)
    initial = {field: getattr(configuration, field) for field in services.CONFIGURATION_FIELDS}
    form = forms.ConfigurationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        revised = attempt(
            request,
            lambda: services.configuration_revise(configuration=configuration, actor=request.user, **form.cleaned_data),
            form=form,
        )
        if revised is not None:
            messages.success(request, f"Version {revised.version} of {revised.name} is saved.")
            return redirect("configurations:list", case_pk=case.pk)
    context = {
        "case": case,
        "form": form,
        "configuration": configuration,
        "refusal": refusal,
        "title": f"Change {configuration}",
    }
    return render(request, "configurations/configuration_form.html", context)


# --- the access ledger ------------------------------------------------------------------------


def _ledger_context(request: HttpRequest, case: ReviewCase, held: Standing) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    periods = list(selectors.access_periods_for(user, case, held=held).order_by("started_at", "pk"))
    interruptions = list(selectors.interruptions_for(user, case, held=held).order_by("started_at", "pk"))
    summary = selectors.access_summary_for(user, case, held=held, now=now)
    record = decide(policy.ledger_record_refusal(user, case, standing_=held))
    configurations = selectors.configurations_for(user, case, held=held)
    threads = selectors.ledger_comments(periods, interruptions)
    for period in periods:
        period.thread = threads.get(f"period-{period.pk}", [])  # type: ignore[attr-defined]
    for interruption in interruptions:
        interruption.thread = threads.get(f"interruption-{interruption.pk}", [])  # type: ignore[attr-defined]
    return {
        "case": case,
        "periods": periods,
        "interruptions": interruptions,
        "summary": summary,
        "chart": chart(summary, now=now),
        "record": record,
        "comment": decide(policy.ledger_comment_refusal(user, case, standing_=held)),
        "period_form": forms.AccessPeriodForm(configurations=configurations, prefix="period") if record else None,
        "interruption_form": (
            forms.InterruptionForm(configurations=configurations, prefix="interruption") if record else None
        ),
        "comment_form": forms.LedgerCommentForm(),
        "title": f"Access ledger of {case.reference}",
    }


@login_required
def ledger(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk)
    held = standing(request.user, case, seen=True)
    return render(request, "configurations/ledger.html", _ledger_context(request, case, held))


def _record(request: HttpRequest, case_pk: int, form_class: type[forms.LedgerForm], kind: str) -> HttpResponse:
    case = get_case_for(request.user, case_pk)
    held = standing(request.user, case, seen=True)
    refusal = policy.ledger_record_refusal(request.user, case, standing_=held)
    _refuse_if_forbidden(request, refusal, f"configurations.record_{kind}", case_pk)
    form = form_class(
        request.POST, configurations=selectors.configurations_for(request.user, case, held=held), prefix=kind
    )
    if form.is_valid():
        data = form.cleaned_data
        if isinstance(form, forms.InterruptionForm):
            call = lambda: services.interruption_record(
                case=case,
                configuration=data["configuration"],
                actor=request.user,
                started_at=data["started_at"],
                ended_at=form.ended_at(),
                cause=data["cause"],
                note=data["note"],
                visibility=data["visibility"],
            )
        else:
            call = lambda: services.access_period_record(
                case=case,
                configuration=data["configuration"],
                actor=request.user,
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                confirmed_by=data["confirmed_by"],
                visibility=data["visibility"],
            )
        if attempt(request, call, form=form) is not None:
            messages.success(
                request, "The interruption is recorded." if kind == "interruption" else "The access period is recorded."
            )
            return redirect("configurations:ledger", case_pk=case.pk)
    context = _ledger_context(request, case, held)
    context[f"{kind}_form"] = form
    return render(request, "configurations/ledger.html", context, status=400)


@login_required
@require_POST
def period_record(request: HttpRequest, case_pk: int) -> HttpResponse:
    return _record(request, case_pk, forms.AccessPeriodForm, "period")


@login_required
@require_POST
def interruption_record(request: HttpRequest, case_pk: int) -> HttpResponse:
    return _record(request, case_pk, forms.InterruptionForm, "interruption")


@login_required
@require_POST
def ledger_comment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in ("period", "interruption"):
        raise permissions.refuse_access(request.user, "configurations.ledger_entry", pk)
    entry = selectors.get_ledger_entry_for(request.user, kind, pk)
    _refuse_if_forbidden(
        request, policy.ledger_comment_refusal(request.user, entry.case), "configurations.comment_ledger", pk
    )
    form = forms.LedgerCommentForm(request.POST)
    if form.is_valid():
        done = attempt(
            request,
            lambda: services.ledger_comment_add(actor=request.user, body=form.cleaned_data["body"], **{kind: entry}),
        )
        if done is not None:
            messages.success(request, "Your comment is added to the entry.")
    else:
        messages.error(request, "Write the comment.")
    return redirect("configurations:ledger", case_pk=entry.case_id)


# --- the sharing attestation ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attestation(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk)
    held = standing(request.user, case, seen=True)
    made = selectors.attestation_of(case)
    refusal = policy.case_attest_sharing_refusal(request.user, case, standing_=held)
    form = None
    if made is None and refusal is None:
        form = forms.AttestationForm(request.POST or None, configurations=selectors.current_configurations(case))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            done = attempt(
                request,
                lambda: services.sharing_attest(
                    case=case,
                    actor=request.user,
                    choice=data["choice"],
                    configuration=data["configuration"],
                    different_description=data["different_description"],
                ),
                form=form,
            )
            if done is not None:
                messages.success(request, "Your statement is recorded. Thank you.")
                return redirect("configurations:attestation", case_pk=case.pk)
    elif request.method == "POST":
        _refuse_if_forbidden(request, refusal, "configurations.attest", case_pk)
        messages.error(request, str(refusal or "The firm has already attested what it shares."))
    context = {
        "case": case,
        "attestation": made,
        "form": form,
        # What the firm is told when it cannot attest yet; others read only what was attested.
        "refusal": refusal if made is None and refusal is not None and not refusal.forbidden else None,
        "title": f"Sharing attestation of {case.reference}",
    }
    return render(request, "configurations/attestation.html", context)
