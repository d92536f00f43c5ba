#!/usr/bin/python3
"""Headless-Chromium check of Marketing → Segments, in English and in Persian (right to left), on a
laptop and on a phone: the check makes a few contacts, opens a new segment, types a query and sees the
live count change as it types, types a mistake and sees it marked in place (line and column, the
word highlighted), fixes it, saves, finds the segment in the list with its count, and opens its
contacts list filtered by it, and records a member's email consent on their page.

Usage: check_segments.py BASE_URL OWNER_EMAIL PASSWORD SCREENSHOT_DIR [en-1366 fa-390 …]
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import os
import sys
import time

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

CHECK = "segments"


def status(v):
    return v.find("[data-segment-status]").get_attribute("textContent").strip()


def errors(v):
    return [e.get_attribute("textContent") for e in v.finds("[data-segment-errors] li")]


def type_query(v, text):
    box = v.find("[data-segment-query]")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text)
    return box


def main():
    base, owner, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    for language, width in combinations(sys.argv[5:]):
        run = str(int(time.time() * 1000))[-6:]
        tag = f"seg{run}"
        with Visit(CHECK, base, shots, language, width) as v:
            v.sign_in(owner, password)
            # three contacts with this run's tag, one of them a Persian name in Iran
            for first, country in (("Ana", "DK"), ("Bo", "DK"), ("داریوش", "IR")):
                v.open("/contacts/new", "new-contact")
                v.find("main form input[name=first_name]").send_keys(f"{first} {run}")
                v.find("main form input[name=tags]").send_keys(tag)
                country_field = v.find("main form [name=country]")
                if country_field.tag_name == "select":
                    from selenium.webdriver.support.ui import Select
                    Select(country_field).select_by_value(country)
                else:
                    country_field.send_keys(country)
                page = v.find("html")
                v.find("main form button[type=submit]").click()
                v.wait(lambda d: "/contacts/new" not in d.current_url, f"the contact {first} to be made")
            # the nav leads to Segments; a new one
            v.open("/contacts", "contacts")
            link = [a for a in v.finds("header nav a") if a.get_attribute("href").endswith("/segments")]
            v.expect(link, "the navigation has no Segments entry")
            v.expect(link[0].text.strip() == v.t["segments"], f"the nav entry reads {link[0].text!r}")
            v.open("/segments/new", "new-segment")
            direction = v.driver.execute_script("return document.documentElement.dir")
            v.expect(direction == ("rtl" if language == "fa" else "ltr"), f"the editor page is {direction}")
            v.find("main form input[name=name]").send_keys(f"Segment {run} {language}")
            # the live count: all three, then only the Iranian one
            type_query(v, f'tag = "{tag}"')
            three = v.say("segment_count", count=3)
            v.wait(lambda d: status(v) == three, f"the live count {three!r} (it reads {status(v)!r})")
            v.wait(lambda d: len(v.finds("[data-segment-members] li")) == 3, "the three first members")
            v.page("counted")
            box = v.find("[data-segment-query]")
            box.send_keys(' and country = "IR"')
            one = v.say("segment_count_one", count=1)
            v.wait(lambda d: status(v) == one, f"the count to change to {one!r} (it reads {status(v)!r})")
            v.expect(f"داریوش {run}" in v.text("[data-segment-members]"), "the Persian member is not listed")
            # a mistake on the second line: marked where it is
            type_query(v, f'tag = "{tag}"')
            box = v.find("[data-segment-query]")
            box.send_keys(Keys.SHIFT, Keys.ENTER)
            box.send_keys("and amount ~ 3")
            at = v.say("segment_error_at", line=2, column=5)
            v.wait(lambda d: any(at in e for e in errors(v)), f"the error at {at!r} (errors: {errors(v)})")
            v.expect(any("amount" in e for e in errors(v)), f"the error does not name amount: {errors(v)}")
            marks = v.finds("[data-segment-highlight] mark")
            v.expect(marks and marks[0].get_attribute("textContent") == "amount", "the unknown field is not marked in place")
            v.expect(v.find("[data-segment-query]").get_attribute("aria-invalid") == "true", "the query is not marked invalid")
            v.expect(status(v) == "", f"a broken query still shows a count: {status(v)!r}")
            v.page("error-marked")
            # fixed and saved
            type_query(v, f'tag = "{tag}" and not country = "IR"')
            two = v.say("segment_count", count=2)
            v.wait(lambda d: status(v) == two, f"the fixed query's count {two!r}")
            page = v.find("html")
            v.find("main form.segment-form button[type=submit]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the segment to be saved")
            v.expect(v.text(".flash") == v.t["flash_segment_saved"], f"the flash reads {v.text('.flash')!r}")
            v.expect(two in v.text("[data-segment-status]"), "the saved segment's page does not show its count")
            v.page("saved")
            # the list shows it with its count, and its contacts list is filtered by it
            v.open("/segments", "segments")
            rows = [r for r in v.finds("table.segments-table tbody tr") if f"Segment {run} {language}" in r.text]
            v.expect(rows, "the saved segment is not in the list")
            v.expect(two in rows[0].text, f"the list's row reads {rows[0].text!r}")
            rows[0].find_element(By.CSS_SELECTOR, "a").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-segment-editor]"), "the segment's page")
            v.find("main a.button[href*='segment_id']").click()
            v.wait(lambda d: "segment_id=" in d.current_url, "the contacts list of the segment")
            v.page("contacts-of-segment")
            names = v.text("main")
            v.expect(f"Ana {run}" in names and f"Bo {run}" in names and f"داریوش {run}" not in names,
                     "the contacts list is not filtered by the segment")
            # a member's page shows the email consent; its form records a change with how it was given
            ana = [a for a in v.finds("main a") if a.text.strip() == f"Ana {run}"]
            v.expect(ana, "Ana is not linked from the segment's contacts")
            v.open(ana[0].get_attribute("href").replace(v.base, ""), "contact")
            panel = v.find("section.consent-panel")
            v.expect(v.t["consent_unknown"] in panel.text, f"the consent panel reads {panel.text!r}")
            from selenium.webdriver.support.ui import Select
            Select(panel.find_element(By.NAME, "state")).select_by_value("granted")
            Select(panel.find_element(By.NAME, "source")).select_by_value("form")
            panel.find_element(By.NAME, "note").send_keys("فرم نمایشگاه" if language == "fa" else "Signed up at the fair")
            panel.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the consent to be saved")
            panel = v.find("section.consent-panel")
            v.expect(v.t["consent_granted"] in panel.text, f"the consent panel reads {panel.text!r} after the change")
            v.page("consent-granted")
            v.leave_in_english()
        print(f"{CHECK} [{language}-{width}] {time.time():.0f}")
    print("segments check passed")


if __name__ == "__main__":
    main()
