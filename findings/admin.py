# Findings, finding responses and comments are deliberately not registered in the admin: their
# contents are compartmented per agency (DESIGN.md, "Who sees what") and program coordinators may
# not read them. Their history is visible, without content, in the audit log.
