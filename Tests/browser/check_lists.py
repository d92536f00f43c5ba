#!/usr/bin/python3
"""Headless-Chromium check of a list page, in English and Persian at 1366 and 390 px: sort by a column
header (and back), choose columns, filter with the panel and see the chip, save the view, remove the chip
and reopen the view with its filter, select every match (more than a page) and tag them. At 390 px rows
are cards and nothing is wider than the screen.

Each pass imports its own 55 contacts (52 leads, 3 customers) named after a word unique to the pass.

Usage: check_lists.py BASE_URL EMAIL PASSWORD SCREENSHOT_DIR [en-1366 en-390 fa-1366 fa-390]
"""
import os
import sys
import time

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

CONTACTS = 55
CUSTOMERS = (10, 20, 30)
LEADS = CONTACTS - len(CUSTOMERS)


def headers(v):
    """The columns' names, shown or not (at phone width only the sortable ones show, as links)."""
    return [th.get_attribute("textContent").strip() for th in v.finds("table.records thead th") if th.get_attribute("textContent").strip()]


def column(v, label):
    """The text of each row's cell in the column `label`."""
    return [cell.text.strip() for cell in v.finds(f"table.records tbody td[data-label='{label}']")]


def total(v):
    return v.find("[data-total]").get_attribute("data-total")


