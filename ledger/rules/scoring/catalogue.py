"""Scheme files on disk: every version of every scheme, the latest by effective date."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .errors import SchemeNotFound, ScoringError
from .model import Scheme, parse_scheme

SCHEME_DIR = Path(__file__).resolve().parent.parent / "schemes"
# A body's own scheme versions (for example grade bands it configures for 003, marked configured)
# live in a folder of its own, read beside the shipped one.
ENV_SCHEMES = "CERTLEDGER_SCHEMES"


def _files(*directories: Path) -> list[Path]:
    out: list[Path] = []
    for directory in directories:
        if not directory.is_dir():
            raise ScoringError("invalid-scheme", f"方案目录 {directory} 不存在", f"the scheme folder {directory} does not exist")
        out.extend(sorted(directory.glob("*.toml")))
    return out


def _versions(sid: str, schemes: list[Scheme]) -> tuple[Scheme, ...]:
    """One scheme's versions, ordered by effective date; two files of one version refused."""
    schemes.sort(key=lambda s: (s.effective_from, s.version))
    names = [s.version for s in schemes]
    dupes = {v for v in names if names.count(v) > 1}
    if dupes:
        raise ScoringError("invalid-scheme", f"方案 {sid} 的版本 {sorted(dupes)} 有多个文件",
                           f"scheme {sid} has several files for version(s) {sorted(dupes)}")
    return tuple(s.__class__(**{**s.__dict__, "versions": tuple(names), "memo": {}}) for s in schemes)


def _scan(*directories: Path) -> dict[str, tuple[Scheme, ...]]:
    found: dict[str, list[Scheme]] = {}
    for path in _files(*directories):
        s = parse_scheme(path)
        found.setdefault(s.id, []).append(s)
    return {sid: _versions(sid, versions) for sid, versions in found.items()}


class _Folders:
    """The shipped folder and the body's own, each scheme built when first asked for (D66): a command
    that names one client's grade builds that client's scheme, not all five. Which file holds which
    scheme is read from the files' data (their ``id``, through the rule files' cache, D49) at the
    first question; a file whose data names no id sends every question to the whole scan, which
    refuses it as before."""

    def __init__(self, directories: tuple[Path, ...]) -> None:
        self.directories = directories
        self.index: dict[str, list[Path]] | None = None
        self.built: dict[str, tuple[Scheme, ...]] = {}
        self.everything: dict[str, tuple[Scheme, ...]] | None = None

    def all(self) -> dict[str, tuple[Scheme, ...]]:
        if self.everything is None:
            self.everything = _scan(*self.directories)
            self.built.update(self.everything)
        return self.everything

    def one(self, sid: str) -> tuple[Scheme, ...] | None:
        """The versions of scheme ``sid``, None when no file declares it."""
        if sid in self.built:
            return self.built[sid]
        if self.everything is not None:
            return None
        if self.index is None:
            from ledger.rules import toml_cache

            index: dict[str, list[Path]] = {}
            for path in _files(*self.directories):
                try:
                    declared = toml_cache.load(path).get("id")
                except (OSError, ValueError):
                    declared = None
                if not isinstance(declared, str):
                    return self.all().get(sid)  # the whole scan names the file and what is wrong with it
                index.setdefault(declared, []).append(path)
            self.index = index
        if sid not in self.index:
            return None
        versions = _versions(sid, [parse_scheme(path) for path in self.index[sid]])
        if any(s.id != sid for s in versions):  # pragma: no cover - the id read is the one built
            return self.all().get(sid)
        self.built[sid] = versions
        return versions


@lru_cache(maxsize=4)
def _default(extra: str) -> _Folders:
    return _Folders((SCHEME_DIR, *([Path(extra)] if extra else [])))


def _catalogue(directory: str | Path | None) -> dict[str, tuple[Scheme, ...]]:
    """The shipped folder and the body's own (``CERTLEDGER_SCHEMES``), read once per process; any
    other directory (tests) is read on every call."""
    return _default(os.environ.get(ENV_SCHEMES, "").strip()).all() if directory is None else _scan(Path(directory))


def _scheme_versions(scheme_id: str, directory: str | Path | None) -> tuple[Scheme, ...] | None:
    if directory is None:
        return _default(os.environ.get(ENV_SCHEMES, "").strip()).one(scheme_id)
    return _scan(Path(directory)).get(scheme_id)


def list_schemes(directory: str | Path | None = None) -> list[Scheme]:
    """The latest version of each scheme (all versions in ``Scheme.versions``), by source document."""
    latest = [versions[-1] for versions in _catalogue(directory).values()]
    return sorted(latest, key=lambda s: (s.source_document, s.id))


def load_scheme(scheme_id: str, version: str | None = None, directory: str | Path | None = None) -> Scheme:
    """One scheme; ``version=None`` gives the latest (by effective date)."""
    versions = _scheme_versions(scheme_id, directory)
    if versions is None:
        cat = _catalogue(directory)
        known = "、".join(f"{sid}（{'、'.join(s.version for s in v)}）" for sid, v in sorted(cat.items()))
        known_en = "; ".join(f"{sid} ({', '.join(s.version for s in v)})" for sid, v in sorted(cat.items()))
        raise SchemeNotFound("unknown-scheme", f"没有方案“{scheme_id}”。已有方案：{known}",
                             f"no scheme {scheme_id!r}; known schemes: {known_en}")
    if version is None:
        return versions[-1]
    for s in versions:
        if s.version == version:
            return s
    raise SchemeNotFound("unknown-version",
                         f"方案 {scheme_id} 没有版本“{version}”。已有版本：{'、'.join(s.version for s in versions)}",
                         f"scheme {scheme_id} has no version {version!r}; versions: {', '.join(s.version for s in versions)}")


def scheme_in_force(scheme_id: str, on, directory: str | Path | None = None) -> Scheme:
    """The version of a scheme in force on a date: the newest whose effective date is not after it
    (001 §13.1: the version in force at the time of the activity applies)."""
    load_scheme(scheme_id, directory=directory)  # refuses an unknown id, listing the known ones
    every = _scheme_versions(scheme_id, directory) or ()
    in_force = [s for s in every if s.effective_from <= on]
    if not in_force:
        first = every[0]
        raise SchemeNotFound(
            "not-in-force: 001 §13.1",
            f"方案 {scheme_id} 在 {on} 尚未生效（最早版本 {first.version} 自 {first.effective_from} 起实施）；请核对日期。",
            f"scheme {scheme_id} was not in force on {on} (its first version, {first.version}, "
            f"applies from {first.effective_from}); check the date.",
        )
    return in_force[-1]


def grade_names(scheme_id: str | None, version: str | None, code: str | None) -> dict[str, str] | None:
    """The Chinese and English names of a grade code under the scheme version that gave it (None
    without a code, or for a version or code the catalogue does not know)."""
    if not (scheme_id and code):
        return None
    try:
        bands = load_scheme(scheme_id, version).grading.bands
    except ScoringError:
        return None
    for band in bands:
        if band.code == code:
            return {"zh": band.name_zh, "en": band.name_en}
    return None
