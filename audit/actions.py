"""Every action the audit log records. ``audit_record`` refuses any other, so an action cannot be
written without being listed here, and a test holds that each one is either labelled for case
timelines or deliberately kept off them (``audit.selectors``).

The values are what the log stores (and what its hash chain covers): never change one.
"""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    # Signing in and out, sessions, second factors, sign-in addresses (accounts.auditing)
    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_REAUTHENTICATION_FAILED = "auth.reauthentication_failed"
    AUTH_LOGOUT = "auth.logout"
    AUTH_SESSION_ENDED = "auth.session_ended"
    AUTH_PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105 (an action, not a password)
    AUTH_PASSWORD_RESET = "auth.password_reset"  # noqa: S105
    AUTH_EMAIL_ADDED = "auth.email_added"
    AUTH_EMAIL_REMOVED = "auth.email_removed"
    AUTH_EMAIL_CHANGED = "auth.email_changed"
    MFA_AUTHENTICATOR_ADDED = "mfa.authenticator_added"
    MFA_AUTHENTICATOR_REMOVED = "mfa.authenticator_removed"
    MFA_RECOVERY_CODES_REGENERATED = "mfa.recovery_codes_regenerated"
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used"
    AUTH_OTHER_SESSIONS_ENDED = "auth.other_sessions_ended"  # "sign out everywhere else"
    MFA_KEY_ROTATED = "mfa.key_rotated"  # every stored secret re-encrypted with the newest key (ops)

    # Accounts and organisations
    USER_CREATED = "user.created"
    USER_DEACTIVATED = "user.deactivated"
    COORDINATOR_APPOINTED = "coordinator.appointed"
    ACCOUNT_EMAIL_CHANGED = "account.email_changed"
    INVITATION_SENT = "invitation.sent"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_EXPIRED = "invitation.expired"
    INVITATION_REVOKED = "invitation.revoked"
    FIRM_CREATED = "firm.created"
    FIRM_MEMBER_ADDED = "firm.member_added"
    FIRM_MEMBER_REMOVED = "firm.member_removed"
    AGENCY_CREATED = "agency.created"
    AGENCY_MEMBER_ADDED = "agency.member_added"
    AGENCY_MEMBER_REMOVED = "agency.member_removed"

    # Models, cases and closeouts
    MODEL_REGISTERED = "model.registered"
    MODEL_EDITED = "model.edited"
    CASE_CREATED = "case.created"
    CASE_EDITED = "case.edited"
    CASE_SUBMITTED = "case.submitted"
    CASE_AGENCIES_ASSIGNED = "case.agencies_assigned"
    CASE_REVIEWERS_ASSIGNED = "case.reviewers_assigned"
    CASE_SHARING_DATE_MOVED = "case.sharing_date_moved"
    CASE_WITHDRAWN = "case.withdrawn"
    CASE_CLOSED = "case.closed"
    CLOSEOUT_REQUESTED = "closeout.requested"
    CLOSEOUT_APPROVED = "closeout.approved"
    CLOSEOUT_RETURNED = "closeout.returned"
    RECORD_STORED = "record.stored"
    RECORD_DOWNLOADED = "record.downloaded"
    REPORT_INTERIM_VIEWED = "report.interim_viewed"

    # Documents
    DOCUMENT_CREATED = "document.created"
    DOCUMENT_VERSION_ADDED = "document.version_added"
    DOCUMENT_DOWNLOADED = "document.downloaded"
    DOCUMENT_UPLOAD_REFUSED = "document.upload_refused"
    DOCUMENT_VERSION_RETRACTED = "document.version_retracted"

    # Findings and comments
    FINDING_DRAFTED = "finding.drafted"
    FINDING_EDITED = "finding.edited"
    FINDING_RELEASED = "finding.released"
    FINDING_RELEASE_REQUESTED = "finding.release_requested"
    FINDING_WITHDRAWN = "finding.withdrawn"
    FINDING_FIRM_RESPONDED = "finding.firm_responded"
    FINDING_RESPONSE_SENT_BACK = "finding.response_sent_back"
    FINDING_RESOLVED = "finding.resolved"
    FINDINGS_EXPORTED = "findings.exported"
    COMMENT_ADDED = "comment.added"

    # Tested configurations, the access ledger and the sharing attestation (configurations)
    CONFIGURATION_ADDED = "configuration.added"
    CONFIGURATION_REVISED = "configuration.revised"
    ACCESS_PERIOD_RECORDED = "access.period_recorded"
    ACCESS_INTERRUPTION_RECORDED = "access.interruption_recorded"
    LEDGER_COMMENTED = "access.ledger_commented"
    SHARING_ATTESTED = "case.sharing_attested"

    # Notifications and reminders
    NOTIFICATION_READ = "notification.read"
    NOTIFICATION_CLEARED = "notification.cleared"
    NOTIFICATIONS_ALL_READ = "notifications.all_read"
    NOTIFICATIONS_CLEARED = "notifications.cleared"
    NOTIFICATIONS_PREFERENCE_CHANGED = "notifications.preference_changed"
    REMINDERS_SWEPT = "reminders.swept"

    # The REST API: personal access tokens, the firms' webhook endpoints (api.services)
    API_TOKEN_CREATED = "api.token_created"  # noqa: S105 (an action, not a token)
    API_TOKEN_REVOKED = "api.token_revoked"  # noqa: S105
    API_TOKEN_REFUSED = "api.token_refused"  # noqa: S105
    WEBHOOK_ENDPOINT_ADDED = "webhook.endpoint_added"
    WEBHOOK_ENDPOINT_REMOVED = "webhook.endpoint_removed"
    WEBHOOK_TEST_SENT = "webhook.test_sent"

    # Planning: a person's calendar feed address
    CALENDAR_FEED_CREATED = "calendar.feed_created"
    CALENDAR_FEED_REVOKED = "calendar.feed_revoked"

    # The audit log itself
    AUDIT_LOG_EXPORTED = "audit.exported"

    # Saved searches
    SAVED_SEARCH_CREATED = "saved_search.created"
    SAVED_SEARCH_DELETED = "saved_search.deleted"
    SAVED_SEARCH_EMAILED = "saved_search.emailed"

    # Refused accesses (audit.services.audit_refusal)
    ACCESS_REFUSED = "access.refused"
    ACCESS_REFUSED_REPEATED = "access.refused_repeated"
