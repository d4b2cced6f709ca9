"""Every operation of the schema documents its errors, in one place."""

from __future__ import annotations

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/Error"}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per field (or `detail` with a sentence).",
    "additionalProperties": True,
}
ERRORS = {
    "401": "No valid credentials: a missing, unknown, expired or revoked token, or a deactivated account.",
    "403": "Not yours to do at all (your role), a read-only token writing, or a missing CSRF token.",
    "429": "Too many requests for this token: wait the seconds of `Retry-After`.",
}
OBJECT_ERRORS = {"404": "No such object, or it is not yours to see (the two answer alike)."}
WRITE_ERRORS = {
    "400": "Invalid input: messages per field.",
    "409": "Refused by the rules now (state, two-person rule, read-only case): `detail` says why.",
}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail"],
    }
    schemas["FieldErrors"] = FIELD_ERRORS
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            wanted = dict(ERRORS)
            if "{" in path or method != "get":  # a write may name objects in its body too
                wanted |= OBJECT_ERRORS
            if method != "get":
                wanted |= WRITE_ERRORS
            else:
                wanted["400"] = "Invalid filters: messages per parameter."
            for code, description in wanted.items():
                if code in responses:
                    continue
                schema = {"$ref": "#/components/schemas/FieldErrors"} if code == "400" else ERROR_REF
                responses[code] = {"description": description, "content": {"application/json": {"schema": schema}}}
    return result


try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension
except ImportError:  # pragma: no cover - drf-spectacular is in requirements.txt
    OpenApiAuthenticationExtension = object  # type: ignore[assignment,misc]


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (`cp_...`) from the portal's API tokens page.",
        }


class PortalSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    target_class = "api.authentication.PortalSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The portal's own pages (with CSRF).",
        }
