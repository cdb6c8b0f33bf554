"""Reading YAML nodes with their line numbers, collecting every problem as a :class:`CatalogError`.

The catalog parser works on the composed YAML node tree, not on loaded Python values. Every
node carries the line it came from, and a scalar keeps the exact text that was written. So
``0.995`` becomes ``Decimal("0.995")`` without passing through a float, and the ZIP code
``01234`` keeps its leading zero.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

import yaml

from premia.kernel.errors import DomainError

EnumType = TypeVar("EnumType", bound=StrEnum)

NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class CatalogError:
    """One problem in a catalog file: where it is, which field, what is wrong and how to fix it."""

    file: str
    line: int | None
    field: str
    message: str
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line is not None else self.file
        text = f"{place}: {self.field}: {self.message}"
        return f"{text} {self.hint}" if self.hint else text


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class NodeReader:
    """Typed access to YAML nodes that records an error, and returns None, for each bad value."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[CatalogError] = []

    def error(
        self, line: int | None, field: str, message: str, hint: str | None = None, *, file: str | None = None
    ) -> None:
        self.errors.append(CatalogError(file or self.file, line, field, message, hint))

    def domain_error(self, exc: DomainError, line: int | None, path: str, *, file: str | None = None) -> None:
        """Record a record-level check that failed while building a model object."""
        field = f"{path}.{exc.field}" if exc.field else path
        self.error(line, field, exc.message, exc.hint, file=file)

    def mapping(
        self,
        node: yaml.Node,
        path: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
        open_keys: bool = False,
    ) -> dict[str, yaml.Node] | None:
        """Return a mapping's values by key; unknown, duplicate and missing keys are errors.

        With ``open_keys`` any key is accepted (for maps keyed by data, such as states).
        """
        if not isinstance(node, yaml.MappingNode):
            self.error(line_of(node), path, f"expected a mapping of keys to values, found {_kind(node)}.")
            return None

        values: dict[str, yaml.Node] = {}
        allowed = set(required) | set(optional)
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None or key_node.tag == MERGE_TAG:
                self.error(
                    line_of(key_node),
                    path,
                    "merge keys and non-scalar keys are not supported.",
                    "Write each field out, or put shared plan settings under defaults.",
                )
                continue
            if key in values:
                self.error(
                    line_of(key_node), f"{path}.{key}", f"key {key!r} appears twice.", "Remove one of them."
                )
                continue
            if not open_keys and key not in allowed:
                self.error(
                    line_of(key_node),
                    f"{path}.{key}",
                    f"unknown key {key!r}.",
                    f"Known keys: {', '.join(sorted(allowed))}.",
                )
                continue
            values[key] = value_node

        for key in required:
            if key not in values or _is_null(values[key]):
                self.error(line_of(node), f"{path}.{key}", f"required key {key!r} is missing.")
        return values

    def sequence(self, node: yaml.Node, path: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.error(line_of(node), path, f"expected a list, found {_kind(node)}.")
            return None
        return list(node.value)

    def items(self, node: yaml.Node | None, path: str) -> list[tuple[str, yaml.Node]]:
        """Return ``(path, node)`` for each entry of an optional list section."""
        if node is None:
            return []
        entries = self.sequence(node, path) or []
        return [(f"{path}[{index}]", entry) for index, entry in enumerate(entries)]

    def text(self, node: yaml.Node | None, path: str) -> str | None:
        if node is None or _is_null(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.error(line_of(node), path, f"expected a single value, found {_kind(node)}.")
            return None
        value = str(node.value).strip()
        if not value:
            self.error(line_of(node), path, "value is empty.")
            return None
        return value

    def decimal(self, node: yaml.Node | None, path: str) -> Decimal | None:
        text = self.text(node, path)
        if text is None:
            return None
        return self.decimal_text(text, path, line_of(node) if node is not None else None)

    def decimal_text(
        self, text: str, path: str, line: int | None, *, file: str | None = None
    ) -> Decimal | None:
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.error(
                line, path, f"{text!r} is not a decimal number.", "Write a number such as 1.20.", file=file
            )
            return None
        return value

    def integer(self, node: yaml.Node | None, path: str) -> int | None:
        text = self.text(node, path)
        if text is None:
            return None
        if not text.isdigit():
            self.error(line_of(node) if node is not None else None, path, f"{text!r} is not a whole number.")
            return None
        return int(text)

    def date_value(self, node: yaml.Node | None, path: str) -> date | None:
        text = self.text(node, path)
        if text is None:
            return None
        return self.date_text(text, path, line_of(node) if node is not None else None)

    def date_text(self, text: str, path: str, line: int | None, *, file: str | None = None) -> date | None:
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.error(line, path, f"{text!r} is not a valid date.", "Write dates as YYYY-MM-DD.", file=file)
            return None

    def choice(self, node: yaml.Node | None, path: str, enum: type[EnumType]) -> EnumType | None:
        text = self.text(node, path)
        if text is None:
            return None
        try:
            return enum(text)
        except ValueError:
            self.error(
                line_of(node) if node is not None else None,
                path,
                f"{text!r} is not one of the allowed values.",
                f"Use one of: {', '.join(member.value for member in enum)}.",
            )
            return None

    def text_list(self, node: yaml.Node | None, path: str) -> list[str]:
        if node is None or _is_null(node):
            return []
        items = self.sequence(node, path)
        if items is None:
            return []
        texts = [self.text(item, f"{path}[{index}]") for index, item in enumerate(items)]
        return [text for text in texts if text is not None]


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and (node.tag == NULL_TAG or node.value == "")


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"the value {node.value!r}"
