#!/usr/bin/python3
"""Headless-Chromium check of the contact pages, in English and Persian at 1366 and 390 px:
- a company is made, then a contact whose company and owner are chosen with the type-ahead pickers
  (typed, moved to with the arrow keys, Enter); the contact page links the company;
- the contact, once its owner, is followed; unfollowed and followed again (the button's state, a flash), it
  shows on the home page under "My contacts";
- with the profile's time zone set to Asia/Tehran and the Persian calendar, a call logged for
  2025-06-01 14:30 reads 14:30 in the Persian year 1404;
- a field edited in place is saved and still there after a reload;
- two contacts with two phones each are merged, and the result saves from its form without error;
- the header search finds the merged contact and the keyboard opens it;
- a file is imported with an edited mapping (one column ignored, one sent to another field), which takes
  effect; the rejected rows download as CSV with a reason column; the report survives a reload.
At 390 px no page is wider than the screen.

Usage: check_contacts.py BASE_URL EMAIL PASSWORD SCREENSHOT_DIR [en-1366 en-390 fa-1366 fa-390]
"""
import csv
import io
import os
import re
import sys
import time

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

NAMES = {
    "en": {"first": "Ingrid", "last": "Dahl", "other": "Berg", "title": "Head of Purchasing", "edited": "Chief Buyer",
           "note": "Called about the spring order", "company": "Fjordline"},
    "fa": {"first": "سارا", "last": "احمدی", "other": "رضایی", "title": "مدیر خرید", "edited": "مدیر ارشد خرید",
           "note": "دربارهٔ سفارش بهار تماس گرفتیم", "company": "کشتیرانی"},
}


def save_form(v, path_part):
    v.find("form.record-form button[type=submit]").click()
    v.wait(lambda d: f"/{path_part}/" in d.current_url and not d.current_url.endswith(("/new", "/edit"))
           and not d.find_elements(By.CSS_SELECTOR, "form.record-form"), "the record to be saved")
    return v.driver.current_url


def new_contact(v, first, last, email, title, phones, name, pickers=()):
    v.open("/contacts/new", name)
    v.driver.find_element(By.NAME, "first_name").send_keys(first)
    v.driver.find_element(By.NAME, "last_name").send_keys(last)
    v.driver.find_element(By.NAME, "email").send_keys(email)
    # typed on two lines: the browser sends the line break as CRLF
    v.driver.find_element(By.NAME, "phones").send_keys("\n".join(phones))
    v.driver.find_element(By.NAME, "job_title").send_keys(title)
    for field, typed, wanted in pickers:
        pick(v, field, typed, wanted)
    if pickers:
        v.page(f"{name}-picked")
    return save_form(v, "contacts")


def pick(v, field, typed, wanted):
    """Types into the picker `field`, moves with the arrow keys to the option that reads `wanted` and
    takes it with Enter; the hidden inputs then hold its id and title. Returns the chosen name."""
    box = v.find(f"input[data-picker][name={field}]")
    box.clear()
    box.send_keys(typed)
    listbox = box.get_attribute("aria-controls")
    options = f"#{listbox} li[role=option]"
    v.wait(lambda d: not d.find_element(By.ID, listbox).get_attribute("hidden")
           and any(wanted in li.text for li in v.finds(options)), f"the picker {field} to offer {wanted!r}")
    v.expect(box.get_attribute("aria-expanded") == "true", f"the picker {field} does not say it is open")
    texts = [li.text for li in v.finds(options)]
    index = next(i for i, text in enumerate(texts) if wanted in text)
    if index == 0 and len(texts) > 1:
        box.send_keys(Keys.ARROW_DOWN)
        box.send_keys(Keys.ARROW_UP)
    for _ in range(index):
        box.send_keys(Keys.ARROW_DOWN)
    active = v.find(f"#{listbox} li[aria-selected=true]")
    v.expect(wanted in active.text and box.get_attribute("aria-activedescendant") == active.get_attribute("id"),
             f"the arrow keys did not reach {wanted!r}: {active.text!r}")
    box.send_keys(Keys.ENTER)
    v.wait(lambda d: d.find_element(By.ID, listbox).get_attribute("hidden") is not None, f"the picker {field} to close")
    picked = v.find(f"input[name='{field}.picked']").get_attribute("value")
    title = v.find(f"input[name='{field}.picked_title']").get_attribute("value")
    v.expect(len(picked) > 10 and title == box.get_attribute("value") and title,
             f"choosing {wanted!r} left {box.get_attribute('value')!r}, id {picked!r}, title {title!r}")
    return title


def detail(v, label):
    """The value shown beside `label` in the record page's facts."""
    for dt in v.finds("dl.facts dt"):
        if dt.text.strip() == label:
            return dt.find_element(By.XPATH, "following-sibling::dd[1]").text.strip()
    return None


