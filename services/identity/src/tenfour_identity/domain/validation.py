"""Frozen pydantic models whose failures become field-level `ValidationFailed` errors.

Cross-field rules raise `fields_invalid(...)` inside a model validator so that they, too,
point at a field instead of at the whole model.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from tenfour_identity.domain.errors import ValidationFailed, Violation

__all__ = ["DomainModel", "build", "evolve", "fields_invalid", "invalid", "parse", "violations_of"]

M = TypeVar("M", bound="DomainModel")
_CROSS_FIELD = "tenfour_fields"


class DomainModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def invalid(message: str) -> PydanticCustomError:
    """A single-field failure with a clean message (no "Value error, " prefix)."""
    return PydanticCustomError("invalid", message)


def fields_invalid(violations: Iterable[tuple[str, str]]) -> PydanticCustomError:
    return PydanticCustomError(_CROSS_FIELD, "invalid fields", {"violations": list(violations)})


def violations_of(error: ValidationError) -> list[Violation]:
    """Field path and message of each error; inputs are deliberately dropped (they may be secrets)."""
    result: list[Violation] = []
    too_short: list[Violation] = []
    for item in error.errors(include_url=False, include_input=False):
        if item["type"] == _CROSS_FIELD:
            result.extend(Violation(f, m) for f, m in item.get("ctx", {}).get("violations", []))
        elif item["type"] == "too_short":
            empty = item.get("ctx", {}).get("actual_length") == 0
            message = "must list at least one" if empty else item["msg"]
            too_short.append(Violation(_path(item["loc"]), message))
        else:
            result.append(Violation(_path(item["loc"]), item["msg"]))
    # A list whose only items were invalid is also "too short after validation": that echo
    # of the item errors would only confuse, so it is dropped when an item of it is reported.
    for violation in too_short:
        if not any(v.field.startswith(violation.field + "[") for v in result):
            result.append(violation)
    return result


def _path(loc: tuple[int | str, ...]) -> str:
    """`languages[2]`, `address.city`: the same notation as tenfour_shared.errors' BadRequest."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def build(model: type[M], **data: Any) -> M:
    """Construct `model`, raising ValidationFailed (never pydantic's ValidationError)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(violations_of(exc)) from None


def evolve(instance: M, **changes: Any) -> M:
    """A copy with `changes`, validated again (pydantic's model_copy would skip validation)."""
    return build(type(instance), **{**dict(instance), **changes})


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def parse(kind: Any, value: object, field: str) -> Any:
    """Validate one value as `kind` (e.g. fields.Email), reporting problems under `field`."""
    try:
        return _adapter(kind).validate_python(value)
    except ValidationError as exc:
        violations = []
        for v in violations_of(exc):
            sub = v.field
            path = field if not sub else (f"{field}{sub}" if sub.startswith("[") else f"{field}.{sub}")
            violations.append((path, v.description))
        raise ValidationFailed(violations) from None
