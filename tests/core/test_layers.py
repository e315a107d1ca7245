"""The layers beyond Python imports (import-linter checks those in `make check`): a lower
app's templates load no higher app's template tags and include no higher app's
templates, and no module reaches a higher app's model through ``apps.get_model``."""

import ast
import gc
import re
from pathlib import Path

import pytest
from django.conf import settings

# Highest first, as in pyproject.toml's import-linter layers contract.
LAYERS = ["devtools", "marketplace", "matching", "projects", "accounts", "core"]
ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"

LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")
INCLUDE = re.compile(r"""{%\s*(?:include|extends)\s+["']([\w-]+)/""")


def rank(app: str) -> int:
    return len(LAYERS) - LAYERS.index(app)


def tag_libraries() -> dict[str, str]:
    """Template tag library name → the app that defines it."""
    return {
        module.stem: app
        for app in LAYERS
        for module in (ROOT / app / "templatetags").glob("*.py")
        if module.stem != "__init__"
    }


def loaded_libraries(text: str) -> list[str]:
    names = []
    for match in LOAD.finditer(text):
        words = match.group(1).split()
        # `{% load a b %}` loads two libraries; `{% load x y from lib %}` loads one.
        names += words[-1:] if "from" in words else words
    return names


def app_templates():
    for app in LAYERS:
        for path in sorted((TEMPLATES / app).rglob("*.html")):
            yield app, path


def upward(app: str, other: str | None) -> bool:
    return other in LAYERS and rank(other) > rank(app)


def test_the_layer_list_names_every_local_app():
    local = {name for name in settings.INSTALLED_APPS if (ROOT / name / "apps.py").exists()}
    assert local == set(LAYERS)


def test_no_template_loads_a_higher_apps_tag_library():
    libraries = tag_libraries()
    found = [
        f"{path.relative_to(ROOT)} loads {name} ({libraries[name]})"
        for app, path in app_templates()
        for name in loaded_libraries(path.read_text())
        if upward(app, libraries.get(name))
    ]
    assert found == []


def test_no_template_includes_a_higher_apps_template():
    found = [
        f"{path.relative_to(ROOT)} uses {other}/…"
        for app, path in app_templates()
        for other in INCLUDE.findall(path.read_text())
        if upward(app, other)
    ]
    assert found == []


def parse_without_collecting(source: str) -> ast.Module:
    """``ast.parse`` with the garbage collector held off.

    CPython 3.11's AST constructor can fail with a spurious "SystemError: AST constructor
    recursion depth mismatch" (python/cpython#106905) when something runs in the middle of
    it; late in a long test session a collection running finalizers is that something."""
    gc.disable()
    try:
        return ast.parse(source)
    finally:
        gc.enable()


def get_model_labels(source: str) -> list[str]:
    """The app labels named by ``….get_model("app", "Model")`` or
    ``….get_model("app.Model")`` calls in a module."""
    labels = []
    for node in ast.walk(parse_without_collecting(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            labels.append(node.args[0].value.split(".")[0])
    return labels


def test_no_module_gets_a_higher_apps_model():
    found = [
        f"{path.relative_to(ROOT)} gets a {label} model"
        for app in LAYERS
        for path in sorted((ROOT / app).rglob("*.py"))
        for label in get_model_labels(path.read_text())
        if upward(app, label)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("{% load humanize partials %}", ["humanize", "partials"]),
        ("{% load badge from matching_tags %}", ["matching_tags"]),
        ("{%load site_nav%}", ["site_nav"]),
    ],
)
def test_loaded_libraries_reads_every_form_of_load(text, names):
    assert loaded_libraries(text) == names


def test_get_model_labels_reads_both_call_forms():
    source = 'apps.get_model("matching", "Offer")\napps.get_model("projects.Project")\n'
    assert get_model_labels(source) == ["matching", "projects"]
