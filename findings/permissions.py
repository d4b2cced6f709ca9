VIEW_FINDING = "findings.view_finding"
VIEW_COMMENT = "findings.view_comment"