def one_pass(v, email, password, run):
    t = v.t
    v.sign_in(email, password)
    sample = os.path.join(v.shots, f"list-{run}.csv")
    with open(sample, "w", encoding="utf-8") as handle:
        handle.write("First Name,Last Name,Email,Lifecycle Stage,City\r\n")
        for i in range(CONTACTS):
            stage = "customer" if i in CUSTOMERS else "lead"
            handle.write(f"Lista{i:02d},Run{run},l{i:02d}.{run}@list.example,{stage},Tromsø\r\n")
    v.import_file("contacts", sample, "list-import")
    v.run_import()
    v.expect(v.text("[data-count=created]") == v.n(CONTACTS), f"the import made {v.text('[data-count=created]')} contacts, not {CONTACTS}")

    # the pass's own contacts, found with the list's search box
    v.open("/contacts", "list")
    v.find(".list-search input[type=search]").send_keys(f"run{run}")
    v.find(".list-search button[type=submit]").click()
    v.wait(lambda d: f"q=run{run}" in d.current_url and total(v) == str(CONTACTS), f"the search to find {CONTACTS}")

    # sort by the email header: the first row changes from the first address to the last and back
    email_label = t["field_email"]
    sort_link = f"//table[contains(@class,'records')]//th/a[normalize-space(text())='{email_label}']"
    link = v.driver.find_element(By.XPATH, sort_link)
    v.expect(link.is_displayed(), "the email column's header cannot be clicked at this width")
    link.click()
    v.wait(lambda d: "sort=email" in d.current_url, "the list sorted by email")
    v.page("sorted-ascending")
    v.expect(v.find("th[aria-sort]").get_attribute("aria-sort") == "ascending", "the sorted header does not say ascending")
    first = v.text("table.records tbody tr:first-child td.name")
    v.expect(first == f"Lista00 Run{run}", f"sorted by email the first row is {first!r}")
    v.driver.find_element(By.XPATH, sort_link).click()
    v.wait(lambda d: "sort=-email" in d.current_url, "the list sorted by email, descending")
    v.page("sorted-descending")
    v.expect(v.find("th[aria-sort]").get_attribute("aria-sort") == "descending", "the sorted header does not say descending")
    first = v.text("table.records tbody tr:first-child td.name")
    v.expect(first == f"Lista{CONTACTS - 1:02d} Run{run}", f"sorted by email, descending, the first row is {first!r}")

    # choose the columns: the city in, the country out, the tags in
    v.find(".column-chooser summary").click()
    v.page("column-chooser")
    for name, wanted in (("city", True), ("country", False), ("tags", True), ("lifecycle_stage", True)):
        box = v.find(f".column-chooser input[value={name}]")
        if box.is_selected() != wanted:
            box.click()
    v.find(".column-chooser button[type=submit]").click()
    v.wait(lambda d: t["field_city"] in headers(v) and t["field_country"] not in headers(v), "the chosen columns")
    v.page("columns-chosen")
    cities = column(v, t["field_city"])
    v.expect(len(cities) == 50 and set(cities) == {"Tromsø"}, f"the city column does not show the cities: {cities[:3]}")
    v.expect("sort=-email" in v.driver.current_url and f"q=run{run}" in v.driver.current_url,
             "choosing columns lost the search or the sort")
    searched = v.driver.current_url
    v.open("/contacts", "columns-kept")
    v.expect(t["field_city"] in headers(v) and t["field_country"] not in headers(v),
             f"the chosen columns were not kept for the user: {headers(v)}")
    v.driver.get(searched)

    # filter with the panel: a chip names the filter, the count drops to the leads
    v.find(".filter-panel summary").click()
    v.page("filter-panel")
    Select(v.find(".filter-panel select[name=lifecycle_stage]")).select_by_value("lead")
    v.find(".filter-panel button[type=submit]").click()
    v.wait(lambda d: "lifecycle_stage=lead" in d.current_url, "the stage filter")
    stage_chip = f"{t['field_lifecycle_stage']}: {t['stage_lead']}"
    chips = [chip.text for chip in v.finds(".chip")]
    v.expect(any(stage_chip in chip for chip in chips), f"no chip {stage_chip!r} for the stage filter: {chips}")
    v.expect(total(v) == str(LEADS), f"the filtered list counts {total(v)}, not {LEADS}")
    v.expect(v.say("count_records", count=LEADS) in v.text("h1"), f"the heading does not count the leads: {v.text('h1')!r}")
    v.page("filtered")

    # save the view
    view = f"Leads {run}" if v.language == "en" else f"سرنخ‌ها {run}"
    v.find(".save-view summary").click()
    v.find(".save-view input[name=name]").send_keys(view)
    v.find(".save-view button[type=submit]").click()
    v.wait(lambda d: view in v.text(".views"), "the saved view in the list of views")
    v.expect(t["flash_view_saved"] in v.text(".flash"), f"saving the view said {v.text('.flash')!r}")
    v.page("view-saved")

    # remove the chip: the filter goes, the count comes back
    for chip in v.finds(".chip"):
        if stage_chip in chip.text:
            chip.find_element(By.CSS_SELECTOR, "a").click()
            break
    v.wait(lambda d: "lifecycle_stage=lead" not in d.current_url and total(v) == str(CONTACTS), "the stage filter to go with its chip")
    v.expect(not any(stage_chip in chip.text for chip in v.finds(".chip")), "the removed chip is still shown")
    v.page("chip-removed")

    # the saved view reopens with its filter
    v.open("/contacts", "list-with-views")
    v.driver.find_element(By.XPATH, f"//nav[contains(@class,'views')]//a[normalize-space(.)='{view}']").click()
    v.wait(lambda d: "lifecycle_stage=lead" in d.current_url and f"run{run}" in d.current_url, "the saved view to open")
    v.expect(total(v) == str(LEADS), f"the reopened view counts {total(v)}, not {LEADS}")
    v.expect(any(stage_chip in chip.text for chip in v.finds(".chip")), "the reopened view has no chip for its filter")
    v.page("view-reopened")

    # select the page, then every match, and tag them
    bar = v.find("[data-bulk-bar]")
    v.expect(not bar.is_displayed(), "the bulk bar shows with nothing selected")
    v.find("[data-bulk-page]").click()
    v.expect(bar.is_displayed(), "the bulk bar did not appear")
    v.expect(v.say("selected_many", count=50) in bar.text, f"the bar does not count the page: {bar.text!r}")
    select_all = v.find("[data-bulk-select-all]")
    v.expect(select_all.is_displayed(), "there is no way to select every match")
    v.expect(select_all.text == v.say("select_all_matching", count=LEADS), f"the select-all button says {select_all.text!r}")
    v.page("page-selected")
    select_all.click()
    v.expect(v.say("selected_all", count=LEADS) in bar.text, f"the bar does not say every match is selected: {bar.text!r}")
    Select(v.find("[data-bulk-bar] select[name=action]")).select_by_value("tag")
    v.find("[data-bulk-bar] input[name=value]").send_keys(f"t{run}")
    v.page("all-selected")
    v.find("[data-bulk-bar] button[type=submit]").click()
    contacts = t["contacts"] if v.language == "fa" else t["contacts"].lower()
    flash = v.say("flash_tagged", count=LEADS, object=contacts)
    v.wait(lambda d: flash in v.text(".flash"), f"the flash {flash!r}")
    tags = column(v, t["field_tags"])
    v.expect(len(tags) == 50 and all(f"t{run}" in cell for cell in tags), f"the tag is not on every row: {tags[:3]}")
    v.page("tagged")
    v.open(f"/contacts?tags%5Bcontains%5D=t{run}", "tag-filter")
    v.expect(total(v) == str(LEADS), f"{total(v)} contacts have the tag, not {LEADS}")
    v.open(f"/contacts?q=run{run}&lifecycle_stage=customer", "customers-untagged")
    tags = column(v, t["field_tags"])
    v.expect(total(v) == str(len(CUSTOMERS)) and not any(f"t{run}" in cell for cell in tags),
             f"customers outside the view were tagged: {tags}")
    if v.phone:
        display = v.driver.execute_script("return getComputedStyle(document.querySelector('table.records tbody tr')).display")
        v.expect(display == "grid", f"rows are not cards on a phone ({display})")


def main():
    base, email, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    stamp = str(int(time.time() * 1000))[-8:]
    timings = []
    for language, width in combinations(sys.argv[5:]):
        with Visit("lists", base, shots, language, width) as v:
            one_pass(v, email, password, f"{stamp}{language}{width}")
            timings.append(f"{v.tag} {v.elapsed():.0f} s")
            v.leave_in_english()
    print("lists check passed: sorted by a header both ways, chose columns, filtered with a chip and removed it, saved "
          f"the view and reopened it, selected every match and tagged it ({', '.join(timings)})")


if __name__ == "__main__":
    main()
