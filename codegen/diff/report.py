"""The changelog as Markdown for a release note, or as JSON for tools (`to_markdown`, `to_json`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from codegen.diff.schema import KINDS, SECTIONS, Change


def summary(changes: list[Change]) -> dict[str, Any]:
    by_kind = {kind: 0 for kind in KINDS}
    breaking_by_kind = {kind: 0 for kind in KINDS}
    for change in changes:
        by_kind[change.kind] += 1
        breaking_by_kind[change.kind] += change.breaking
    return {
        "total": len(changes),
        "breaking": sum(c.breaking for c in changes),
        "by_kind": by_kind,
        "breaking_by_kind": breaking_by_kind,
    }


def to_json(old_version: str, new_version: str, changes: list[Change]) -> str:
    report = {
        "old_version": old_version,
        "new_version": new_version,
        "summary": summary(changes),
        "changes": [_change_json(c) for c in changes],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "breaking": change.breaking,
        "operation": change.operation,
        "schema": change.schema,
        "path": change.path,
        "old": change.old,
        "new": change.new,
        "detail": describe(change),
    }


def section_of(change: Change) -> str:
    return "Breaking changes" if change.breaking else KINDS[change.kind][0]


def _code(text: str | None) -> str:
    text = text or ""
    ticks = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _note(note: str) -> str:
    return f" ({note})" if note else ""


_ENUM_WORDS = {
    "param_enum_value_added": "accepts new values",
    "param_enum_value_removed": "no longer accepts values",
    "field_enum_value_added": "new values",
    "field_enum_value_removed": "values removed",
}


def describe(change: Change) -> str:
    """One Markdown line for a change, without its subject (the operation or schema)."""
    kind, path = change.kind, _code(change.path)
    if kind in _ENUM_WORDS:
        side = "param" if kind.startswith("param_") else "field"
        return f"{side} {path} {_ENUM_WORDS[kind]}: {_code(change.new or change.old)}"
    if kind == "operation_added":
        return f"new operation {_code(change.new)}" if change.new else "new operation"
    if kind == "operation_removed":
        return f"operation removed ({_code(change.old)})" if change.old else "operation removed"
    if kind == "path_param_renamed":
        return (f"path placeholder renamed: {_code(change.old)} → {_code(change.new)}"
                f"{_note(change.note)}; a call passing it by keyword must use the new name")
    if kind == "resource_added":
        return "new resource"
    if kind == "resource_removed":
        return "resource removed"
    if kind in ("response_retyped", "schema_retyped"):
        what = "returns" if kind == "response_retyped" else "type"
        return f"{what} {_code(change.old)} → {_code(change.new)}{_note(change.note)}"
    side = "param" if kind.startswith("param_") else "field"
    if kind.endswith("_added"):
        return f"{side} {path} added: {_code(change.new)}{_note(change.note)}"
    if kind.endswith("_removed"):
        return f"{side} {path} removed (was {_code(change.old)})"
    if kind == "param_made_required":
        return f"param {path} is now required"
    if kind == "param_made_optional":
        return f"param {path} is now optional"
    if kind.endswith("_retyped"):
        return f"{side} {path} retyped: {_code(change.old)} → {_code(change.new)}" + _note(
            change.note)
    if kind == "field_made_nullable":
        return f"field {path} may now be null{_note(change.note)}"
    if kind == "field_made_non_nullable":
        return f"field {path} is now never null{_note(change.note)}"
    return f"{kind} {path}{_note(change.note)}"


def _lines(changes: list[Change]) -> Iterator[str]:
    """Lines for the changes of one subject, enum values of one path grouped on one line."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for change in changes:
        if change.kind in _ENUM_WORDS:
            grouped.setdefault((change.kind, change.path or ""), []).append(
                (change.new if change.kind.endswith("_added") else change.old) or "")
    done: set[tuple[str, str]] = set()
    for change in changes:
        if change.kind not in _ENUM_WORDS:
            yield describe(change)
            continue
        key = (change.kind, change.path or "")
        if key in done:
            continue
        done.add(key)
        side = "param" if change.kind.startswith("param_") else "field"
        values = ", ".join(_code(v) for v in sorted(grouped[key]))
        yield f"{side} {_code(change.path)} {_ENUM_WORDS[change.kind]}: {values}"


def _whole(change: Change) -> bool:
    return change.kind in ("operation_added", "operation_removed", "resource_added",
                           "resource_removed")


def to_markdown(old_version: str, new_version: str, changes: list[Change],
                sections: Iterable[str] = SECTIONS,
                command: str = "python -m codegen diff OLD NEW") -> str:
    """The release-note form: title, counts, then `sections` (all four unless filtered)."""
    counts = summary(changes)
    out = [f"# API changes {old_version or '?'} → {new_version or '?'}", ""]
    out.append(f"**{counts['total']} changes, {counts['breaking']} breaking.** Each change is "
               "listed once: breaking changes only under *Breaking changes*. Generated by "
               f"`{command}`.")
    out += ["", "| change | count | breaking |", "|---|---:|---:|"]
    for kind in KINDS:
        if counts["by_kind"][kind]:
            out.append(f"| {kind} | {counts['by_kind'][kind]} | "
                       f"{counts['breaking_by_kind'][kind]} |")
    out.append(f"| **total** | **{counts['total']}** | **{counts['breaking']}** |")
    for section in sections:
        out += ["", f"## {section}", ""]
        mine = [c for c in changes if section_of(c) == section]
        if not mine:
            out.append("None.")
            continue
        for title, ops in (("Operations", True), ("Resources and objects", False)):
            part = [c for c in mine if bool(c.operation) == ops]
            if not part:
                continue
            if out[-1]:
                out.append("")
            out += [f"### {title} ({len(part)})", ""]
            subjects: dict[str, list[Change]] = {}
            for change in part:
                subjects.setdefault(change.subject, []).append(change)
            for subject, group in subjects.items():
                whole = [c for c in group if _whole(c)]
                rest = [c for c in group if not _whole(c)]
                head = f"- {_code(subject)}"
                if whole:
                    head += " — " + "; ".join(describe(c) for c in whole)
                out.append(head)
                out += [f"  - {line}" for line in _lines(rest)]
    return "\n".join(out) + "\n"
