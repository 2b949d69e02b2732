"""Generate the committed JSON Schema files from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from anpr.protocol.messages import MESSAGE_TYPES

SCHEMA_DIR = Path(__file__).parent / "schemas"


def schemas() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for kind, model in MESSAGE_TYPES.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://anpr.invalid/schemas/v1/{kind}.json"
        out[f"{kind}.v1.json"] = schema
    return out


def write(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = directory / name
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written
