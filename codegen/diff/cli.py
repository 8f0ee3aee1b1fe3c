"""`python -m codegen diff OLD NEW ...`: the command line of the changelog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.diff.differ import diff
from codegen.diff.report import to_json, to_markdown
from codegen.diff.schema import SECTIONS


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codegen diff",
        description="API changelog between two Stripe OpenAPI specs (JSON or YAML).")
    parser.add_argument("old", type=Path, help="the older spec")
    parser.add_argument("new", type=Path, help="the newer spec")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")
    parser.add_argument("--breaking-only", action="store_true", help="report breaking changes only")
    parser.add_argument("--fail-on-breaking", action="store_true",
                        help="exit 1 when there is a breaking change")
    parser.add_argument("-o", "--output", type=Path, help="write the report here, not stdout")
    args = parser.parse_args(argv)

    from codegen.spec import SpecError, load_document

    try:
        old, new = load_document(args.old), load_document(args.new)
    except (OSError, ValueError, SpecError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    changes = diff(old, new)
    if args.breaking_only:
        changes = [c for c in changes if c.breaking]
    old_version = str(old.get("info", {}).get("version", ""))
    new_version = str(new.get("info", {}).get("version", ""))
    if args.format == "json":
        text = to_json(old_version, new_version, changes)
    else:
        sections = ("Breaking changes",) if args.breaking_only else SECTIONS
        command = " ".join(["python -m codegen diff", str(args.old), str(args.new),
                            *(["--breaking-only"] if args.breaking_only else [])])
        text = to_markdown(old_version, new_version, changes, sections, command)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if args.fail_on_breaking and any(c.breaking for c in changes) else 0
