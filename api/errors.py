"""One JSON shape for every error, ``{"error": {"code", "message"}}``, and never a stack trace to a caller."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

#: Codes and one-line messages of the HTTP errors Werkzeug raises itself.
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request is malformed."),
    401: ("missing_api_key", "An API key is required in the X-API-Key header."),
    403: ("invalid_api_key", "The API key is not valid."),
    404: ("not_found", "No such resource; see /api/v1/docs for the endpoints."),
    405: ("method_not_allowed", "This method is not allowed on this resource."),
    413: ("payload_too_large", "The request body is too large."),
    414: ("uri_too_long", "The URL is too long; client IDs have at most 10 digits, batches go in a POST body."),
    415: ("unsupported_media_type", "The request body must be JSON (Content-Type: application/json)."),
    429: ("rate_limited", "Too many requests; retry after the delay given in Retry-After."),
    431: ("headers_too_large", "A request header is too large or there are too many headers."),
}


class ApiError(Exception):
    """An expected failure with its HTTP status, a stable code and a one-line message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """The JSON (or, for the page, HTML) response of an error."""
    if request.blueprint == "page":
        response = Response(
            render_template("error.html", status=status, code=code, message=message), status=status
        )
    else:
        response = jsonify({"error": {"code": code, "message": message}})
        response.status_code = status
    response.headers.update(headers or {})
    return response


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, error.headers)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    code, message = HTTP_CODES.get(status, ("http_error", "The request cannot be served."))
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_response(status, code, message, headers)


def _database_error(error: DBAPIError) -> Response:
    current_app.logger.error("database unavailable: %s", error.__class__.__name__, exc_info=error)
    return error_response(503, "database_unavailable", "The database is unreachable; retry later.")


def _unexpected(error: Exception) -> Response:
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "Internal error; it has been logged.")


def init_app(app: Flask) -> None:
    """Register the handlers: expected errors, HTTP errors, database errors, then everything else."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(Exception, _unexpected)
