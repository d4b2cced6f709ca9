"""Permission names for cases and models, declared once. Granted and revoked only by services."""

VIEW_CASE = "cases.view_reviewcase"
# The firm's right to act on its open case: edit, submit, move the date, upload, respond, withdraw.
CHANGE_CASE = "cases.change_reviewcase"
# An assigned agency's right to review the open case: findings, comments, working files, closeout.
REVIEW_CASE = "cases.review_reviewcase"
VIEW_MODEL = "cases.view_aimodel"
CHANGE_MODEL = "cases.change_aimodel"
