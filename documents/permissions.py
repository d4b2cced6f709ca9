VIEW_DOCUMENT = "documents.view_document"
