#!/usr/bin/python3
"""Headless-Chromium check of a list page: sort by a column header, choose columns, filter with chips and
save the view, select every match and tag them; at 1366 px in English, then at 390 px in Persian (cards,
nothing wider than the screen).

Usage: check_lists.py BASE_URL EMAIL PASSWORD SCREENSHOT_DIR
"""
import os
import sys
import time

from common import browser
from common import expect as common_expect
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def expect(condition, message):
    common_expect(condition, message, check="lists check")


def sign_in(driver, base, email, password, language):
    driver.get(base + "/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(driver, lambda d: "/login" not in d.current_url)
    driver.get(base + "/settings/profile")
    Select(driver.find_element(By.NAME, "language")).select_by_value(language)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait(driver, lambda d: d.execute_script("return document.documentElement.lang") == language)


def wait(driver, condition):
    """Waits for `condition`, reading the page again when it changes under the check."""
    WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException]).until(condition)


def headers(driver):
    return [th.text.strip() for th in driver.find_elements(By.CSS_SELECTOR, "table.records thead th") if th.text.strip()]


def main():
    base, email, password, shots = sys.argv[1:5]
    run = str(int(time.time() * 1000))[-8:]
    os.makedirs(shots, exist_ok=True)
    driver = browser(size="1366,1000")
    try:
        sign_in(driver, base, email, password, "en")
        for index in range(3):
            driver.get(base + "/contacts/new")
            driver.find_element(By.NAME, "first_name").send_keys(f"Lista{index}")
            driver.find_element(By.NAME, "last_name").send_keys(f"Run{run}")
            Select(driver.find_element(By.NAME, "lifecycle_stage")).select_by_value("lead")
            driver.find_element(By.CSS_SELECTOR, "form.record-form button[type=submit]").click()
            wait(driver, lambda d: "/contacts/new" not in d.current_url)

        # sort by a header, then reverse it
        driver.get(base + "/contacts")
        driver.find_element(By.XPATH, "//table[contains(@class,'records')]//th/a[text()='Email']").click()
        wait(driver, lambda d: "sort=email" in d.current_url)
        driver.find_element(By.XPATH, "//table[contains(@class,'records')]//th/a[text()='Email']").click()
        wait(driver, lambda d: "sort=-email" in d.current_url)

        # choose the columns: without tags, with the creation time
        driver.find_element(By.CSS_SELECTOR, ".column-chooser summary").click()
        for name, wanted in (("tags", False), ("created_at", True)):
            box = driver.find_element(By.CSS_SELECTOR, f".column-chooser input[value={name}]")
            if box.is_selected() != wanted:
                box.click()
        driver.find_element(By.CSS_SELECTOR, ".column-chooser button[type=submit]").click()
        wait(driver, lambda d: "columns=" in d.current_url and "Created" in headers(d))
        expect("Tags" not in headers(driver), f"the tags column is still shown: {headers(driver)}")
        driver.get(base + "/contacts")
        expect("Created" in headers(driver), "the chosen columns were not kept for the user")

        # filter with the panel, see the chips, save the view
        driver.find_element(By.CSS_SELECTOR, ".list-search input[type=search]").send_keys(f"run{run}")
        driver.find_element(By.CSS_SELECTOR, ".list-search button[type=submit]").click()
        wait(driver, lambda d: "q=run" in d.current_url)
        driver.find_element(By.CSS_SELECTOR, ".filter-panel summary").click()
        Select(driver.find_element(By.CSS_SELECTOR, ".filter-panel select[name=lifecycle_stage]")).select_by_value("lead")
        driver.find_element(By.CSS_SELECTOR, ".filter-panel button[type=submit]").click()
        wait(driver, lambda d: "lifecycle_stage=lead" in d.current_url)
        chips = [chip.text for chip in driver.find_elements(By.CSS_SELECTOR, ".chip")]
        expect(any("Lead" in chip for chip in chips), f"no chip for the stage filter: {chips}")
        expect("3 in all" in driver.page_source, "the filtered list does not count 3")
        driver.find_element(By.CSS_SELECTOR, ".save-view summary").click()
        driver.find_element(By.CSS_SELECTOR, ".save-view input[name=name]").send_keys(f"Leads {run}")
        driver.find_element(By.CSS_SELECTOR, ".save-view button[type=submit]").click()
        wait(driver, lambda d: f"Leads {run}" in d.find_element(By.CSS_SELECTOR, ".views").text)
        driver.save_screenshot(os.path.join(shots, "list-en-1366.png"))

        # select the page, then every match, and tag them
        bar = driver.find_element(By.CSS_SELECTOR, "[data-bulk-bar]")
        expect(not bar.is_displayed(), "the bulk bar shows with nothing selected")
        driver.find_element(By.CSS_SELECTOR, "[data-bulk-page]").click()
        expect(bar.is_displayed(), "the bulk bar did not appear")
        expect("3 selected" in bar.text, f"the bar does not count the selection: {bar.text!r}")
        Select(driver.find_element(By.CSS_SELECTOR, "[data-bulk-bar] select[name=action]")).select_by_value("tag")
        driver.find_element(By.CSS_SELECTOR, "[data-bulk-bar] input[name=value]").send_keys(f"t{run}")
        driver.find_element(By.CSS_SELECTOR, "[data-bulk-bar] button[type=submit]").click()
        wait(driver, lambda d: "Tag added to 3 contacts." in d.page_source)
        driver.get(base + f"/contacts?tags%5Bcontains%5D=t{run}")
        expect("3 in all" in driver.page_source, "the tag did not reach the three contacts")
    finally:
        driver.quit()

    # a phone, in Persian: cards, nothing wider than the screen, a chip that removes its filter
    driver = browser(language="fa", size="390,844")
    try:
        sign_in(driver, base, email, password, "fa")
        driver.get(base + f"/contacts?tags%5Bcontains%5D=t{run}&lifecycle_stage=lead")
        rows = driver.find_elements(By.CSS_SELECTOR, "table.records tbody tr")
        expect(len(rows) == 3, f"the Persian list does not show the three contacts: {driver.current_url} {driver.find_element(By.TAG_NAME, 'main').text[:300]!r}")
        expect(driver.execute_script("return document.documentElement.dir") == "rtl", "the Persian list is not rtl")
        wide = driver.execute_script("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
        expect(not wide, "the Persian list is wider than a phone's screen")
        display = driver.execute_script("return getComputedStyle(document.querySelector('table.records tbody tr')).display")
        expect(display == "grid", f"rows are not cards on a phone ({display})")
        driver.save_screenshot(os.path.join(shots, "list-fa-390.png"))
        driver.find_element(By.CSS_SELECTOR, ".chip a").click()
        wait(driver, lambda d: "lifecycle_stage" not in d.current_url or "tags" not in d.current_url)
        driver.get(base + "/settings/profile")
        Select(driver.find_element(By.NAME, "language")).select_by_value("en")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    finally:
        driver.quit()
    print("lists check passed: sorted by a header, chose columns, filtered with chips, saved the view, tagged a selection (1366 px, English); cards without overflow and a chip removed (390 px, Persian)")


if __name__ == "__main__":
    main()
