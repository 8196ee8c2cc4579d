#!/usr/bin/env python3
"""Runs the README's code blocks marked runnable, as written, from the repository root.

A block runs when the line before its opening fence is `<!-- runnable -->`; one marked
`<!-- runnable: slow -->` (the quickstart: minutes of calibration) runs only with
HOCKNEY_README_SLOW=1. Each runs in `bash -euo pipefail`; the test fails naming the block's
first line and its output when one exits non-zero, and when the README has no runnable block
(a test that ran nothing would pass).
  readme_test.py REPO_ROOT
"""
import os
import re
import subprocess
import sys


def blocks(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        mark = re.fullmatch(r"<!-- runnable(: slow)? -->", lines[i].strip())
        if mark and i + 1 < len(lines) and lines[i + 1].startswith("```"):
            start = i + 2
            end = start
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            yield start + 1, bool(mark.group(1)), "\n".join(lines[start:end])
            i = end
        i += 1


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "README.md")) as f:
        found = list(blocks(f.read()))
    if not found:
        print("readme_test: README.md marks no block <!-- runnable -->")
        return 1
    slow_ok = os.environ.get("HOCKNEY_README_SLOW") == "1"
    ran = 0
    for line, slow, code in found:
        if slow and not slow_ok:
            print(f"readme_test: README.md:{line}: slow block skipped (HOCKNEY_README_SLOW=1 runs it)")
            continue
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=root,
                              capture_output=True, text=True)
        ran += 1
        if proc.returncode != 0:
            print(f"readme_test: README.md:{line}: block failed ({proc.returncode}):\n{code}\n"
                  f"--- output ---\n{proc.stdout[-4000:]}{proc.stderr[-4000:]}")
            return 1
        print(f"readme_test: README.md:{line}: ok ({len(code.splitlines())} lines)")
    print(f"readme_test: {ran} block(s) ran")
    return 0 if ran else 1


if __name__ == "__main__":
    sys.exit(main())
