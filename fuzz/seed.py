#!/usr/bin/env python3
"""Fills fuzz/corpus/<target>/ with seed inputs taken from the repository.

Sources: every txtar archive under testdata/ and, when the shared conformance
suite is checked out beside the repository, ../shared/conformance/cases/*.txtar.
Each `-- name --` section becomes one seed: `.cue` files seed parse,
fmt_roundtrip and eval_export; `.json`, `.jsonl`, `.ndjson`, `.yaml` and
`.yml` files seed data. The hand-picked seeds in fuzz/seeds/<target>/ are
copied too. Seeds are named by the SHA-1 of their content, as libFuzzer
names its own, so running the script twice adds nothing.

Usage: python3 fuzz/seed.py   (from anywhere)
"""

import hashlib
import pathlib
import re

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
CONFORMANCE = ROOT.parent / "shared" / "conformance" / "cases"

CUE_TARGETS = ("parse", "fmt_roundtrip", "eval_export")
DATA_SUFFIXES = (".json", ".jsonl", ".ndjson", ".yaml", ".yml")
SECTION = re.compile(r"^-- (.+?) --$", re.MULTILINE)


def sections(text):
    """The (name, body) pairs of a txtar archive."""
    marks = list(SECTION.finditer(text))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        yield m.group(1).strip(), text[m.end() + 1 : end]


def add(target, body, counts):
    data = body.encode("utf-8") if isinstance(body, str) else body
    if not data:
        return
    out = FUZZ / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    path = out / hashlib.sha1(data).hexdigest()
    if not path.exists():
        path.write_bytes(data)
        counts[target] = counts.get(target, 0) + 1


def main():
    archives = sorted((ROOT / "testdata").rglob("*.txtar"))
    if CONFORMANCE.is_dir():
        archives += sorted(CONFORMANCE.glob("*.txtar"))
    else:
        print(f"note: {CONFORMANCE} is missing; seeding from testdata only")
    counts = {}
    for archive in archives:
        text = archive.read_text(encoding="utf-8", errors="replace")
        for name, body in sections(text):
            if name.endswith(".cue"):
                for target in CUE_TARGETS:
                    add(target, body, counts)
            elif name.endswith(DATA_SUFFIXES):
                add("data", body, counts)
    seeds = FUZZ / "seeds"
    if seeds.is_dir():
        for path in sorted(seeds.glob("*/*")):
            add(path.parent.name, path.read_bytes(), counts)
    for target in (*CUE_TARGETS, "data"):
        print(f"{target}: {counts.get(target, 0)} new seeds")


if __name__ == "__main__":
    main()
