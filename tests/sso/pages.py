"""Reading the identity providers' HTML pages as a browser would: forms with their
fields and buttons, labels, alerts and scripts."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """Collects the forms, labels, alerts and scripts of a page: what a user or browser uses."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.labels: dict[str, str] = {}  # the id of the field -> label text
        self.alerts: list[str] = []
        self.scripts: list[str] = []
        self._label_for: str | None = None
        self._in: str | None = None  # "button", "alert" or "script"
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(attributes.get("action", ""), attributes.get("method", "get")))
        elif tag == "input" and self.forms and "name" in attributes:
            self.forms[-1].fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "label":
            self._label_for, self._text = attributes.get("for", ""), ""
        elif tag == "button" or attributes.get("role") == "alert" or tag == "script":
            self._in = "button" if tag == "button" else "script" if tag == "script" else "alert"
            self._text = ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_for is not None:
            self.labels[self._label_for] = self._text.strip()
            self._label_for = None
        elif self._in == "button" and tag == "button" and self.forms:
            self.forms[-1].buttons.append(self._text.strip())
            self._in = None
        elif self._in == "script" and tag == "script":
            self.scripts.append(self._text)
            self._in = None
        elif self._in == "alert" and tag == "p":
            self.alerts.append(self._text.strip())
            self._in = None


def parse_page(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    return parser
