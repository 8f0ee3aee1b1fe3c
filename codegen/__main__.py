"""Command line of the generator: `python -m codegen {generate,spec,diff} ...`."""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "diff":
        from codegen.diff import main as diff_main

        return diff_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m codegen")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="generate the client package into generated/")
    gen.add_argument("--spec", help="spec file (default: STRIPE_SPEC, the shared copy, or a download)")
    gen.add_argument("--out", default=None, help="output directory (default: generated/)")
    gen.add_argument("--no-pin", action="store_true", help="do not check the spec against spec/pin.json")
    gen.add_argument("--no-overlays", action="store_true", help="do not merge spec/overlays/")
    chk = sub.add_parser("spec", help="locate the spec and check it against the pin")
    chk.add_argument("--spec", help="spec file")
    pin = sub.add_parser("pin", help="pin spec/pin.json to another spec file, once it generates")
    pin.add_argument("spec", help="the new spec file (JSON or YAML)")
    pin.add_argument("--download-url", default=None,
                     help="where Stripe publishes this spec (default: kept if the content is the "
                          "pinned one, else none)")
    args = parser.parse_args(argv)

    from codegen import spec as spec_mod

    try:
        if args.command == "pin":
            from codegen.repin import spec_update

            pinned = spec_update(args.spec, args.download_url)
            print(f"pinned {args.spec}: API version {pinned['api_version']}, "
                  f"content sha256 {pinned['sha256']}, download URL {pinned['download_url'] or '(none)'}")
            return 0
        if args.command == "spec":
            path = spec_mod.resolve(args.spec)
            spec_mod.verify_pin(path)
            print(f"{path}: matches the pin ({spec_mod.read_pin()['api_version']})")
            return 0
        from codegen.render import generate

        t0 = time.perf_counter()
        doc = spec_mod.load(args.spec, pinned=not args.no_pin, overlays=not args.no_overlays)
        out = generate(doc, args.out)
        print(f"generated {out} in {time.perf_counter() - t0:.1f}s")
        return 0
    except spec_mod.SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
