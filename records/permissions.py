"""The object permission on closeout records (declared in ``core.permissions.GUARDED``)."""

VIEW_RECORD = "records.view_closeoutrecord"
