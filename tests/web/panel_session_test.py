#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The panel in a real browser against a real daemon and simulator: load it, start quick-check,
watch the progress and the plot move, press STOP during the ramp and check on the simulator's
ground truth that the table went back home; then reset, run quick-check to its end on a phone,
and read the session in the history with its plot and comfort feedback.

Usage: panel_session_test.py BUILD_DIR SOURCE_DIR [SCREENSHOT_DIR]
Exit 0 pass, 1 fail (the failed check on stderr), 77 skip (no browser installed).
"""
import os
import sys

from panel_rig import (PHONE, TABLET, CheckFailed, PanelRig, attribute, check, press, run, screenshot,
                       skip_without_browser, text, wait_for, wait_page)

HOME_TOLERANCE_DEG = 0.75  # half the simulated table's home tolerance


def page_state(driver):
    return attribute(driver, "state", "data-state")


def points(driver):
    return int(attribute(driver, "live-plot", "data-points") or 0)


def stop_during_the_ramp(rig, shots):
    page = rig.browser(TABLET)
    page.get(rig.url)
    rig.page_idle(page)
    check(text(page, "state") == "Ready — at home", f"idle in words: {text(page, 'state')!r}")
    wait_page(page, lambda d: d.find_elements("id", "program-phases"), 10, "quick-check's plan")
    check(attribute(page, "program", "value") == "quick-check", "quick-check is the first choice")
    check("15" in text(page, "program-info"), f"the plan shows its phases: {text(page, 'program-info')!r}")
    screenshot(page, shots, "tablet-idle")

    press(page, "start")
    wait_page(page, lambda d: page_state(d) == "running", 10, "the page to show running")
    wait_page(page, lambda d: attribute(d, "progress", "data-phase") is not None, 5,
              "progress of the session")
    before = points(page)
    # STOP during the ramp, once the table is clearly moving.
    def ramping():
        status = rig.call("status.get")["result"]
        session = status.get("session") or {}
        return session.get("phase_kind") == "ramp" and status["device"]["angle_deg"] > 3.0
    wait_for(ramping, 10, "the ramp to be under way")
    press(page, "stop")
    at_stop = rig.truth()
    check(points(page) > before + 10, f"the live plot grows ({before} → {points(page)} points)")
    check(at_stop["angle_deg"] < 14.0, f"STOP came during the ramp (angle {at_stop['angle_deg']})")

    wait_page(page, lambda d: page_state(d) == "estop", 5, "the page to show the emergency stop")
    check(text(page, "state") == "Emergency stop", f"estop in words: {text(page, 'state')!r}")
    check("Check the person" in text(page, "fault-text"), "the estop is explained")
    check(page.find_element("id", "reset").is_displayed(), "an admin page offers Reset")
    # The simulator's ground truth: the table released to home and stopped there; it never went
    # on to the target.
    def home():
        truth = rig.truth()
        return abs(truth["angle_deg"]) <= HOME_TOLERANCE_DEG and abs(truth["velocity"]) < 0.5
    wait_for(home, 20, "the simulated table to be back home and at rest")
    truth = rig.truth()
    check(truth["peak_angle_deg"] < 14.0, f"peak {truth['peak_angle_deg']}° stayed below the target")
    screenshot(page, shots, "tablet-estop")

    press(page, "reset")
    wait_page(page, lambda d: page_state(d) == "idle", 15, "reset back to idle")
    check(page.find_element("id", "fault").is_displayed() is False, "the fault note is gone")


def full_session_on_a_phone(rig, shots):
    page = rig.browser(PHONE)
    page.get(rig.url)
    rig.page_idle(page, "the phone page to show idle")
    wait_page(page, lambda d: d.find_elements("id", "program-phases"), 10, "quick-check's plan")
    screenshot(page, shots, "phone-idle")
    stop = page.find_element("id", "stop")
    check(stop.is_displayed() and stop.size["height"] >= 80, "STOP is large on a phone")
    press(page, "start")
    wait_page(page, lambda d: attribute(d, "progress", "data-phase") not in (None, "0"), 15,
              "the session to reach its second phase")
    check("Phase" in text(page, "progress-text") and "left" in text(page, "progress-text"),
          f"progress in words: {text(page, 'progress-text')!r}")
    screenshot(page, shots, "phone-running")
    wait_page(page, lambda d: page_state(d) == "idle" and "completed" in text(d, "progress-text"),
              60, "quick-check to complete")
    last = rig.call("status.get")["result"]["last_session"]
    check(last["outcome"] == "completed", f"the daemon recorded completed: {last}")
    truth = rig.truth()
    check(abs(truth["angle_deg"]) <= HOME_TOLERANCE_DEG, f"the table is home: {truth['angle_deg']}")

    press(page, "tab-history")
    wait_page(page, lambda d: len(d.find_elements("css selector", "#history-list tbody tr")) >= 2,
              10, "two sessions in the history")
    wait_page(page, lambda d: int(attribute(d, "history-plot", "data-points") or 0) > 50, 10,
              "the newest session's plot")
    check("completed" in text(page, "history-summary"), f"summary: {text(page, 'history-summary')!r}")
    page.find_element("id", "comfort-before").send_keys("5")
    page.find_element("id", "comfort-after").send_keys("7")
    press(page, "feedback-save")
    wait_page(page, lambda d: text(d, "feedback-message") == "Saved.", 10,
              f"feedback saved (the page says {text(page, 'feedback-message')!r})")
    stored = rig.call("history.get", {"id": last["id"]})["result"]
    check(stored["comfort_before"] == 5 and stored["comfort_after"] == 7,
          f"the daemon stored the comfort: {stored['comfort_before']} → {stored['comfort_after']}")
    screenshot(page, shots, "phone-history")


def main():
    skip_without_browser()
    build_dir, source_dir = sys.argv[1], sys.argv[2]
    shots = os.environ.get("TRACTION_WEB_SCREENSHOTS") or (sys.argv[3] if len(sys.argv) > 3 else "")
    with PanelRig(build_dir, source_dir, ["--kiosk", "admin"]) as rig:
        try:
            stop_during_the_ramp(rig, shots)
            full_session_on_a_phone(rig, shots)
            tablet = rig.browser(TABLET)
            tablet.get(rig.url)
            rig.page_idle(tablet)
            press(tablet, "tab-history")
            wait_page(tablet, lambda d: int(attribute(d, "history-plot", "data-points") or 0) > 50,
                      10, "the history plot on a tablet")
            screenshot(tablet, shots, "tablet-history")
        except CheckFailed:
            print(rig.log("web.log"), file=sys.stderr)
            raise


if __name__ == "__main__":
    run(main)
