#!/usr/bin/python3
"""Headless-Chromium check of the web shell: sign in through the real login form and see the home page,
in English (left to right) and in Persian (right to left), switching the language on the profile page.

Usage: check_login.py BASE_URL ENGLISH_EMAIL PERSIAN_EMAIL PASSWORD SCREENSHOT_DIR
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import os
import sys

from common import browser, expect
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def sign_in(driver, base, email, password):
    driver.get(base + "/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.rstrip("/") == base.rstrip("/"))


def direction(driver):
    # One script call, so a page that is being replaced cannot leave a stale element behind.
    lang, dir_ = driver.execute_script("return [document.documentElement.lang, document.documentElement.dir]")
    return lang, dir_


def main():
    base, english, persian, password, shots = sys.argv[1:6]
    os.makedirs(shots, exist_ok=True)

    driver = browser("en-US", "1200,800")
    try:
        driver.get(base + "/login")
        expect(direction(driver) == ("en", "ltr"), f"English login page is {direction(driver)}")
        driver.save_screenshot(os.path.join(shots, "login-en.png"))
        sign_in(driver, base, english, password)
        expect("Welcome" in driver.find_element(By.TAG_NAME, "h1").text, "English home page has no welcome")
        expect(english in driver.page_source, "home page does not show the user's email")
        expect(direction(driver) == ("en", "ltr"), f"English home page is {direction(driver)}")
        driver.save_screenshot(os.path.join(shots, "home-en.png"))
    finally:
        driver.quit()

    driver = browser("fa", "1200,800")
    try:
        driver.get(base + "/login")
        expect(direction(driver) == ("fa", "rtl"), f"login page for a Persian browser is {direction(driver)}")
        driver.save_screenshot(os.path.join(shots, "login-fa.png"))
        sign_in(driver, base, persian, password)
        driver.get(base + "/settings/profile")
        Select(driver.find_element(By.NAME, "language")).select_by_value("fa")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(driver, 10).until(lambda d: direction(d) == ("fa", "rtl"))
        driver.get(base + "/")
        expect(direction(driver) == ("fa", "rtl"), f"Persian home page is {direction(driver)}")
        expect("خوش آمدید" in driver.find_element(By.TAG_NAME, "h1").text, "Persian home page has no welcome")
        brand = driver.find_element(By.CLASS_NAME, "brand").rect
        expect(brand["x"] > 600, "in right-to-left the brand should sit on the right")
        driver.save_screenshot(os.path.join(shots, "home-fa.png"))
    finally:
        driver.quit()
    print("browser check passed: English (ltr) and Persian (rtl) sign-in and home page")


if __name__ == "__main__":
    main()
