"""JSON text for read-model columns: Decimal as its exact string, dates and times in ISO form."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


def _default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, (date, datetime)):
        return o.isoformat()
    if isinstance(o, UUID):
        return str(o)
    if isinstance(o, (set, tuple)):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=_default, separators=(",", ":"))


def loads(text: str) -> Any:
    return json.loads(text)
