#!/usr/bin/python3
"""Screenshots of every page of the web UI, in English and Persian at 1366 and 390 px, to be looked at by
a person (run against a demo server: `rapport serve --demo`). Reports, without failing, pages wider than
a phone's screen and Latin words on Persian pages outside bdi/ltr elements (untranslated text or data).

Usage: tour.py BASE_URL EMAIL PASSWORD SCREENSHOT_DIR [en-1366 en-390 fa-1366 fa-390]
"""
import os
import re
import sys
import time

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

LATIN = """
const words = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, parent = node.parentElement;
  if (!parent || parent.closest('bdi, [dir=ltr], code, script, style, .brand, datalist, option, [hidden], .who-workspace, .who-name, svg')) continue;
  if (!parent.getClientRects().length) continue;
  for (const word of node.textContent.match(/[A-Za-z][A-Za-z'-]{2,}/g) || []) words.add(word);
}
for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
  for (const attr of ['placeholder', 'aria-label', 'title']) {
    const v = el.getAttribute(attr);
    if (v && !el.closest('[dir=ltr], bdi') && /^[^\\u0600-\\u06FF]*[A-Za-z]{3,}/.test(v) && !/[@.]\\w/.test(v)) words.add(attr + '=' + v);
  }
}
return [...words];
"""


def note(v, findings, name):
    if v.language == "fa":
        latin = v.driver.execute_script(LATIN)
        if latin:
            findings.append(f"{v.tag} {name}: Latin text {latin[:25]}")


def visit(v, findings, path, name):
    v.driver.get(v.base + path)
    look(v, findings, name)


