#!/usr/bin/python3
"""Headless-Chromium check of teams, roles and record visibility, in English and Persian at 1366 px:
- the owner makes a role on the Roles page's matrix (a blank name is refused in place, in the page's
  language) that reads, creates, edits and exports only its own contacts and reads companies;
- on the Users page the owner adds a user with that role (the role select offers it) and a teammate, and
  on the Teams page a team of the two; contacts are made for the user, the teammate and the owner, and a
  record page names its owner and team;
- the user signs in: the contact list, its search box and its CSV export (downloaded with the session's
  cookie) show only their own contact;
- the owner changes the role to read its team's contacts on the Roles page; the user, reloading, sees
  their teammate's contact too (list, search, export), never the owner's.

Usage: check_permissions.py BASE_URL OWNER_EMAIL PASSWORD SCREENSHOT_DIR [en-1366 fa-1366 …]
(the two combinations above when none are named). Exits non-zero with one line on the first thing that is
not as a user should see it.
"""
import csv
import io
import os
import sys
import time

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

CHECK = "permissions"
NAMES = {
    "en": {"user": "Vera Lind", "mate": "Tore Lind", "own": "Agnes", "mate_contact": "Bertil", "other": "Cecilia"},
    "fa": {"user": "ویدا لندی", "mate": "تورج لندی", "own": "آزاده", "mate_contact": "بهرام", "other": "سیمین"},
}


def submit(v, form_css):
    v.find(f"{form_css} button[type=submit]").click()


def wait_flash(v, key, what):
    v.wait(lambda d: v.t[key] in v.text(".flash"), what)


def make_role(v, role):
    """The matrix: own contacts (read, create, edit, export), every company read, no products."""
    v.open("/settings/roles/new", "role-new")
    boxes = {"contacts": ["read", "create", "edit", "export"], "companies": ["read"], "products": []}
    for object_name, wanted in boxes.items():
        for box in v.finds(f"input[type=checkbox][name='{object_name}.actions']"):
            if box.is_selected() != (box.get_attribute("value") in wanted):
                box.click()
    Select(v.find("select[name='contacts.visibility']")).select_by_value("own")
    Select(v.find("select[name='contacts.edit_visibility']")).select_by_value("own")
    # a blank name is refused beside the field, in the page's language, what was ticked kept
    submit(v, "form.role-form")
    v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".role-name .field-error"), "the role's name error")
    v.expect(v.text(".role-name .field-error") == v.t["issue_role_name"],
             f"the name error reads {v.text('.role-name .field-error')!r}")
    v.expect(v.find("input[name='contacts.actions'][value=export]").is_selected(), "the matrix forgot the ticked export")
    v.expect(Select(v.find("select[name='contacts.visibility']")).first_selected_option.get_attribute("value") == "own",
             "the matrix forgot the contacts' visibility")
    v.shot("role-error")
    v.find("input[name=name]").send_keys(role)
    submit(v, "form.role-form")
    wait_flash(v, "flash_role_created", "the role to be created")
    row = f"//tr[.//bdi[normalize-space(.)='{role}']]"
    rows = v.driver.find_elements(By.XPATH, row)
    v.expect(rows, f"the roles page does not list {role!r}")
    v.expect(v.t["reach_own"] in rows[0].text, f"the role's row reads {rows[0].text!r}")
    v.page("roles")
    edit = v.driver.find_element(By.XPATH, f"{row}//a[contains(@href, '/settings/roles/') and not(contains(@class, 'danger'))]")
    return edit.get_attribute("href")


def add_user(v, email, name, password, role_label):
    v.open("/users", "users")
    form = "//form[@action='/users']"
    v.driver.find_element(By.XPATH, f"{form}//input[@name='email']").send_keys(email)
    v.driver.find_element(By.XPATH, f"{form}//input[@name='name']").send_keys(name)
    role = Select(v.driver.find_element(By.XPATH, f"{form}//select[@name='role']"))
    labels = [option.text for option in role.options]
    v.expect(role_label in labels, f"the role select offers {labels!r}, not {role_label!r}")
    role.select_by_visible_text(role_label)
    v.driver.find_element(By.XPATH, f"{form}//input[@name='password']").send_keys(password)
    v.driver.find_element(By.XPATH, f"{form}//button[@type='submit']").click()
    v.wait(lambda d: v.t["user_created"] in v.text("main"), f"the user {email} to be added")
    row = v.driver.find_element(By.XPATH, f"//tr[.//bdi[normalize-space(.)='{email}']]")
    return row


