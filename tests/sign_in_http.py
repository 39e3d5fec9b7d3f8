"""Talking to a sign-in form over HTTP as a browser does: one request without following redirects, and a form
POST with the CSRF cookie fetched from the form's page and repeated in the form."""
from __future__ import annotations

import http.client
import urllib.parse


def exchange(url: str, method: str = "GET", body: str | None = None, headers: dict | None = None):
    """(status, headers, body text) of one request, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def request_once(url: str, method: str = "GET", body: str | None = None, headers: dict | None = None):
    """(status, headers) of one request, redirects not followed."""
    status, answer_headers, _ = exchange(url, method, body, headers)
    return status, answer_headers


def post_form(url: str, fields: dict[str, str], csrf: bool = True, headers: dict | None = None) -> tuple[int, dict]:
    """POST a sign-in form as a browser does: the CSRF cookie got from the form's page, repeated in the form."""
    from database.signin import CSRF_COOKIE

    headers = {**(headers or {}), "Content-Type": "application/x-www-form-urlencoded"}
    if csrf:
        _, page = request_once(url.split("?")[0])
        token = page["Set-Cookie"].split(f"{CSRF_COOKIE}=", 1)[1].split(";", 1)[0]
        fields, headers["Cookie"] = {**fields, "csrf": token}, f"{CSRF_COOKIE}={token}"
    return request_once(url, "POST", urllib.parse.urlencode(fields), headers)


def session_cookie(headers: dict) -> str:
    """The ``name=value`` of the session cookie an answer sets."""
    from database.signin import COOKIE

    return COOKIE + "=" + headers["Set-Cookie"].split(f"{COOKIE}=", 1)[1].split(";", 1)[0]
