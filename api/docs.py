"""The OpenAPI document as JSON, and a readable HTML page rendered from it (no external assets)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, render_template

from api.openapi import get_spec

bp = Blueprint("docs", __name__, url_prefix="/api/v1")


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
      summary: Readable documentation of every endpoint (HTML)
      tags: [documentation]
      responses:
        "200":
          description: An HTML page.
          content: {text/html: {schema: {type: string}}}
    """
    spec = get_spec(current_app)
    return render_template("docs.html", spec=spec, operations=_operations(spec))


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation with its parameters, body, responses and a curl example, in path order."""
    out = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            responses = [
                {"status": status, "description": _resolve(spec, r).get("description", ""),
                 "schema": _schema_name(_resolve(spec, r))}
                for status, r in sorted(op.get("responses", {}).items())
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            out.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "secured": bool(op.get("security")),
                "parameters": op.get("parameters", []), "responses": responses,
                "body": _schema_name(body), "curl": _curl(spec, method, path, op),
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
            })
    return out


def _resolve(spec: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` to components."""
    ref = item.get("$ref")
    if not ref:
        return item
    node: Any = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _schema_name(item: dict[str, Any]) -> str:
    ref = item.get("content", {}).get("application/json", item).get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1]


def _curl(spec: dict[str, Any], method: str, path: str, op: dict[str, Any]) -> str:
    """A curl command line showing the call with example values."""
    url = path
    for param in op.get("parameters", []):
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", str(param["schema"].get("example", "1")))
    parts = ["curl -s"]
    if method != "get":
        parts.append(f"-X {method.upper()}")
    if op.get("security"):
        parts.append('-H "X-API-Key: $SCORING_API_KEY"')
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        schema = _resolve(spec, body["schema"])
        example = {k: v["example"] for k, v in schema.get("properties", {}).items() if "example" in v}
        parts.append("-H 'Content-Type: application/json'")
        parts.append(f"-d '{json.dumps(example)}'")
    parts.append(f"http://localhost:8000{url}")
    return " ".join(parts)
