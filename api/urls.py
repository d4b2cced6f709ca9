"""REST API v1 under /api/v1/, with its OpenAPI schema, Swagger UI and Redoc (served from the portal,
no CDN)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api import endpoints as e
from api import uploads

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("firms/", e.FirmList.as_view(), name="firms"),
    path("models/", e.ModelList.as_view(), name="models"),
    path("models/<int:pk>/", e.ModelDetail.as_view(), name="model"),
    path("cases/", e.CaseList.as_view(), name="cases"),
    path("triage/", e.Triage.as_view(), name="triage"),
    path("cases/<int:pk>/", e.CaseDetail.as_view(), name="case"),
    path("cases/<int:pk>/submit/", e.CaseSubmit.as_view(), name="case_submit"),
    path("cases/<int:pk>/move-sharing-date/", e.CaseMoveSharingDate.as_view(), name="case_move_sharing_date"),
    path("cases/<int:pk>/withdraw/", e.CaseWithdraw.as_view(), name="case_withdraw"),
    path("cases/<int:pk>/assign-agencies/", e.CaseAssignAgencies.as_view(), name="case_assign_agencies"),
    path("cases/<int:pk>/assign-reviewers/", e.CaseAssignReviewers.as_view(), name="case_assign_reviewers"),
    path("cases/<int:pk>/timeline/", e.CaseTimeline.as_view(), name="case_timeline"),
    path("cases/<int:pk>/documents/", uploads.CaseDocuments.as_view(), name="case_documents"),
    path("cases/<int:pk>/findings/", e.CaseFindings.as_view(), name="case_findings"),
    path("cases/<int:pk>/comments/", e.CaseComments.as_view(), name="case_comments"),
    path("cases/<int:pk>/closeouts/", e.CaseCloseouts.as_view(), name="case_closeouts"),
    path("documents/<int:pk>/", e.DocumentDetail.as_view(), name="document"),
    path("documents/<int:pk>/versions/", uploads.DocumentVersions.as_view(), name="document_versions"),
    path(
        "documents/<int:pk>/versions/<int:number>/download/", uploads.VersionDownload.as_view(), name="version_download"
    ),
    path("findings/", e.FindingList.as_view(), name="findings"),
    path("findings/<int:pk>/", e.FindingDetail.as_view(), name="finding"),
    path("findings/<int:pk>/responses/", e.FindingResponses.as_view(), name="finding_responses"),
    path("findings/<int:pk>/release/", e.FindingRelease.as_view(), name="finding_release"),
    path("findings/<int:pk>/request-release/", e.FindingRequestRelease.as_view(), name="finding_request_release"),
    path("cases/<int:pk>/configurations/", e.CaseConfigurations.as_view(), name="case_configurations"),
    path("findings/<int:pk>/resolve/", e.FindingResolve.as_view(), name="finding_resolve"),
    path("findings/<int:pk>/withdraw/", e.FindingWithdraw.as_view(), name="finding_withdraw"),
    path("findings/<int:pk>/send-back/", e.FindingSendBack.as_view(), name="finding_send_back"),
    path("findings/<int:pk>/respond/", e.FindingRespond.as_view(), name="finding_respond"),
    path("comments/", e.CommentList.as_view(), name="comments"),
    path("closeouts/<int:pk>/", e.CloseoutDetail.as_view(), name="closeout"),
    path("closeouts/<int:pk>/decide/", e.CloseoutDecide.as_view(), name="closeout_decide"),
    path("notifications/", e.NotificationList.as_view(), name="notifications"),
    path("notifications/<int:pk>/read/", e.NotificationRead.as_view(), name="notification_read"),
]
