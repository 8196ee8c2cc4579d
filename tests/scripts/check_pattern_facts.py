#!/usr/bin/env python3
"""What a pattern is is said once, in its registry entry (STYLE.md 13): outside collectives/ no
code compares a string with a pattern's name, except the places listed in
pattern_facts_allowlist.txt (at most 6: the JSON and CLI edges). Pattern names are read from the
registry's entries (collectives/*/entries.cc) plus the pair matrix's "pairs". Fails naming the file,
the line and the comparison; also when the allow-list grows past 6 or lists a place that no longer
compares. Usage: check_pattern_facts.py [SOURCE_ROOT]"""
import pathlib
import re
import sys

FOLDERS = ["cli", "microbench", "model", "reports", "topology", "jobscripts"]
MAX_ALLOWED = 6


def pattern_names(root):
    names = {"pairs"}
    for table in root.glob("collectives/*/entries.cc"):
        m = re.search(r'static const Pattern kPattern\{\s*"([a-z_0-9]+)"', table.read_text())
        if m:
            names.add(m.group(1))
    return names


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    names = pattern_names(root)
    if len(names) < 10:
        print(f"FAIL: found only {sorted(names)} in collectives/*/entries.cc")
        return 1
    alternatives = "|".join(sorted(names))
    compare = re.compile(rf'(==|!=)\s*"({alternatives})"|"({alternatives})"\s*(==|!=)')
    allow_file = pathlib.Path(__file__).with_name("pattern_facts_allowlist.txt")
    allowed = [l.split(":")[0].strip() for l in allow_file.read_text().splitlines()
               if l.strip() and not l.startswith("#")]
    failures = 0
    if len(allowed) > MAX_ALLOWED:
        print(f"FAIL: {len(allowed)} places allowed (at most {MAX_ALLOWED}): {allowed}")
        failures += 1
    used = set()
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".cc", ".h"):
                continue
            rel = path.relative_to(root).as_posix()
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if line.lstrip().startswith("//") or not compare.search(line):
                    continue
                if rel in allowed:
                    used.add(rel)
                    continue
                print(f"FAIL: {rel}:{number}: compares with a pattern name (ask the registry): "
                      f"{line.strip()}")
                failures += 1
    for rel in allowed:
        if rel not in used:
            print(f"FAIL: {allow_file.name} lists {rel}, which compares with no pattern name now")
            failures += 1
    if failures == 0:
        print(f"ok: no comparison with a pattern name ({len(names)} names) outside collectives/ "
              f"but the {len(allowed)} allowed place(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
