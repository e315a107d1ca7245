"""What the generated-input test feeds: found by walking the project, not kept by hand.

project_routes()           every URL pattern whose view lives in a project app, from
                           the URL resolver (allauth's and the Django admin's own views
                           are out of scope)
project_forms()            every Form/ModelForm class defined in a project forms module
view_inputs(route)         the forms a route's view uses and the raw GET/POST keys it
                           reads, found in the view's code and the helpers it calls
allowed_methods(callback)  the methods its ``require_http_methods`` family of
                           decorators lets through
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import types
from dataclasses import dataclass, field
from functools import cache

from django import forms
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

PROJECT_APPS = ("core", "accounts", "projects", "matching", "marketplace")

# Names that many list and search pages read; fed to every GET route as well.
GENERIC_QUERY_PARAMS = ("q", "page", "sort", "year", "status", "tab", "next")

_RAW_KEY = re.compile(
    r"""request\.(GET|POST)(?:\.get|\.getlist|\.pop)?\s*[\(\[]\s*["']([^"']+)["']"""
    r"""|["']([^"']+)["']\s+in\s+request\.(GET|POST)"""
)
_PREFIX = re.compile(r"""prefix\s*=\s*["']([\w-]+)["']""")
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "work/engagements/<int:pk>/hours/"
    name: str  # e.g. "matching:engagement-hours"
    callback: types.FunctionType

    @property
    def params(self) -> list[tuple[str, str, str]]:
        """(converter, name, the literal path before it) for each path parameter."""
        found = []
        for match in _PARAM.finditer(self.route):
            prefix = self.route[: match.start()]
            found.append((match.group("converter") or "str", match.group("name"), prefix))
        return found

    def path(self, values: dict[str, str]) -> str:
        """The URL with each parameter replaced by ``values[name]`` (already quoted)."""
        return "/" + _PARAM.sub(lambda m: values[m.group("name")], self.route)


HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def allowed_methods(callback: types.FunctionType) -> set[str]:
    """What ``require_GET``/``require_POST``/``require_http_methods`` allow: the list is
    the one non-empty list of method names the decorator's inner function closes over.
    A view without such a decorator allows GET and POST (and answers for itself)."""
    func: object = callback
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, list | tuple) and value and set(value) <= HTTP_METHODS:
                return set(value)
        func = getattr(func, "__wrapped__", None)
    return {"GET", "POST"}


@dataclass
class ViewInputs:
    forms: list[type[forms.BaseForm]] = field(default_factory=list)
    get_keys: set[str] = field(default_factory=set)
    post_keys: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)

    @property
    def reads_query(self) -> bool:
        return bool(self.get_keys)

    @property
    def takes_input(self) -> bool:
        return bool(self.forms or self.get_keys or self.post_keys)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern


def _app_of(module_name: str) -> str:
    return module_name.split(".", 1)[0]


@cache
def project_routes() -> tuple[Route, ...]:
    routes = []
    for route, name, pattern in _walk(get_resolver()):
        callback = pattern.callback
        module = getattr(callback, "__module__", "") or ""
        if _app_of(module) not in PROJECT_APPS:
            continue
        # A regex route (re_path) has no simple way to build its URL; the project has none.
        assert isinstance(pattern.pattern, RoutePattern), f"re_path route: {route}"
        routes.append(Route(route=route, name=name, callback=callback))
    return tuple(routes)


def _is_forms_module(name: str) -> bool:
    return any(part.startswith("forms") for part in name.split(".")[1:])


def _import_forms_modules() -> None:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if _is_forms_module(info.name) and ".migrations" not in info.name:
                importlib.import_module(info.name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


@cache
def project_forms() -> tuple[type[forms.BaseForm], ...]:
    _import_forms_modules()
    found = {
        cls
        for cls in _subclasses(forms.BaseForm)
        if _app_of(cls.__module__) in PROJECT_APPS and _is_forms_module(cls.__module__)
    }
    return tuple(sorted(found, key=lambda c: (c.__module__, c.__name__)))


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _resolve(name: str, namespace: dict) -> list[object]:
    """What ``name`` may refer to in a module: a global, or an attribute of a module the
    code reaches through a global (``forms.ProfileForm``, ``services.offer_accept``)."""
    found = []
    if name in namespace:
        found.append(namespace[name])
    for value in list(namespace.values()):
        if (
            isinstance(value, types.ModuleType)
            and _app_of(value.__name__) in PROJECT_APPS
            and name in vars(value)
        ):
            found.append(vars(value)[name])
    return found


def _is_view_code(func: object) -> bool:
    module = getattr(func, "__module__", "") or ""
    return (
        isinstance(func, types.FunctionType)
        and _app_of(module) in PROJECT_APPS
        and ("views" in module or module == "core.web")
    )


@cache
def view_inputs(callback: types.FunctionType) -> ViewInputs:
    """The forms and raw request keys of a view, following the view-layer helpers it
    calls (``_thread_context``, ``invitation_accept_flow`` …), not services."""
    known_forms = set(project_forms())
    inputs = ViewInputs()
    seen: set[types.FunctionType] = set()
    pending = [inspect.unwrap(callback)]
    while pending:
        func = pending.pop()
        if func in seen:
            continue
        seen.add(func)
        try:
            source = inspect.getsource(func)
        except (OSError, TypeError):
            source = ""
        for match in _RAW_KEY.finditer(source):
            if match.group(1):
                method, key = match.group(1), match.group(2)
            else:
                key, method = match.group(3), match.group(4)
            (inputs.get_keys if method == "GET" else inputs.post_keys).add(key)
        inputs.prefixes |= set(_PREFIX.findall(source))
        for name in _code_names(func.__code__):
            for target in _resolve(name, func.__globals__):
                if isinstance(target, type) and target in known_forms:
                    if target not in inputs.forms:
                        inputs.forms.append(target)
                elif _is_view_code(target) and target not in seen:
                    pending.append(target)
    return inputs
