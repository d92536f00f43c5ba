#!/usr/bin/python3
"""Headless-Chromium check of the contacts pages: create a contact through the form, log a call from the
timeline composer, merge a second contact into it through the merge screen; screenshots in English and
Persian.

Usage: check_contacts.py BASE_URL EMAIL PASSWORD SCREENSHOT_DIR
"""
import os
import sys
import time

from common import browser
from common import expect as common_expect
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait


def expect(condition, message):
    common_expect(condition, message, check="contacts check")


def new_contact(driver, base, first, last, email, phones=None):
    driver.get(base + "/contacts/new")
    driver.find_element(By.NAME, "first_name").send_keys(first)
    driver.find_element(By.NAME, "last_name").send_keys(last)
    driver.find_element(By.NAME, "email").send_keys(email)
    if phones:
        # typed on two lines: the browser sends the line break as CRLF
        driver.find_element(By.NAME, "phones").send_keys("\n".join(phones))
    driver.find_element(By.NAME, "job_title").send_keys("Buyer" if "ingrid1" in email else "Head of Purchasing")
    driver.find_element(By.CSS_SELECTOR, "form.record-form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/contacts/" in d.current_url and not d.current_url.endswith("/new"))
    return driver.current_url


def main():
    base, email, password, shots = sys.argv[1:5]
    run = str(int(time.time() * 1000))[-8:]
    os.makedirs(shots, exist_ok=True)
    driver = browser()
    try:
        driver.get(base + "/login")
        driver.find_element(By.NAME, "email").send_keys(email)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        WebDriverWait(driver, 10).until(lambda d: d.current_url.rstrip("/") == base.rstrip("/"))

        first = new_contact(
            driver, base, "Ingrid", "Dahl", f"ingrid1.{run}@fjord.example",
            phones=["work: +47 22 11 11 11", "mobile: +47 911 11 111"])
        expect("Ingrid Dahl" in driver.find_element(By.TAG_NAME, "h1").text, "the new contact's page has no name")

        Select(driver.find_element(By.NAME, "type")).select_by_value("call")
        driver.find_element(By.NAME, "duration_minutes").send_keys("20")
        driver.find_element(By.NAME, "body").send_keys("Called about the spring order")
        driver.find_element(By.CSS_SELECTOR, "form.composer button[type=submit]").click()
        WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: "Called about the spring order" in d.page_source)
        # a field edited in place: click, type, Enter; the page shows the saved value
        cell = driver.find_element(By.CSS_SELECTOR, "[data-inline-field=job_title]")
        cell.click()
        editor = cell.find_element(By.CSS_SELECTOR, ".inline-editor")
        editor.clear()
        editor.send_keys("Chief Buyer" + Keys.ENTER)
        WebDriverWait(driver, 10).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "[data-inline-field=job_title]").text == "Chief Buyer")
        timeline = driver.find_element(By.CLASS_NAME, "timeline").text
        expect("· 20 " in timeline, f"the call has no duration on the timeline: {timeline[:300]!r}")

        second = new_contact(
            driver, base, "Ingrid", "Dahl-Berg", f"ingrid2.{run}@fjord.example",
            phones=["work: +47 22 22 22 22", "mobile: +47 922 22 222"])
        driver.get(first + "/merge")
        driver.find_element(By.NAME, "other").send_keys(f"ingrid2.{run}@fjord.example")
        driver.find_element(By.CSS_SELECTOR, "form[method=get] button[type=submit]").click()
        WebDriverWait(driver, 10).until(lambda d: "Head of Purchasing" in d.page_source)
        driver.save_screenshot(os.path.join(shots, "merge-en.png"))
        driver.find_element(By.CSS_SELECTOR, "input[name='prefer.last_name'][value=other]").click()
        driver.find_element(By.CSS_SELECTOR, "form[method=post] button.primary").click()
        WebDriverWait(driver, 10).until(lambda d: d.current_url.rstrip("/") == first.rstrip("/"))
        page = driver.page_source
        expect("Ingrid Dahl-Berg" in driver.find_element(By.TAG_NAME, "h1").text, "the chosen last name did not win")
        expect(f"ingrid2.{run}@fjord.example" in page, "the merged contact's address is missing")
        expect("Called about the spring order" in page, "the call is gone after the merge")
        driver.save_screenshot(os.path.join(shots, "contact-en.png"))
        expect(len(driver.find_elements(By.CSS_SELECTOR, "a[href^='tel:']")) == 4, "the merged contact has not four phones")
        # the merged contact saves from its form unchanged (its phones come back with CRLF line breaks)
        driver.get(first + "/edit")
        driver.find_element(By.CSS_SELECTOR, "form.record-form button[type=submit]").click()
        WebDriverWait(driver, 10).until(lambda d: d.current_url.rstrip("/") == first.rstrip("/"))
        expect("Changes saved." in driver.page_source, "saving the merged contact did not say it was saved")
        expect(len(driver.find_elements(By.CSS_SELECTOR, "a[href^='tel:']")) == 4, "saving lost phones")
        # the merged-away contact's address leads to the kept one
        driver.get(second)
        expect(driver.current_url.rstrip("/") == first.rstrip("/"), "the merged-in contact's address does not lead to the kept one")

        # the import wizard: upload, check, import, report
        sample = os.path.join(shots, f"import-{run}.csv")
        with open(sample, "w", encoding="utf-8") as handle:
            handle.write("First Name,Last Name,E-mail Address,Company Name\r\n")
            handle.write(f"Astrid,Holm,astrid.{run}@holm.example,Holm Consulting\r\n")
            handle.write(f"Bjørn,Holm,bjorn.{run}@holm.example,Holm Consulting\r\n")
        driver.get(base + "/contacts/import")
        driver.find_element(By.NAME, "file").send_keys(sample)
        driver.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
        WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.querySelector(\"form[action$='/run']\") !== null"))
        created = driver.find_element(By.CSS_SELECTOR, "[data-count=created]").text
        expect(created == "2", f"the check found {created} new contacts, not 2")
        driver.save_screenshot(os.path.join(shots, "import-preview-en.png"))
        driver.find_element(By.CSS_SELECTOR, "form[action$='/run'] button[value=run]").click()
        WebDriverWait(driver, 20).until(
            lambda d: d.execute_script("const s = document.querySelectorAll('.steps li'); return s.length === 3 && s[2].getAttribute('aria-current') === 'step'"))
        expect(driver.find_element(By.CSS_SELECTOR, "[data-count=created]").text == "2", "the import did not create 2 contacts")
        driver.refresh()
        expect(driver.find_element(By.CSS_SELECTOR, "[data-count=created]").text == "2", "the report is gone on reload")
        driver.get(base + "/contacts?q=holm")
        expect("Bjørn" in driver.page_source, "an imported contact is not found")

        # the header search answers as you type and is driven by the keyboard
        box = driver.find_element(By.CSS_SELECTOR, "[data-search-suggest]")
        box.send_keys("ingrid dahl")
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "search-suggestions").is_displayed())
        driver.save_screenshot(os.path.join(shots, "search-en.png"))
        box.send_keys(Keys.ARROW_DOWN)
        box.send_keys(Keys.ENTER)
        WebDriverWait(driver, 10).until(lambda d: d.current_url.rstrip("/") == first.rstrip("/"))

        driver.get(base + "/settings/profile")
        Select(driver.find_element(By.NAME, "language")).select_by_value("fa")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.documentElement.dir") == "rtl")
        driver.get(first)
        expect(driver.execute_script("return document.documentElement.dir") == "rtl", "the Persian contact page is not rtl")
        driver.save_screenshot(os.path.join(shots, "contact-fa.png"))
        driver.get(base + "/contacts")
        driver.save_screenshot(os.path.join(shots, "contacts-fa.png"))
        driver.get(base + "/settings/profile")
        Select(driver.find_element(By.NAME, "language")).select_by_value("en")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    finally:
        driver.quit()
    print("contacts check passed: created a contact, logged a call, merged two contacts with two phones each and saved the result, found it with the search box, imported a file through the wizard and reloaded its report (screenshots in English and Persian)")


if __name__ == "__main__":
    main()
