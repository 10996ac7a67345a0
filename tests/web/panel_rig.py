# SPDX-License-Identifier: Apache-2.0
"""A real traction-sim, tractiond and tractiond-web on temporary paths and ephemeral ports, and
headless Chromium pages driven by Selenium (Debian's chromium, chromium-driver and
python3-selenium). Every wait has a deadline; nothing sleeps blindly.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from peer_support import CheckFailed, Simulator, check, wait_for  # noqa: E402

SKIP = 77
PHONE = (390, 844)
TABLET = (1280, 800)


def skip_without_browser():
    """Exit 77 (ctest: skipped) when the browser stack is not installed."""
    missing = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not os.path.exists(p)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    if missing:
        print("SKIP: missing " + ", ".join(missing) + " (scripts/setup-deps installs them)")
        sys.exit(SKIP)


def daemon_call(socket_path, method, params=None, timeout_s=5.0):
    """One JSON-RPC call on tractiond's control socket; returns the reply object."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout_s)
        s.connect(socket_path)
        s.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                               "params": params or {}}) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            check(chunk, f"{method}: the daemon closed the connection")
            data += chunk
    return json.loads(data)


class PanelRig:
    """Simulator + daemon + panel. `web_args` are extra tractiond-web arguments."""

    def __init__(self, build_dir, source_dir, web_args=(), device="inversion", tls=False):
        self.build_dir = build_dir
        self.source_dir = source_dir
        self.dir = tempfile.mkdtemp(prefix="tractiond-web-test-")
        self.procs = []
        self.drivers = []
        self.niced = False
        self.sim = Simulator(os.path.join(build_dir, "simulator", "traction-sim"), device, "tcp",
                             source_dir)
        self.socket_path = os.path.join(self.dir, "d.sock")
        self.daemon = self._start(
            [os.path.join(build_dir, "daemon", "tractiond"), "--config",
             os.path.join(source_dir, "config", "examples", f"sim-{device}.json"),
             "--device-uri", f"tcp://127.0.0.1:{self.sim.port}?unit=1", "--socket",
             self.socket_path, "--state-dir", os.path.join(self.dir, "state")], "tractiond.log")
        wait_for(lambda: self.state() == "idle", 20, "the daemon to be idle")
        port_file = os.path.join(self.dir, "web.port")
        self.web = self._start(
            [os.path.join(build_dir, "web", "tractiond-web"), "--listen", "127.0.0.1:0",
             "--socket", self.socket_path, "--port-file", port_file, *web_args], "web.log")
        wait_for(lambda: os.path.exists(port_file) and open(port_file).read().strip(), 10,
                 "tractiond-web to listen")
        self.port = int(open(port_file).read())
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/"

    def _start(self, args, log):
        with open(os.path.join(self.dir, log), "wb") as out:
            proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def log(self, name):
        try:
            with open(os.path.join(self.dir, name), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def call(self, method, params=None):
        return daemon_call(self.socket_path, method, params)

    def state(self):
        try:
            return self.call("status.get").get("result", {}).get("state")
        except OSError:
            return None

    def truth(self):
        """The simulator's ground truth (its control socket's state)."""
        return self.sim.control({"command": "state"})

    def idle_now(self):
        """True when the daemon is idle. On a loaded machine the daemon may latch data_stale
        while nobody is on the table (a reading came late): that is reset, as a person at the
        panel would, and said."""
        status = self.call("status.get")["result"]
        if status["state"] == "fault" and "data_stale" in (status.get("fault") or ""):
            print(f"note: the daemon latched {status['fault']!r} while idle; resetting")
            self.call("device.reset")
        return status["state"] == "idle"

    def page_idle(self, page, what="the page to show idle"):
        """Waits until the daemon is idle (see idle_now) and `page` shows it."""
        wait_page(page, lambda d: self.idle_now() and attribute(d, "state", "data-state") == "idle",
                  20, what)

    def browser(self, size=TABLET):
        """A fresh headless Chromium with its own profile, sized as a phone or a tablet. The
        browser runs at a lower priority than the daemon, as a panel on a controller should."""
        from selenium import webdriver
        if not self.niced:
            os.nice(10)  # this process and the browsers it starts; the daemons started before
            self.niced = True
        from selenium.webdriver.chrome.service import Service
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        profile = tempfile.mkdtemp(prefix="profile-", dir=self.dir)
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync", "--disable-extensions",
                    "--disable-background-timer-throttling", "--hide-scrollbars",
                    "--force-device-scale-factor=1", f"--user-data-dir={profile}",
                    *(["--ignore-certificate-errors"] if self.tls else []),
                    f"--window-size={size[0]},{size[1]}"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(30)
        # The window size includes no browser chrome in headless mode; make the viewport exact.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size == PHONE})
        self.drivers.append(driver)
        return driver

    def close(self):
        for driver in self.drivers:
            try:
                driver.quit()
            except Exception:  # a browser that already died is closed enough
                pass
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.sim.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def text(driver, element_id):
    return driver.find_element("id", element_id).text


def attribute(driver, element_id, name):
    return driver.find_element("id", element_id).get_attribute(name)


def wait_page(driver, predicate, timeout_s, what):
    """Waits for predicate(driver) on the page, with the page's state in the failure."""
    try:
        wait_for(lambda: predicate(driver), timeout_s, what)
    except CheckFailed as e:
        failure_shot = os.environ.get("TRACTION_WEB_FAILURE_SHOT")
        if failure_shot:
            driver.save_screenshot(failure_shot)
        logs = "; ".join(entry["message"] for entry in driver.get_log("browser"))[-2000:]
        raise CheckFailed(f"{e}; #state says {text(driver, 'state')!r}, "
                          f"#message {text(driver, 'message')!r}; console: {logs or 'empty'}") from None


def press(driver, element_id):
    """Clicks an element as a person would, once it is scrolled to the middle of the screen (on a
    phone the fixed STOP covers the bottom edge)."""
    element = driver.find_element("id", element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def screenshot(driver, out_dir, name):
    """Saves the top of the page as out_dir/name.png (out_dir: the test's artefacts)."""
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(os.path.join(out_dir, name + ".png"))


def make_certificate(directory):
    """A throwaway self-signed certificate for 127.0.0.1 (openssl); returns (cert, key)."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def run(main):
    """Runs main(); prints PASS or the failed check; exit 0 or 1."""
    try:
        main()
    except CheckFailed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
    print("PASS")
    sys.exit(0)
