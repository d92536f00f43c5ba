#!/usr/bin/python3
"""Headless-Chromium check of invitations: an owner invites someone from the users page and sees the
link once with a working copy button; the invitee opens it in a Persian browser, signs up and lands on
the home page, right to left; the link does not work a second time.

Usage: check_invites.py BASE_URL OWNER_EMAIL PASSWORD SCREENSHOT_DIR
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import os
import sys
import time

from check_login import direction, sign_in
from common import browser, expect
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def main():
    base, owner, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    email = f"invitee-{int(time.time() * 1000)}@live.test"

    driver = browser("en-US", "1366,900")
    try:
        sign_in(driver, base, owner, password)
        driver.get(base + "/users")
        form = driver.find_element(By.CSS_SELECTOR, "#invites form")
        form.find_element(By.NAME, "email").send_keys(email)
        Select(form.find_element(By.NAME, "role")).select_by_value("admin")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "invite-link"))
        link = driver.find_element(By.ID, "invite-link").get_attribute("value")
        expect("/invite/" in link, f"the new link is {link!r}")
        copy = driver.find_element(By.CSS_SELECTOR, "button[data-copy]")
        expect(copy.is_displayed(), "the copy button is hidden although JavaScript runs")
        copy.click()
        WebDriverWait(driver, 5).until(lambda d: d.find_element(By.CSS_SELECTOR, "button[data-copy]").text == "Copied")
        driver.save_screenshot(os.path.join(shots, "invite-created-en.png"))
        driver.get(base + "/users")
        expect(link not in driver.page_source, "the link is shown again after leaving the page")
        expect(email in driver.page_source, "the pending invitation is not listed")
    finally:
        driver.quit()

    driver = browser("fa", "390,844")
    try:
        driver.get(link)
        expect(direction(driver) == ("fa", "rtl"), f"the Persian sign-up page is {direction(driver)}")
        expect(driver.find_element(By.NAME, "email").get_attribute("value") == email, "the sign-up page shows another email")
        driver.save_screenshot(os.path.join(shots, "signup-fa-phone.png"))
        driver.find_element(By.NAME, "name").send_keys("مهمان تازه")
        driver.find_element(By.NAME, "password").send_keys("invitee-password")
        driver.find_element(By.NAME, "password_confirmation").send_keys("invitee-password")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(driver, 10).until(lambda d: d.current_url.rstrip("/") == base.rstrip("/"))
        expect("مهمان تازه" in driver.page_source, "the new user's home page does not name them")
        expect(direction(driver) == ("fa", "rtl"), f"the new user's home page is {direction(driver)}")
        driver.get(link)
        expect("/invite/" in driver.current_url and "این پیوند دعوت کار نمی‌کند" in driver.page_source,
               "a used link still opens the sign-up page")
    finally:
        driver.quit()
    print("browser check passed: invitation made, copied, used once in Persian")


if __name__ == "__main__":
    main()
