#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Two browsers on one panel see the same live state: a session started on a tablet shows on a
phone with the same phase; the phone ends it and both see it return home.

Usage: panel_two_pages_test.py BUILD_DIR SOURCE_DIR [SCREENSHOT_DIR]
"""
import os
import sys

from panel_rig import (PHONE, TABLET, PanelRig, attribute, check, press, run, screenshot, skip_without_browser,
                       text,
                       wait_page)


def main():
    skip_without_browser()
    build_dir, source_dir = sys.argv[1], sys.argv[2]
    shots = os.environ.get("TRACTION_WEB_SCREENSHOTS") or (sys.argv[3] if len(sys.argv) > 3 else "")
    with PanelRig(build_dir, source_dir, ["--kiosk", "operator"]) as rig:
        tablet = rig.browser(TABLET)
        phone = rig.browser(PHONE)
        for page in (tablet, phone):
            page.get(rig.url)
            rig.page_idle(page)
        wait_page(tablet, lambda d: d.find_elements("id", "program-phases"), 10, "the plan")
        press(tablet, "start")
        for page in (tablet, phone):
            wait_page(page, lambda d: attribute(d, "progress", "data-phase") == "1", 15,
                      "both pages at the session's second phase")
        label_tablet = text(tablet, "progress-text").split(":")[1].split("·")[0].strip()
        label_phone = text(phone, "progress-text").split(":")[1].split("·")[0].strip()
        check(label_tablet == label_phone, f"same phase: {label_tablet!r} and {label_phone!r}")
        reading = [float(text(p, "actual")) for p in (tablet, phone)]
        check(abs(reading[0] - reading[1]) < 3.0, f"same reading within an update: {reading}")
        screenshot(tablet, shots, "tablet-running")
        press(phone, "end")
        for page in (tablet, phone):
            wait_page(page, lambda d: attribute(d, "state", "data-state") == "idle", 30,
                      "both pages back to idle")
            check("ended early" in text(page, "progress-text"),
                  f"both show the outcome: {text(page, 'progress-text')!r}")


if __name__ == "__main__":
    run(main)
