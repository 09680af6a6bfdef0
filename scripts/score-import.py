#!/usr/bin/env python3
"""Scores the importer on lists it has never seen, against parses made by hand (issue 32).

    python3 scripts/score-import.py [DIR]      (default: ../shared/data/unseen)

DIR holds the lists as published (any kind the importer reads: .txt, .xlsx, .docx, ...) and,
beside each, the expected parse made by hand: `NAME.expected.json`, kept outside the project
like the lists themselves:

    {"title": "…", "items": [{"number": 3, "title": "…", "deadline_text": "2021年6月底",
      "due_dates": ["2021-06-30"], "lead_departments": ["市民政局"],
      "cooperating_departments": ["市财政局"]}]}

Each list is read by `api import FILE --dry-run --format json` (the debug binary, built when
missing) and compared item by item (matched by number): the share of fields read right, the
items not found, and anything invented (items or departments the hand-made parse lacks). The
bar: at least 90% of the fields of each list, every item found, nothing invented; the exit
status says whether every list met it.
"""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIELDS = ["title", "deadline_text", "due_dates", "lead_departments", "cooperating_departments"]


def parse(path):
    binary = ROOT / "target" / "debug" / "api"
    if not binary.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "api"], cwd=ROOT, check=True)
    out = subprocess.run(
        [str(binary), "import", str(path), "--dry-run", "--format", "json"],
        capture_output=True, text=True, cwd=path.parent,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return json.loads(out.stdout)


def same(field, got, want):
    if field in ("due_dates", "lead_departments", "cooperating_departments"):
        return sorted(got or []) == sorted(want or [])
    norm = lambda v: "".join((v or "").split())
    return norm(got) == norm(want)


def score(path, expected):
    got = parse(path)
    by_number = {i["number"]: i for i in got["items"] if i.get("number") is not None}
    want_numbers = {i["number"] for i in expected["items"]}
    right = total = 0
    wrong = []
    for want in expected["items"]:
        item = by_number.get(want["number"])
        for field in FIELDS:
            if field not in want:
                continue
            total += 1
            if item is not None and same(field, item.get(field), want[field]):
                right += 1
            else:
                wrong.append((want["number"], field, item.get(field) if item else None, want[field]))
    missing = sorted(want_numbers - set(by_number))
    invented = sorted(set(by_number) - want_numbers)
    known = {d for i in expected["items"] for d in i.get("lead_departments", []) + i.get("cooperating_departments", [])}
    invented_departments = sorted(
        {d for i in got["items"] for d in i["lead_departments"] + i["cooperating_departments"]} - known
    )
    title_right = "title" not in expected or same("title", got.get("title"), expected["title"])
    share = right / total if total else 1.0
    met = share >= 0.9 and not missing and not invented and not invented_departments and title_right
    print(f"{path.name}: fields {right}/{total} ({share:.1%}), items not found {missing or 'none'}, "
          f"invented items {invented or 'none'}, invented departments {invented_departments or 'none'}, "
          f"title {'right' if title_right else repr(got.get('title'))}: {'met' if met else 'NOT met'}")
    for number, field, was, want in wrong[:20]:
        print(f"    item {number} {field}: read {was!r}, expected {want!r}")
    return met


def main():
    folder = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "unseen"
    pairs = []
    for expected in sorted(folder.glob("*.expected.json")):
        stem = expected.name[: -len(".expected.json")]
        lists = [p for p in folder.iterdir() if p.stem == stem and not p.name.endswith(".json")]
        if lists:
            pairs.append((lists[0], json.loads(expected.read_text(encoding="utf-8"))))
    if not pairs:
        print(f"SKIPPED: no list with a hand-made NAME.expected.json in {folder}")
        return 0
    results = [score(p, e) for p, e in pairs]
    print(f"{sum(results)} of {len(results)} lists met the bar")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
