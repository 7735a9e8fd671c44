"""Make ``docs/img/app.png``, the README's picture of the workshop page.

Starts ``orgsim app``, opens the flagship preset in Debian's Chromium at 1920 x 1080 (a
projector), records a guess and steps to week 25, then saves what the screen shows.

    python docs/app_screenshot.py [--out docs/img/app.png] [--weeks 25]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser.server import chromium, running_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "app.png")
    parser.add_argument("--weeks", type=int, default=25)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with running_app() as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium())
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.set_default_timeout(60_000)
        page.goto(app.url + "?guess=35,25")
        page.get_by_text("The room guessed:").wait_for()
        for week in range(1, args.weeks + 1):
            page.get_by_role("button", name="Step").click()
            page.get_by_text(re.compile(rf"Week {week} of")).wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(args.out))
        browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
