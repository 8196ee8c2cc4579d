#!/usr/bin/python3
"""Validate a hockney report (results, calibration, step cost) against its JSON Schema:
validate_report.py SCHEMA REPORT [checks].

Extra checks (comma-separated) for tests: every-row-pass, algorithms=a+b+c, sizes=4+1004.
Uses Debian's python3-jsonschema."""
import json
import pathlib
import sys

import jsonschema


def validator_for(schema_path: str, schema: dict):
    """A validator that resolves references between the schemas of one folder
    (results-1.json#/$defs/... → results.schema.json there)."""
    store = {}
    for other in pathlib.Path(schema_path).resolve().parent.glob("*.schema.json"):
        with open(other) as f:
            loaded = json.load(f)
        if "$id" in loaded:
            store[loaded["$id"]] = loaded
    try:  # jsonschema >= 4.18
        import referencing
        registry = referencing.Registry().with_resources(
            (uri, referencing.Resource.from_contents(s)) for uri, s in store.items())
        return jsonschema.Draft202012Validator(schema, registry=registry)
    except ImportError:  # Debian 12's 4.10
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        return jsonschema.Draft202012Validator(schema, resolver=resolver)


def main() -> int:
    schema_path, report_path = sys.argv[1], sys.argv[2]
    checks = sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] else []
    with open(schema_path) as f:
        schema = json.load(f)
    with open(report_path) as f:
        report = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(validator_for(schema_path, schema).iter_errors(report), key=str)
    for e in errors:
        print(f"{report_path}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
    if errors:
        return 1
    if "results" not in report:  # a calibration, step cost, topology, pair matrix: schema only
        if checks:
            print(f"{report_path}: row checks apply to results reports", file=sys.stderr)
            return 2
        print(f"{report_path}: valid ({report.get('kind', 'report')})")
        return 0
    rows = report["results"]
    for check in checks:
        if check == "every-row-pass":
            bad = [r for r in rows if r["check"] != "pass"]
            if bad or not rows:
                print(f"{report_path}: {len(bad)} rows not 'pass' of {len(rows)}", file=sys.stderr)
                return 1
        elif check.startswith("algorithms="):
            want = set(check.split("=", 1)[1].split("+"))
            sizes = {r["bytes"] for r in rows}
            for size in sizes:
                got = {r["algorithm"] for r in rows if r["bytes"] == size}
                if got != want:
                    print(f"{report_path}: size {size} has {sorted(got)}, want {sorted(want)}", file=sys.stderr)
                    return 1
        elif check.startswith("sizes="):
            want = {int(s) for s in check.split("=", 1)[1].split("+")}
            got = {r["bytes"] for r in rows}
            if got != want:
                print(f"{report_path}: sizes {sorted(got)}, want {sorted(want)}", file=sys.stderr)
                return 1
        else:
            print(f"unknown check {check}", file=sys.stderr)
            return 2
    print(f"{report_path}: valid ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
