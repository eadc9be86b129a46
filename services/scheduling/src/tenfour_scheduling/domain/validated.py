"""Base class of the domain's input value objects: frozen pydantic models whose
construction errors surface as InvalidInput with complete field paths."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from tenfour_scheduling.domain.errors import invalid_from_model

__all__ = ["ValidatedModel"]

# Pydantic calls an overridden __init__ for nested models too. Only the outermost
# construction converts the error; nested ones re-raise pydantic's own so it can prefix
# their location (``definitions.D.length`` rather than ``length``).
_depth: ContextVar[int] = ContextVar("validated_model_depth", default=0)


@contextmanager
def _converting() -> Iterator[None]:
    token = _depth.set(_depth.get() + 1)
    try:
        yield
    except ValidationError as exc:
        if _depth.get() > 1:
            raise
        raise invalid_from_model(exc) from None
    finally:
        _depth.reset(token)


class ValidatedModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, /, **data: Any) -> None:
        with _converting():
            super().__init__(**data)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Build from plain nested data (e.g. a decoded request)."""
        with _converting():
            return cls.model_validate(data)