def phones(v):
    return len(v.finds("a[href^='tel:']"))


def one_pass(v, email, password, run):
    t, names = v.t, NAMES[v.language]
    v.sign_in(email, password)

    # two companies; the contact form picks the second with the arrow keys
    companies = [f"{names['company']} {run} Cargo", f"{names['company']} {run} Ferries"]
    for index, company in enumerate(companies):
        v.open("/companies/new", f"company-form-{index}")
        v.driver.find_element(By.NAME, "name").send_keys(company)
        company_url = save_form(v, "companies")
    v.page("company")
    owner_name = None
    first = new_contact(
        v, names["first"], f"{names['last']} {run}", f"c1.{run}@fjord.example", names["title"],
        ["work: +47 22 11 11 11", "mobile: +47 911 11 111"], "contact-form",
        pickers=[("company_id", f"{names['company']} {run}", companies[1])])
    v.page("contact")
    title = f"{names['first']} {names['last']} {run}"
    v.expect(title in v.text("h1"), f"the new contact's page is headed {v.text('h1')!r}")
    company_links = [a for a in v.finds("main a") if a.text.strip() == companies[1]]
    v.expect(company_links and company_links[0].get_attribute("href").rstrip("/") == company_url.rstrip("/"),
             f"the contact page does not link the picked company {companies[1]!r}")

    # the owner, picked by the start of the user's address
    v.driver.get(first + "/edit")
    owner_name = pick(v, "owner_id", email.split("@")[0][:4], email)
    v.page("contact-edit-owner")
    save_form(v, "contacts")
    v.expect(t["flash_saved"] in v.text(".flash"), f"saving the owner said {v.text('.flash')!r}")
    v.expect(detail(v, t["field_owner_id"]) == owner_name, f"the owner shown is {detail(v, t['field_owner_id'])!r}, not {owner_name!r}")

    # owning it is following it (docs/notifications.md); unfollow, then follow again: the button changes
    # and a flash says so each time; the home page lists it under "My contacts"
    button = v.find("form.follow button")
    v.expect(button.get_attribute("aria-pressed") == "true" and button.text == t["following"],
             f"the owner's follow button reads {button.text!r} (pressed {button.get_attribute('aria-pressed')})")
    button.click()
    v.wait(lambda d: v.find("form.follow button").get_attribute("aria-pressed") == "false", "the record to be unfollowed")
    v.expect(v.find("form.follow button").text == t["follow"], f"the unpressed button reads {v.find('form.follow button').text!r}")
    v.expect(t["flash_unfollowed"] in v.text(".flash"), f"unfollowing said {v.text('.flash')!r}")
    v.find("form.follow button").click()
    v.wait(lambda d: v.find("form.follow button").get_attribute("aria-pressed") == "true", "the record to be followed")
    v.expect(v.find("form.follow button").text == t["following"], f"the pressed button reads {v.find('form.follow button').text!r}")
    v.expect(t["flash_followed"] in v.text(".flash"), f"following said {v.text('.flash')!r}")
    v.page("followed")
    v.open("/", "home")
    panels = [card for card in v.finds(".home-grid .card") if t["home_mine_contacts"] in card.text]
    v.expect(panels, "the home page has no panel of my contacts")
    v.expect(title in panels[0].text, f"my contacts do not list the contact I own: {panels[0].text[:200]!r}")

    # a call logged for a past afternoon reads in the profile's time zone and calendar
    v.set_profile(time_zone="Asia/Tehran", calendar="persian")
    v.page("profile-tehran")
    v.driver.get(first)
    Select(v.driver.find_element(By.NAME, "type")).select_by_value("call")
    v.driver.find_element(By.NAME, "duration_minutes").send_keys("20")
    # a datetime-local input takes keys in the browser's locale format: the value is set as a picker would
    v.driver.execute_script("document.querySelector('form.composer [name=occurred_at]').value = '2025-06-01T14:30'")
    v.driver.find_element(By.NAME, "body").send_keys(names["note"])
    v.find("form.composer button[type=submit]").click()
    v.wait(lambda d: any(names["note"] in e.text for e in v.finds(".timeline .event")), "the call on the timeline")
    event = next(e for e in v.finds(".timeline .event") if names["note"] in e.text)
    when = event.find_element(By.TAG_NAME, "time")
    exact, moment = when.get_attribute("title"), when.get_attribute("datetime")
    v.expect(moment.startswith("2025-06-01T11:00"), f"14:30 in Tehran was stored as {moment!r}, not 11:00 UTC")
    # 14:30 on a 24-hour clock, or 2:30 PM (with whatever space ICU puts before PM)
    afternoon = r"(۱۴:۳۰|۲:۳۰\s?ب\.?ظ)" if v.language == "fa" else r"(14:30|2:30\s?PM)"
    v.expect(re.search(afternoon, exact), f"the call's time reads {exact!r}, not 14:30 Tehran time")
    v.expect(v.n(1404).replace("٬", "").replace(",", "") in exact and v.n(1404).replace("٬", "").replace(",", "") in when.text,
             f"the call's date is not in the Persian year 1404: {when.text!r} / {exact!r}")
    v.expect(f"· {v.n(20)} {t['minutes']}" in event.text, f"the call has no duration: {event.text!r}")
    v.page("timeline-tehran")
    v.set_profile(time_zone="UTC", calendar="gregorian")

    # a field edited in place: click, type, Enter; the page shows the saved value, also after a reload
    v.driver.get(first)
    cell = v.find("[data-inline-field=job_title]")
    cell.click()
    editor = cell.find_element(By.CSS_SELECTOR, ".inline-editor")
    editor.clear()
    editor.send_keys(names["edited"] + Keys.ENTER)
    v.wait(lambda d: v.find("[data-inline-field=job_title]").text == names["edited"], "the edited job title")
    v.driver.refresh()
    v.wait(lambda d: v.find("[data-inline-field=job_title]").text == names["edited"], "the edited job title after a reload")
    v.page("inline-edited")

    # merge a second contact with two phones into the first
    other_email = f"c2.{run}@fjord.example"
    second = new_contact(
        v, names["first"], f"{names['other']} {run}", other_email, names["title"],
        ["work: +47 22 22 22 22", "mobile: +47 922 22 222"], "second-contact-form")
    v.open(first.replace(v.base, "") + "/merge", "merge-start")
    v.driver.find_element(By.NAME, "other").send_keys(other_email)
    v.find("form[method=get] button[type=submit]").click()
    v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "input[name='prefer.last_name'][value=other]"), "the merge comparison")
    v.page("merge-compare")
    v.find("input[name='prefer.last_name'][value=other]").click()
    v.find("form[method=post] button.primary").click()
    v.wait(lambda d: d.current_url.rstrip("/") == first.rstrip("/"), "the kept contact after the merge")
    merged = f"{names['first']} {names['other']} {run}"
    v.expect(merged in v.text("h1"), f"the chosen last name did not win: {v.text('h1')!r}")
    v.expect(other_email in v.driver.page_source, "the merged contact's address is missing")
    v.expect(names["note"] in v.text(".timeline"), "the call is gone after the merge")
    v.expect(phones(v) == 4, f"the merged contact has {phones(v)} phones, not 4")
    v.page("merged")
    # the merged contact saves from its form unchanged (its phones come back with CRLF line breaks)
    v.open(first.replace(v.base, "") + "/edit", "merged-edit")
    save_form(v, "contacts")
    v.expect(t["flash_saved"] in v.text(".flash"), f"saving the merged contact said {v.text('.flash')!r}")
    v.expect(not v.finds(".alert, .field-error"), f"saving the merged contact shows an error: {v.text('.alert')!r}")
    v.expect(phones(v) == 4, f"saving lost phones: {phones(v)} left")
    # the merged-away contact's address leads to the kept one
    v.driver.get(second)
    v.expect(v.driver.current_url.rstrip("/") == first.rstrip("/"), "the merged-in contact's address does not lead to the kept one")

    # the header search answers as you type and is driven by the keyboard
    box = v.find("[data-search-suggest]")
    box.send_keys(f"{names['other']} {run}")
    v.wait(lambda d: d.find_element(By.ID, "search-suggestions").is_displayed()
           and merged in d.find_element(By.ID, "search-suggestions").text, "the search suggestions")
    v.shot("search-suggestions")
    box.send_keys(Keys.ARROW_DOWN)
    box.send_keys(Keys.ENTER)
    v.wait(lambda d: d.current_url.rstrip("/") == first.rstrip("/"), "the suggestion to open the contact")

    # the import wizard with an edited mapping: the company column ignored, an unknown one sent to the job title
    sample = os.path.join(v.shots, f"import-{run}.csv")
    with open(sample, "w", encoding="utf-8") as handle:
        handle.write("First Name,Last Name,E-mail Address,Company Name,Rolle\r\n")
        handle.write(f"Astrid,Holm{run},astrid.{run}@holm.example,Holm {run} AS,Innkjøper\r\n")
        handle.write(f"Bjørn,Holm{run},bjorn.{run}@holm.example,Holm {run} AS,Selger\r\n")
        handle.write(f"Carl,Holm{run},not-an-address,Holm {run} AS,Sjåfør\r\n")
    v.import_file("contacts", sample, "import")
    v.page("import-preview")
    counts = lambda: {dd.get_attribute("data-count"): dd.text for dd in v.finds("[data-count]")}
    v.expect(counts()["created"] == v.n(2) and counts()["rejected"] == v.n(1), f"the check counts {counts()}")
    mapping = {s.get_attribute("data-column"): s for s in v.finds("select[data-column]")}
    company_choice = Select(mapping["Company Name"]).first_selected_option.get_attribute("value")
    role_choice = Select(mapping["Rolle"]).first_selected_option.get_attribute("value")
    v.expect(company_choice != "-" and role_choice == "-", f"the automatic mapping was company {company_choice!r}, Rolle {role_choice!r}")
    companies_made = lambda: v.driver.find_element(By.XPATH, f"//dl[contains(@class,'counts')]/dt[normalize-space(.)='{t['import_companies_created']}']/following-sibling::dd[1]").text
    v.expect(companies_made() == v.n(1), f"the automatic mapping would make {companies_made()} companies, not 1")
    Select(mapping["Company Name"]).select_by_value("-")
    Select(mapping["Rolle"]).select_by_value("job_title")
    v.find("form[action$='/run'] button[value=check]").click()
    v.wait(lambda d: Select(d.find_element(By.CSS_SELECTOR, "select[data-column='Rolle']")).first_selected_option.get_attribute("value") == "job_title",
           "the checked mapping")
    v.page("import-rechecked")
    v.expect(companies_made() == v.n(0), f"with the company column ignored the import would still make {companies_made()} companies")
    v.expect(counts()["created"] == v.n(2) and counts()["rejected"] == v.n(1), f"the second check counts {counts()}")
    v.run_import()
    v.page("import-report")
    v.expect(counts()["created"] == v.n(2) and counts()["rejected"] == v.n(1), f"the report counts {counts()}")
    v.expect(companies_made() == v.n(0), "the import made a company from an ignored column")
    # the rejected rows, fetched as the browser would download them
    link = v.find("a[data-rejected-rows]")
    v.expect(link.text == t["import_rejected_download"], f"the download link reads {link.text!r}")
    headers, body = v.fetch(link.get_attribute("href"))
    v.expect("attachment" in headers.get("Content-Disposition", "") and headers.get("Content-Type", "").startswith("text/csv"),
             f"the rejected rows are not a CSV download: {dict(headers)}")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    v.expect(rows and rows[0] == ["First Name", "Last Name", "E-mail Address", "Company Name", "Rolle", "Reason"],
             f"the rejected rows' header is {rows[:1]}")
    v.expect(len(rows) == 2 and rows[1][2] == "not-an-address" and rows[1][5].strip(), f"the rejected rows are {rows[1:]}")
    # the report stays on reload
    report = v.driver.current_url
    v.driver.refresh()
    v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-count=created]"), "the report after a reload")
    v.expect(v.driver.current_url == report and counts()["created"] == v.n(2) and counts()["rejected"] == v.n(1),
             f"the reloaded report counts {counts()}")
    v.expect(v.finds("a[data-rejected-rows]"), "the reloaded report lost the rejected rows' link")
    v.page("import-report-reloaded")
    # the edited mapping took effect: the job title from "Rolle", no company
    astrid = [a for a in v.finds(".links a") if a.text.startswith("Astrid")]
    v.expect(astrid, "the report does not link the created contact")
    astrid[0].click()
    v.wait(lambda d: "Astrid" in v.text("h1"), "the imported contact's page")
    v.expect(detail(v, t["field_job_title"]) == "Innkjøper", f"the imported job title is {detail(v, t['field_job_title'])!r}")
    v.expect(detail(v, t["field_company_id"]) in (None, ""), f"the imported contact has a company: {detail(v, t['field_company_id'])!r}")
    v.page("imported-contact")
    v.expect(v.driver.execute_script("return document.documentElement.dir") == ("rtl" if v.language == "fa" else "ltr"),
             "the page's direction does not follow the language")


def main():
    base, email, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    stamp = str(int(time.time() * 1000))[-8:]
    timings = []
    for language, width in combinations(sys.argv[5:]):
        with Visit("contacts", base, shots, language, width) as v:
            one_pass(v, email, password, f"{stamp}{language}{width}")
            timings.append(f"{v.tag} {v.elapsed():.0f} s")
            v.leave_in_english()
    print("contacts check passed: picked a company and an owner by typing, followed the contact, read a call in Tehran "
          "time and the Persian calendar, edited a field in place, merged two contacts with two phones each and saved "
          "the result, found it with the search box, imported with an edited mapping, downloaded the rejected rows and "
          f"reloaded the report ({', '.join(timings)})")


if __name__ == "__main__":
    main()
