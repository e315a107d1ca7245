"""The API reference page's content, read from the OpenAPI schema: operations grouped by
tag, each with its parameters, request body fields and responses, and the components
they name, one level deep. Plain data only; ``templates/api/docs.html`` draws it, so the
page needs no script."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REF_PREFIX = "#/components/schemas/"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str
    location: str = ""  # "query", "path" or "header" for a parameter


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    schema: str  # the component name, or a short type, or ""
    schema_anchor: str  # the component's id on the page, when it is one
    content_type: str


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Field]
    body: str  # the request body's component name (or type); "" when there is none
    body_anchor: str
    body_required: bool
    body_fields: list[Field]
    responses: list[Answer]
    scopes: list[str]


@dataclass
class Section:
    tag: str
    anchor: str
    operations: list[Operation] = field(default_factory=list)


@dataclass(frozen=True)
class Component:
    name: str
    anchor: str
    description: str
    fields: list[Field]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def operation_anchor(method: str, path: str) -> str:
    """The id of an operation's heading: ``get-api-v1-projects-project-id``."""
    return slug(f"{method} {path}")


def component_anchor(name: str) -> str:
    return f"schema-{slug(name)}"


def ref_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return ref.removeprefix(REF_PREFIX) if ref.startswith(REF_PREFIX) else ""


def type_text(schema: dict[str, Any] | None) -> str:
    """A short reading of a schema: ``integer``, ``ProjectOut``, ``array of string``,
    ``string or null``, ``string: remote, onsite or hybrid``."""
    if not schema:
        return "any"
    if name := ref_name(schema):
        return name
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            text = " or ".join(type_text(option) for option in schema[combinator])
            if "enum" in schema:
                text = f"{text}: {_choices(schema['enum'])}"
            return text
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return type_text(schema["allOf"][0])
    kind = schema.get("type", "object" if "properties" in schema else "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        kind = f"array of {type_text(schema.get('items'))}"
    elif schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    if "enum" in schema:
        kind = f"{kind}: {_choices(schema['enum'])}"
    return kind


def _choices(values: list[Any]) -> str:
    shown = [str(value) for value in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _properties(schema: dict[str, Any]) -> list[Field]:
    required = set(schema.get("required", []))
    return [
        Field(
            name=name,
            type=type_text(prop),
            required=name in required,
            description=prop.get("description", ""),
        )
        for name, prop in schema.get("properties", {}).items()
    ]


def _named_component(schema: dict[str, Any]) -> str:
    """The component a schema names, also through ``anyOf`` (an optional body is
    ``anyOf: [{$ref}, {type: null}]``); "" for an inline schema."""
    if name := ref_name(schema):
        return name
    options = schema.get("anyOf") or schema.get("oneOf") or []
    return next((ref_name(option) for option in options if ref_name(option)), "")


def _anchor_of(schema: dict[str, Any]) -> str:
    name = _named_component(schema)
    return component_anchor(name) if name else ""


def _content_schema(body: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    for content_type, media in body.get("content", {}).items():
        return content_type, media.get("schema")
    return "", None


def _operation(
    method: str, path: str, spec: dict[str, Any], components: dict[str, Any]
) -> Operation:
    parameters = [
        Field(
            name=param["name"],
            type=type_text(param.get("schema")),
            required=bool(param.get("required")),
            description=param.get("description", ""),
            location=param.get("in", ""),
        )
        for param in spec.get("parameters", [])
    ]
    body, body_anchor, body_fields = "", "", []
    request_body = spec.get("requestBody") or {}
    _, body_schema = _content_schema(request_body)
    if body_schema is not None:
        body = type_text(body_schema)
        body_anchor = _anchor_of(body_schema)
        resolved = components.get(_named_component(body_schema), body_schema)
        body_fields = _properties(resolved)
    responses = []
    for status, answer in spec.get("responses", {}).items():
        content_type, schema = _content_schema(answer)
        responses.append(
            Answer(
                status=str(status),
                description=answer.get("description", ""),
                schema=type_text(schema) if schema is not None else "",
                schema_anchor=_anchor_of(schema) if schema is not None else "",
                content_type=content_type,
            )
        )
    scopes = sorted(
        {
            scope
            for requirement in spec.get("security", [])
            for s in requirement.values()
            for scope in s
        }
    )
    return Operation(
        anchor=operation_anchor(method, path),
        method=method.upper(),
        path=path,
        summary=spec.get("summary", ""),
        description=spec.get("description", ""),
        parameters=parameters,
        body=body,
        body_anchor=body_anchor,
        body_required=bool(request_body.get("required")),
        body_fields=body_fields,
        responses=sorted(responses, key=lambda answer: answer.status),
        scopes=scopes,
    )


def api_reference(schema: dict[str, Any]) -> dict[str, Any]:
    """The page's content: ``sections`` (one per tag, in the schema's order) and
    ``components`` (every named schema with its properties)."""
    components = schema.get("components", {}).get("schemas", {})
    sections: dict[str, Section] = {}
    for path, item in schema.get("paths", {}).items():
        for method, spec in item.items():
            if method not in HTTP_METHODS:
                continue
            tag = (spec.get("tags") or ["Other"])[0]
            section = sections.setdefault(tag, Section(tag=tag, anchor=f"tag-{slug(tag)}"))
            section.operations.append(_operation(method, path, spec, components))
    return {
        "sections": list(sections.values()),
        "components": [
            Component(
                name=name,
                anchor=component_anchor(name),
                description=component.get("description", ""),
                fields=_properties(component),
            )
            for name, component in components.items()
        ],
    }
