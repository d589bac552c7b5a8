"""Named model presets, kept as data in ``models/screening/presets.json``: each combines a
feature extractor, classifier, balancer and querier (by registry name, with parameters)
and says in ``comment`` where its numbers came from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp_review.errors import ConfigError, unknown_name
PRESETS_FILE = Path(__file__).resolve().parents[2] / "models" / "screening" / "presets.json"
PARTS = ("feature_extractor", "classifier", "balancer", "querier")


@dataclass(frozen=True)
class Preset:
    name: str
    comment: str
    parts: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def make(self, part: str) -> Any:
        from nlp_review.screening import registry  # scikit-learn: imported when used

        name, params = self.parts[part]
        return registry.make(part, name, params)


def _parse(name: str, data: Any, file: Path) -> Preset:
    from nlp_review.screening import registry  # scikit-learn: imported when used

    if not isinstance(data, dict):
        raise ConfigError(f"{file}: preset {name!r} is not an object")
    unknown = set(data) - {"comment", *PARTS}
    missing = [k for k in ("comment", *PARTS) if k not in data]
    if unknown or missing:
        raise ConfigError(f"{file}: preset {name!r}: unknown keys {sorted(unknown)}, "
                          f"missing keys {missing}", hint=f"keys: comment, {', '.join(PARTS)}")
    parts = {}
    for part in PARTS:
        spec = data[part]
        if not isinstance(spec, dict) or set(spec) - {"name", "params"} or "name" not in spec:
            raise ConfigError(f"{file}: preset {name!r}: {part} must be "
                              '{"name": ..., "params": {...}}')
        parts[part] = (spec["name"], dict(spec.get("params") or {}))
        registry.make(part, *parts[part])  # validates the name and the parameters
    return Preset(name=name, comment=str(data["comment"]), parts=parts)


@lru_cache(maxsize=4)
def load_presets(file: Path = PRESETS_FILE) -> tuple[str, dict[str, Preset]]:
    """(default preset name, presets by name), validated."""
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read model presets {file}: {exc}") from exc
    presets = {n: _parse(n, p, file) for n, p in data.get("presets", {}).items()}
    default = data.get("default")
    if default not in presets:
        raise ConfigError(f"{file}: default preset {default!r} is not defined")
    return default, presets


def default_preset_name(file: Path = PRESETS_FILE) -> str | None:
    """The name the presets file gives as its default, read without validating the presets
    (cheap enough for help texts); None when the file cannot be read."""
    try:
        default = json.loads(Path(file).read_text(encoding="utf-8")).get("default")
    except (OSError, ValueError, AttributeError):
        return None
    return default if isinstance(default, str) else None


def get_preset(name: str | None = None) -> Preset:
    """The preset called ``name`` (None: the default one)."""
    default, presets = load_presets()
    name = name or default
    if name not in presets:
        raise unknown_name("preset", name, list(presets))
    return presets[name]


def preset_names() -> list[str]:
    return sorted(load_presets()[1])