def look(v, findings, name):
    if v.phone:
        wide = v.driver.execute_script("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
        if wide:
            findings.append(f"{v.tag} {name}: wider than the screen ({v.driver.current_url})")
    note(v, findings, name)
    v.shot(name)


def first_link(v, css):
    links = v.finds(css)
    return links[0].get_attribute("href").replace(v.base, "") if links else None


def tour(v, email, password, findings):
    t = v.t
    v.driver.get(v.base + "/login")
    look(v, findings, "sign-in")
    if not v.phone:
        # (once per language: repeated failures make the server ask for a pause)
        v.driver.find_element(By.NAME, "email").send_keys(email)
        v.driver.find_element(By.NAME, "password").send_keys("wrong password")
        v.find("form button[type=submit]").click()
        v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".alert, .field-error"), "the refused sign-in")
        look(v, findings, "sign-in-refused")
    v.sign_in(email, password)
    look(v, findings, "profile")
    visit(v, findings, "/", "home")
    visit(v, findings, "/notifications", "notifications")

    for object_name in ("contacts", "companies", "products"):
        visit(v, findings, f"/{object_name}", f"{object_name}-list")
        if object_name == "products" and not v.finds("table.records td.name a"):
            # the demo has no products: one made through the form
            v.driver.get(v.base + "/products/new")
            v.driver.find_element(By.NAME, "name").send_keys("Sjöbod Pro" if v.language == "en" else "اشتراک سالانه")
            v.driver.find_element(By.NAME, "sku").send_keys("SJ-100")
            v.driver.find_element(By.NAME, "unit_price").send_keys("125050")
            v.driver.find_element(By.NAME, "currency").send_keys("EUR")
            v.find("form.record-form button[type=submit]").click()
            v.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "form.record-form"), "the new product")
            visit(v, findings, f"/{object_name}", f"{object_name}-list")
        record = first_link(v, "table.records td.name a")
        second = [a.get_attribute("href").replace(v.base, "") for a in v.finds("table.records td.name a")][1:2]
        v.find(".filter-panel summary").click()
        look(v, findings, f"{object_name}-filters")
        v.find(".column-chooser summary").click()
        look(v, findings, f"{object_name}-columns")
        boxes = v.finds("[data-bulk-row]")
        if len(boxes) > 1:
            v.driver.get(v.driver.current_url)
            v.find("[data-bulk-page]").click()
            look(v, findings, f"{object_name}-selected")
            Select(v.find("[data-bulk-bar] select[name=action]")).select_by_value("delete")
            v.find("[data-bulk-bar] button[type=submit]").click()
            v.wait(lambda d: "/bulk" in d.current_url, "the bulk delete question")
            look(v, findings, f"{object_name}-bulk-delete")
        visit(v, findings, f"/{object_name}/new", f"{object_name}-new")
        v.find("form.record-form button[type=submit]").click()
        v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".alert"), "the form's errors")
        look(v, findings, f"{object_name}-new-errors")
        if record:
            visit(v, findings, record, f"{object_name}-record")
            history = v.finds("details.history summary")
            if history:
                history[0].click()
                look(v, findings, f"{object_name}-record-history")
            visit(v, findings, record + "/edit", f"{object_name}-edit")
            visit(v, findings, record + "/merge", f"{object_name}-merge")
            if second:
                v.driver.find_element(By.NAME, "other").send_keys(second[0].rsplit("/", 1)[-1])
                v.find("form[method=get] button[type=submit]").click()
                v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "table.merge"), "the merge comparison")
                look(v, findings, f"{object_name}-merge-compare")
            visit(v, findings, record + "/delete", f"{object_name}-delete")
        visit(v, findings, f"/{object_name}/import", f"{object_name}-import-upload")

    # the import wizard's steps, with a rejected row
    sample = os.path.join(v.shots, f"tour-{v.tag}.csv")
    with open(sample, "w", encoding="utf-8") as handle:
        handle.write("First Name,Last Name,E-mail Address,Company Name,Rolle\r\n")
        handle.write(f"Tour,{v.tag},tour.{v.tag}.{int(time.time())}@tour.example,Tour AS,Guide\r\n")
        handle.write("Bad,Row,not-an-address,,\r\n")
    v.import_file("contacts", sample, "import")
    look(v, findings, "import-preview")
    v.run_import()
    look(v, findings, "import-report")

    contact = None
    v.driver.get(v.base + "/contacts")
    contact = first_link(v, "table.records td.name a")
    name = v.text("table.records td.name a").split()[-1] if contact else "a"
    visit(v, findings, f"/search?q={name}", "search")
    box = v.find("[data-search-suggest]")
    box.send_keys(name[:4])
    v.wait(lambda d: d.find_element(By.ID, "search-suggestions").is_displayed(), "the search suggestions")
    look(v, findings, "search-suggestions")
    visit(v, findings, "/contacts/new", "contact-form-picker")
    picker = v.finds("input[data-picker][name=company_id]")
    if picker:
        picker[0].send_keys("a")
        v.wait(lambda d: not d.find_element(By.ID, picker[0].get_attribute("aria-controls")).get_attribute("hidden"), "the picker's list")
        look(v, findings, "contact-form-picker-open")

    visit(v, findings, "/settings/tokens", "tokens")
    visit(v, findings, "/users", "users")
    visit(v, findings, "/settings/custom-fields", "custom-fields")
    if not v.finds("table a.button[href*='/settings/custom-fields/']"):
        Select(v.driver.find_element(By.NAME, "object")).select_by_value("contacts")
        v.driver.find_element(By.NAME, "label").send_keys("Shoe size" if v.language == "en" else "سایز کفش")
        v.driver.find_element(By.NAME, "key").send_keys(f"shoe_size_{v.tag.replace('-', '_')}")
        Select(v.driver.find_element(By.NAME, "type")).select_by_value("select")
        v.driver.find_element(By.NAME, "options").send_keys("S, M, L")
        v.find("form.grid button[type=submit]").click()
        v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "table a.button[href*='/settings/custom-fields/']"), "the new custom field")
        look(v, findings, "custom-fields-added")
    edit = first_link(v, "table a.button[href*='/settings/custom-fields/']:not(.danger)")
    visit(v, findings, edit, "custom-field-edit")
    visit(v, findings, edit + "/delete", "custom-field-delete")
    visit(v, findings, "/no-such-page", "not-found")
    visit(v, findings, "/contacts/00000000000000000000000000", "record-not-found")
    visit(v, findings, "/invite/not-a-real-invitation", "invite-invalid")


def main():
    base, email, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    findings = []
    for language, width in combinations(sys.argv[5:]):
        with Visit("tour", base, shots, language, width) as v:
            tour(v, email, password, findings)
            print(f"{v.tag}: {v.count} screenshots in {v.elapsed():.0f} s")
    print("\n".join(findings) or "nothing to report")


if __name__ == "__main__":
    main()
