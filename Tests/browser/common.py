"""What the headless-Chromium checks share: starting the browser, failing with one readable line, and a
`Visit`: one language at one window width, signed in, that checks each page it opens for overflow at
phone width and keeps a screenshot of it."""
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

LOCALES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "RapportWeb", "Resources", "Locales")
# Every language and width a check runs in: English and Persian, on a laptop and on a phone.
COMBINATIONS = (("en", 1366), ("en", 390), ("fa", 1366), ("fa", 390))
PHONE = 390


def browser(language="en-US", size="1280,1000", downloads=None):
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", f"--window-size={size}", f"--lang={language}"):
        options.add_argument(flag)
    prefs = {"intl.accept_languages": language}
    if downloads:
        prefs.update({"download.default_directory": downloads, "download.prompt_for_download": False})
    options.add_experimental_option("prefs", prefs)
    for binary in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(binary):
            options.binary_location = binary
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def expect(condition, message, check="browser check"):
    if not condition:
        print(f"{check} failed: {message}", file=sys.stderr)
        sys.exit(1)


def messages(language):
    """The server's message catalogue for `language`: what a page in that language says."""
    with open(os.path.join(LOCALES, f"{language}.json"), encoding="utf-8") as handle:
        return json.load(handle)


def number(value, language):
    """A whole number as the pages of `language` write it (Persian digits on Persian pages)."""
    text = f"{value:,}"
    if language == "fa":
        text = text.replace(",", "٬").translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    return text


def combinations(argv):
    """The combinations named on the command line after the four usual arguments (`en-1366 fa-390`),
    else all four."""
    chosen = []
    for word in argv:
        language, _, width = word.partition("-")
        expect((language, int(width or 0)) in COMBINATIONS, f"unknown combination {word!r} (use e.g. en-1366 fa-390)")
        chosen.append((language, int(width)))
    return chosen or list(COMBINATIONS)


class Visit:
    """One pass of a check: a fresh browser in one language at one window width, signed in as the
    check's user with the profile set to that language. `open` and `page` check every page for overflow
    at phone width and save a screenshot of it (`CHECK-LANG-WIDTH-NN-NAME.png`)."""

    def __init__(self, check, base, shots, language, width, downloads=None):
        self.check, self.base, self.shots = check, base.rstrip("/"), shots
        self.language, self.width = language, width
        self.tag = f"{language}-{width}"
        self.t = messages(language)
        self.phone = width <= PHONE
        self.count = 0
        self.started = time.monotonic()
        self.downloads = downloads
        self.driver = browser("en-US" if language == "en" else "fa", f"{width},{844 if self.phone else 900}", downloads)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.driver.quit()

    def expect(self, condition, message):
        expect(condition, f"[{self.tag}] {message}", self.check)

    def n(self, value):
        return number(value, self.language)

    def say(self, key, **values):
        """The catalogue's message `key` with `{name}` filled in (numbers as this language writes them)."""
        text = self.t[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", self.n(value) if isinstance(value, int) else value)
        return text

    def wait(self, condition, what, timeout=20):
        """Waits for `condition`, reading the page again when it changes under the check; fails with
        `what` and the page's address."""

        def settled(driver):
            # An element of the page being replaced can also answer "Node with given id does not belong
            # to the document" (a plain WebDriverException, not a stale element): read again.
            try:
                return condition(driver)
            except WebDriverException as error:
                if isinstance(error, StaleElementReferenceException) or "does not belong to the document" in str(error):
                    return False
                raise

        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(settled)
        except TimeoutException:
            main = self.driver.find_elements(By.TAG_NAME, "main")
            text = main[0].text[:400] if main else self.driver.page_source[:400]
            self.expect(False, f"waited in vain for {what} at {self.driver.current_url}: {text!r}")

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        found = self.finds(css)
        return found[0].text if found else ""

    def open(self, path, name):
        self.driver.get(self.base + path)
        self.page(name)

    def page(self, name):
        """The page now shown: nothing wider than the window at phone width, and a screenshot."""
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", "the page to load")
        if self.phone:
            wide = self.driver.execute_script(
                "const w = document.documentElement.clientWidth;"
                "if (document.documentElement.scrollWidth <= w && document.documentElement.scrollWidth <= innerWidth) return null;"
                "const out = [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > w + 1 || r.left < -1); });"
                "return [document.documentElement.scrollWidth, w, out.slice(-5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40))];")
            self.expect(wide is None, f"the page {name} ({self.driver.current_url}) is wider than the phone's screen: {wide}")
        self.shot(name)

    def shot(self, name):
        """A screenshot of the whole page, not only what the window shows."""
        self.count += 1
        path = os.path.join(self.shots, f"{self.check}-{self.tag}-{self.count:02d}-{name}.png")
        height = min(self.driver.execute_script("return document.documentElement.scrollHeight"), 2000)
        try:
            self.driver.set_window_size(self.width, max(height, 844 if self.phone else 900))
            self.driver.save_screenshot(path)
        finally:
            self.driver.set_window_size(self.width, 844 if self.phone else 900)

    def set_profile(self, **fields):
        """Saves the profile form with `fields` changed (`language`, `time_zone`, `calendar`)."""
        self.driver.get(self.base + "/settings/profile")
        for name, value in fields.items():
            element = self.driver.find_element(By.NAME, name)
            if element.tag_name == "select":
                Select(element).select_by_value(value)
            else:
                element.clear()
                element.send_keys(value)
        self.find("main form button[type=submit]").click()
        self.wait(lambda d: "/settings/profile" in d.current_url and d.find_elements(By.CSS_SELECTOR, "main .notice"),
                  "the profile to be saved")
        if "language" in fields:
            lang, direction = self.driver.execute_script("return [document.documentElement.lang, document.documentElement.dir]")
            self.expect(lang == fields["language"], f"the profile page is in {lang}, not {fields['language']}")
            self.expect(direction == ("rtl" if fields["language"] == "fa" else "ltr"), f"the page's direction is {direction}")

    def sign_in(self, email, password):
        """Signs in and sets the profile to this visit's language, Gregorian calendar and UTC."""
        self.driver.get(self.base + "/login")
        self.driver.find_element(By.NAME, "email").send_keys(email)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.find("form button[type=submit]").click()
        self.wait(lambda d: "/login" not in d.current_url, "the sign-in to finish")
        self.set_profile(language=self.language, time_zone="UTC", calendar="gregorian")

    def leave_in_english(self):
        """Puts the profile back as the other checks expect it: English, UTC, Gregorian."""
        if self.language != "en":
            self.set_profile(language="en", time_zone="UTC", calendar="gregorian")

    def fetch(self, url):
        """GETs `url` outside the browser with the browser's cookies, as a download would: (headers, body)."""
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(url if "://" in url else self.base + url, headers={"Cookie": cookies})
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.headers, response.read()

    def import_file(self, object_name, path, name):
        """Uploads a CSV file on the import page and waits for the check's preview."""
        self.open(f"/{object_name}/import", f"{name}-upload")
        self.driver.find_element(By.NAME, "file").send_keys(path)
        self.find("form[enctype] button[type=submit]").click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "form[action$='/run'] button[value=run]"), "the import's preview")

    def run_import(self):
        """Starts the previewed import and waits for its report."""
        self.find("form[action$='/run'] button[value=run]").click()
        self.wait(lambda d: d.execute_script(
            "const s = document.querySelectorAll('.steps li'); return s.length === 3 && s[2].getAttribute('aria-current') === 'step'"),
            "the import's report")

    def elapsed(self):
        return time.monotonic() - self.started