def make_team(v, team, members):
    v.open("/settings/teams", "teams-before")
    v.find("form.team-form input[name=name]").send_keys(team)
    for name in members:
        v.driver.find_element(
            By.XPATH, f"//form[contains(@class,'team-form')]//label[.//bdi[normalize-space(.)='{name}']]/input").click()
    Select(v.find("form.team-form select[name=lead_id]")).select_by_visible_text(members[0])
    submit(v, "form.team-form")
    wait_flash(v, "flash_team_created", "the team to be created")
    blocks = v.driver.find_elements(By.XPATH, f"//li[contains(@class,'team')][.//h2/bdi[normalize-space(.)='{team}']]")
    v.expect(blocks, f"the teams page does not list {team!r}")
    for name in members:
        v.expect(name in blocks[0].text, f"the team's block {blocks[0].text!r} does not name {name!r}")
    v.page("teams")


def new_contact(v, first, last, owner_email):
    v.open("/contacts/new", "contact-form")
    v.driver.find_element(By.NAME, "first_name").send_keys(first)
    v.driver.find_element(By.NAME, "last_name").send_keys(last)
    owner = v.find("input[name=owner_id]")
    owner.clear()
    # the owner picker resolves an address typed whole, without choosing from its list
    owner.send_keys(owner_email)
    v.driver.execute_script("document.querySelectorAll('.suggestions').forEach(s => s.hidden = true)")
    submit(v, "form.record-form")
    v.wait(lambda d: "/contacts/" in d.current_url and not d.current_url.endswith("/new")
           and not d.find_elements(By.CSS_SELECTOR, "form.record-form"), f"the contact {first} to be saved")
    return v.driver.current_url


def seen(v, run):
    """What the user sees of this run's contacts: the list, the list's search, and its CSV export."""
    v.open("/contacts", "contacts")
    listed = {name for name in (e.text for e in v.finds("td.name bdi")) if run in name}
    search = v.find("form.list-search input[name=q]")
    search.clear()
    search.send_keys(run)
    submit(v, "form.list-search")
    v.wait(lambda d: "q=" in d.current_url, "the search to run")
    searched = {e.text for e in v.finds("td.name bdi")}
    v.page("contacts-search")
    exports = v.finds("a[download][href*='/contacts/export']")
    v.expect(exports, "the list offers no export")
    headers, body = v.fetch(exports[0].get_attribute("href"))
    v.expect("text/csv" in headers.get("Content-Type", ""), f"the export is {headers.get('Content-Type')!r}")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    exported = {f"{row.get('first_name', '')} {row.get('last_name', '')}".strip() for row in rows}
    return listed, searched, exported


def main():
    base, owner_email, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    chosen = combinations(sys.argv[5:]) if len(sys.argv) > 5 else [("en", 1366), ("fa", 1366)]
    for language, width in chosen:
        started = time.monotonic()
        stamp = str(int(time.time() * 1000))[-6:]
        run = f"Pc{stamp}"
        names = NAMES[language]
        user_email, mate_email = f"vera-{stamp}@live.test", f"tore-{stamp}@live.test"
        user_name, mate_name = f"{names['user']} {stamp}", f"{names['mate']} {stamp}"
        role, team = f"Own {stamp}", f"Nord {stamp}"
        own, mate, other = (f"{names[key]} {run}" for key in ("own", "mate_contact", "other"))
        with Visit(CHECK, base, shots, language, width) as admin:
            admin.sign_in(owner_email, password)
            role_path = make_role(admin, role)
            row = add_user(admin, user_email, user_name, password, role)
            given = Select(row.find_element(By.NAME, "role")).first_selected_option.text
            admin.expect(given == role, f"the users page gives {user_email} the role {given!r}, not {role!r}")
            add_user(admin, mate_email, mate_name, password, admin.t["role_member"])
            make_team(admin, team, [user_name, mate_name])
            own_path = new_contact(admin, names["own"], run, user_email)
            new_contact(admin, names["mate_contact"], run, mate_email)
            new_contact(admin, names["other"], run, owner_email)
            # the user's contact names its owner and (their primary) team
            admin.driver.get(own_path)
            admin.page("contact")
            facts = admin.text("dl.facts")
            admin.expect(user_name in facts and team in facts, f"the contact's page reads {facts!r}")
            with Visit(f"{CHECK}-user", base, shots, language, width) as user:
                user.sign_in(user_email, password)
                listed, searched, exported = seen(user, run)
                for what, got in (("list", listed), ("search", searched), ("export", exported)):
                    user.expect(got == {own}, f"with own visibility the {what} shows {sorted(got)!r}, not only {own!r}")
                # the owner widens the role to the team's contacts
                admin.driver.get(role_path)
                admin.page("role-edit")
                Select(admin.find("select[name='contacts.visibility']")).select_by_value("team")
                submit(admin, "form.role-form")
                wait_flash(admin, "flash_role_saved", "the role to be saved")
                listed, searched, exported = seen(user, run)
                for what, got in (("list", listed), ("search", searched), ("export", exported)):
                    user.expect(got == {own, mate}, f"with team visibility the {what} shows {sorted(got)!r}, not {own!r} and {mate!r}")
                user.expect(other not in listed, f"the user sees the owner's {other!r}")
                user.leave_in_english()
            admin.leave_in_english()
        print(f"permissions check passed ({language}, {width} px) in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
