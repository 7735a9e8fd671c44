"""Weeks a second the workshop page shows while it plays, end to end, in a real browser.

``bench/app_frames.py`` times a frame on the server; what the room sees also waits for
Solara's update of the page, the transfer of four images and the browser's drawing, all on
the same cores. This script starts ``orgsim app`` (as the browser tests do,
``tests/browser/server.py``), opens a preset in Debian's Chromium with Playwright, presses
Play at the default speed (4 weeks a second) and at the speed slider's top (20), and counts
the weeks and the org-view images the page shows over ``--seconds``, after a second of play.

Usage: ``python bench/app_play.py [--preset modeling_vs_delegation] [--seconds 5] [--size N]``.
Needs the ``dev`` extra (Playwright) and Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browser.server import chromium, running_app


def played(
    browser: Any, url: str, top_speed: bool, seconds: float, size: int | None
) -> tuple[float, float, float]:
    """Weeks and org-view images shown per second while playing, and the longest time (s)
    without a new org-view image."""
    page = browser.new_page(viewport={"width": 1700, "height": 1250})
    page.set_default_timeout(90_000)
    page.goto(url)
    page.locator("img.orgsim-orgview0").wait_for()
    if size is not None:
        typed = page.locator(".orgsim-typed input")
        typed.fill(f"org.size = {size}")
        typed.press("Enter")
        page.locator(".orgsim-org0").get_by_text(f"{size:,} people").wait_for()
    page.wait_for_timeout(1500)
    if top_speed:
        slider = page.get_by_role("slider", name=re.compile(r"Speed"))
        slider.focus()
        slider.press("End")
        page.wait_for_timeout(500)

    def week() -> int:
        found = re.search(r"Week (\d+) of", page.locator(".orgsim-week").inner_text())
        assert found is not None
        return int(found.group(1))

    last_week = int(re.findall(r"of (\d+)", page.locator(".orgsim-week").inner_text())[0])

    def image() -> str:
        return str(page.locator("img.orgsim-orgview0").get_attribute("src"))

    page.locator("button.orgsim-play").click()
    page.wait_for_timeout(1000)
    first, start, changes, last = week(), time.perf_counter(), 0, image()
    changed, gap = start, 0.0
    while time.perf_counter() - start < seconds and week() < last_week:
        page.wait_for_timeout(20)
        now = image()
        if now != last:
            changes, last = changes + 1, now
            gap, changed = max(gap, time.perf_counter() - changed), time.perf_counter()
    spent = time.perf_counter() - start
    weeks = week() - first
    page.close()
    return weeks / spent, changes / spent, max(gap, time.perf_counter() - changed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="modeling_vs_delegation")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--size", type=int, default=None, help="people (typed as org.size; default: the preset's)"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    people = "" if args.size is None else f", {args.size:,} people"
    print(f"Workshop page in Chromium, preset {args.preset}{people}, {args.seconds:g} s of play")
    for label, top in (("default speed (4 weeks/s)", False), ("top speed (20 weeks/s)", True)):
        # a fresh app each time: a closed page's session may still be alive on the server
        with running_app() as app, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            url = f"{app.url}?preset={args.preset}"
            weeks, images, gap = played(browser, url, top, args.seconds, args.size)
            browser.close()
        print(
            f"{label:<26} {weeks:5.1f} weeks/s shown, {images:5.1f} org-view images/s, "
            f"longest wait for an image {gap:.2f} s"
        )


if __name__ == "__main__":
    main()
