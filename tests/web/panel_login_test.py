#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Logins in a real browser over HTTPS: with a users file, a page must log in; a wrong password is
refused and leaves the page logged out; the right one gives the user's role, which the daemon
enforces (an operator's page has no Reset). The panel serves TLS with a throwaway certificate; plain
HTTP to it gets nowhere, and the session cookie is Secure and HttpOnly.

Usage: panel_login_test.py BUILD_DIR SOURCE_DIR [SCREENSHOT_DIR]
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

from panel_rig import (PHONE, PanelRig, attribute, check, make_certificate, press, run, screenshot,
                       skip_without_browser, text, wait_page)


def make_config(build_dir, directory):
    hashed = subprocess.run([os.path.join(build_dir, "web", "tractiond-web"), "--hash-password"],
                            input="bench side 42\n", capture_output=True, text=True, check=True)
    path = os.path.join(directory, "web-users")
    with open(path, "w") as f:
        f.write("# name:hash:role\n")
        f.write(f"therapist:{hashed.stdout.strip()}:operator\n")
    cert, key = make_certificate(directory)
    config = os.path.join(directory, "web.json")
    with open(config, "w") as f:
        json.dump({"users_file": path, "tls": {"certificate": cert, "key": key}}, f)
    return config


def main():
    skip_without_browser()
    build_dir, source_dir = sys.argv[1], sys.argv[2]
    shots = os.environ.get("TRACTION_WEB_SCREENSHOTS") or (sys.argv[3] if len(sys.argv) > 3 else "")
    with tempfile.TemporaryDirectory() as work:
        config = make_config(build_dir, work)
        with PanelRig(build_dir, source_dir, ["--config", config], tls=True) as rig:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{rig.port}/", timeout=5)
                check(False, "plain HTTP was answered on the TLS port")
            except OSError:
                pass
            page = rig.browser(PHONE)
            page.get(rig.url)
            wait_page(page, lambda d: d.find_element("id", "view-login").is_displayed(), 10,
                      "the login form")
            check(not page.find_element("id", "view-session").is_displayed(),
                  "nothing of the session shows before a login")
            page.find_element("id", "login-user").send_keys("therapist")
            page.find_element("id", "login-password").send_keys("wrong guess")
            press(page, "login-submit")
            wait_page(page, lambda d: "wrong user name or password" in text(d, "login-error").lower(), 10,
                      "the refusal")
            check(page.get_cookie("tractiond_session") is None, "a refused login sets no cookie")
            check(page.find_element("id", "view-login").is_displayed(), "still on the login form")
            screenshot(page, shots, "phone-login-refused")

            page.find_element("id", "login-password").send_keys("bench side 42")
            press(page, "login-submit")
            rig.page_idle(page, "the session view after logging in")
            check(text(page, "who").startswith("therapist · operator"), f"who: {text(page, 'who')!r}")
            cookie = page.get_cookie("tractiond_session") or {}
            check(cookie.get("secure") and cookie.get("httpOnly"), f"the cookie: {cookie}")
            check(page.find_element("id", "stop").is_displayed(), "STOP shows once logged in")
            wait_page(page, lambda d: not d.find_element("id", "start").get_attribute("disabled"),
                      10, "an operator may start")
            # The daemon holds the page to operator: an estop it may send, a reset it may not.
            press(page, "stop")
            wait_page(page, lambda d: attribute(d, "state", "data-state") == "estop", 10, "estop")
            check(not page.find_element("id", "reset").is_displayed(), "no Reset for an operator")
            check("administrator" in text(page, "fault-text"), "the note says who resets")
            log = rig.log("web.log")
            check("login refused for \"therapist\"" in log, "the refused login is logged")


if __name__ == "__main__":
    run(main)
