"""What the headless-Chromium checks share: starting the browser and failing with one readable line."""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def browser(language="en-US", size="1280,1000"):
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", f"--window-size={size}", f"--lang={language}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    for binary in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(binary):
            options.binary_location = binary
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def expect(condition, message, check="browser check"):
    if not condition:
        print(f"{check} failed: {message}", file=sys.stderr)
        sys.exit(1)
