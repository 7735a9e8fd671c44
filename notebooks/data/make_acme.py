"""Make the example org chart of notebook 6: ``acme_org.csv`` and ``acme_ties.csv``.

Acme is made up: a logistics company of about 250 people in six departments and a small
executive office, laid out as an HR system exports it. Each person has an employee number
(``id``), their manager's number (``manager_id``; empty for the chief executive), a
department (``unit``), a job title and a grade (``level``: 0 the chief executive, 1 the
heads of department, 2 managers, 3 team leads and 4 staff). The rows are sorted by employee
number, so a manager's row is often below their reports' rows, as in a real export. Staff
in the smaller departments report straight to a manager (grade 4 two steps below grade 1),
and a few specialists and the executive assistant report to a head, so grades and
reporting depth differ, as they do in real organisations.

``acme_ties.csv`` lists informal ties as a network survey ("whom do you talk to about
work?") might give them: mostly within a department, a few across.

Run from the repository root to make both files again (the same seed gives the same files):

    .venv/bin/python notebooks/data/make_acme.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 2026

# unit, head, [(manager title, how many)], team lead title or None, staff (title, low, high),
# specialists reporting to the head (title, how many)
DEPARTMENTS = [
    ("Operations", "Director of Operations", ("Site Manager", 3), "Shift Lead",
     ("Warehouse Operative", 6, 10), ("Logistics Planner", 2)),
    ("Customer Service", "Head of Customer Service", ("Service Manager", 2), "Team Lead",
     ("Service Agent", 8, 12), ("Quality Analyst", 1)),
    ("Sales", "Sales Director", ("Regional Sales Manager", 3), None,
     ("Account Manager", 6, 9), ("Sales Operations Analyst", 1)),
    ("Technology", "Head of Technology", ("Engineering Manager", 3), None,
     ("Engineer", 4, 7), ("Data Analyst", 2)),
    ("Finance", "Finance Director", ("Finance Manager", 2), None,
     ("Accountant", 3, 5), ("Financial Controller", 1)),
    ("People", "Head of People", ("HR Manager", 1), None, ("HR Advisor", 4, 6), ("Recruiter", 2)),
]  # fmt: skip


def people(rng: np.random.Generator) -> list[dict[str, object]]:
    """One dict per person (``key`` a running number, ``boss`` the manager's key)."""
    rows: list[dict[str, object]] = []

    def add(boss: int | None, unit: str, title: str, level: int) -> int:
        rows.append({"key": len(rows), "boss": boss, "unit": unit, "title": title, "level": level})
        return len(rows) - 1

    ceo = add(None, "Executive Office", "Chief Executive", 0)
    add(ceo, "Executive Office", "Executive Assistant", 4)
    add(ceo, "Executive Office", "Communications Officer", 4)
    for unit, head_title, (manager_title, managers), lead_title, staff, specialists in DEPARTMENTS:
        head = add(ceo, unit, head_title, 1)
        for _ in range(specialists[1]):
            add(head, unit, specialists[0], 4)
        for _ in range(managers):
            manager = add(head, unit, manager_title, 2)
            teams = [manager]
            if lead_title is not None:
                teams = [add(manager, unit, lead_title, 3) for _ in range(rng.integers(3, 5))]
            for lead in teams:
                for _ in range(rng.integers(staff[1], staff[2] + 1)):
                    add(lead, unit, staff[0], 4)
    return rows


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = people(rng)
    numbers = rng.choice(np.arange(10_000, 100_000), size=len(rows), replace=False)
    ids = [f"E{number}" for number in numbers]
    with open(HERE / "acme_org.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "manager_id", "unit", "title", "level"])
        for row in sorted(rows, key=lambda row: ids[row["key"]]):
            boss = "" if row["boss"] is None else ids[row["boss"]]
            writer.writerow([ids[row["key"]], boss, row["unit"], row["title"], row["level"]])
    units = np.array([row["unit"] for row in rows])
    ties: set[tuple[int, int]] = set()
    while len(ties) < len(rows):  # about one tie a person within the department ...
        a, b = rng.integers(0, len(rows), size=2)
        if a != b and units[a] == units[b]:
            ties.add((min(a, b), max(a, b)))
    while len(ties) < 1.25 * len(rows):  # ... and one for every four people across
        a, b = rng.integers(0, len(rows), size=2)
        if units[a] != units[b]:
            ties.add((min(a, b), max(a, b)))
    with open(HERE / "acme_ties.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["source", "target"])
        for a, b in sorted(ties, key=lambda tie: (ids[tie[0]], ids[tie[1]])):
            writer.writerow([ids[a], ids[b]])
    print(f"{len(rows)} people, {len(ties)} informal ties -> {HERE}")


if __name__ == "__main__":
    main()
