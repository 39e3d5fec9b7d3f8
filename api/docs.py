"""The OpenAPI document as JSON, and Swagger UI (from the flask-swagger-ui package, served here) to read it."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template, send_from_directory
from flask_swagger_ui import flask_swagger_ui

from api.errors import ApiError
from api.openapi import get_spec

bp = Blueprint("docs", __name__, url_prefix="/api/v1")
viewer = Blueprint("viewer", __name__, url_prefix="/viewer")  # the viewer's files: not part of the API
VIEWER_FILES = ("swagger-ui.css", "swagger-ui-bundle.js")
#: The viewer runs its own scripts and inline styles, from this server only, and reads the spec with fetch.
VIEWER_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              "font-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI document.
    ---
    get:
      summary: This API described in OpenAPI 3.1
      tags: [documentation]
      responses:
        "200":
          description: The OpenAPI document.
          content: {application/json: {schema: {type: object}}}
    """
    return get_spec(current_app)


@bp.get("/docs")
def docs_page():
    """The documentation page.
    ---
    get:
      summary: Every endpoint, its parameters, bodies and answers, in Swagger UI (served locally)
      tags: [documentation]
      responses:
        "200":
          description: An HTML page.
          content: {text/html: {schema: {type: string}}}
    """
    spec = get_spec(current_app)
    page = render_template("docs.html", title=spec["info"]["title"], lang="en")
    return page, 200, {"Content-Security-Policy": VIEWER_CSP}


@viewer.get("/<name>")
def asset(name: str):
    """A file of the Swagger UI package (flask-swagger-ui ships its dist folder): no CDN."""
    if name not in VIEWER_FILES:
        raise ApiError(404, "not_found", "No such resource; see /api/v1/docs for the endpoints.")

    return send_from_directory(Path(flask_swagger_ui.__file__).parent / "dist", name, max_age=86400)
