#!/usr/bin/python3
"""Headless-Chromium check of Settings → Sending limits and Settings → Workspace, and of a contact's Emails
panel, in English and in Persian (right to left), on a laptop and on a phone: the check finds both settings
tabs, saves a policy with a mistake and sees the field marked, fixes it and reads the summary, sets the
workspace's time zone, and opens a contact without email consent whose panel says no marketing email goes to
them. It leaves the workspace as it found it (no limits, UTC).

Usage: check_frequency.py BASE_URL OWNER_EMAIL PASSWORD SCREENSHOT_DIR [en-1366 fa-390 …]
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import os
import sys
import time

from common import Visit, combinations
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

CHECK = "frequency"


def fill(v, values):
    """Sets the policy form's fields (time inputs through their value: typing into them depends on the locale)."""
    for name, value in values.items():
        field = v.find(f"main form [name={name}]")
        v.driver.execute_script("arguments[0].value = arguments[1]", field, value)


def save(v):
    """Sends the policy form and waits for the answer's page: the old page's `readyState` still reads
    "complete" just after the click, so the check waits for the old form to leave the document."""
    old = v.find("main form.frequency-form")
    v.find("main form.frequency-form button[type=submit]").click()
    v.wait(lambda d: gone(old) and d.execute_script("return document.readyState") == "complete", "the form to be sent")


def gone(element):
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True


def main():
    base, owner, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    for language, width in combinations(sys.argv[5:]):
        run = str(int(time.time() * 1000))[-6:]
        with Visit(CHECK, base, shots, language, width) as v:
            v.sign_in(owner, password)
            # both settings are tabs of Settings
            v.open("/settings/profile", "profile")
            tabs = {a.get_attribute("href").replace(v.base, ""): a.text.strip() for a in v.finds("nav.settings-tabs a")}
            v.expect(tabs.get("/settings/frequency") == v.t["frequency_settings"], f"the settings tabs are {tabs}")
            v.expect(tabs.get("/settings/workspace") == v.t["workspace_settings"], f"the settings tabs are {tabs}")
            # a cap without its window is refused, the field marked
            v.open("/settings/frequency", "frequency")
            direction = v.driver.execute_script("return document.documentElement.dir")
            v.expect(direction == ("rtl" if language == "fa" else "ltr"), f"the page is {direction}")
            fill(v, {"max_messages": "3", "window_days": "", "min_gap_hours": "12", "quiet_start": "22:00", "quiet_end": "07:00"})
            save(v)
            marked = v.finds("main input[name=window_days][aria-invalid=true]")
            v.expect(marked, "the missing window is not marked")
            v.expect(v.t["issue_frequency_window_needed"] in v.text("main"), "the window's message is not shown")
            v.page("frequency-refused")
            # fixed and saved: the summary says it in this language
            fill(v, {"max_messages": "3", "window_days": "7", "min_gap_hours": "12", "quiet_start": "22:00", "quiet_end": "07:00"})
            save(v)
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the policy to be saved")
            v.expect(v.text(".flash") == v.t["flash_frequency_saved"], f"the flash reads {v.text('.flash')!r}")
            summary = v.text(".frequency-summary")
            cap = v.say("frequency_summary_cap", count=3, days=7)
            v.expect(cap in summary, f"the summary reads {summary!r}, not {cap!r}")
            v.page("frequency-saved")
            # the workspace's time zone
            v.open("/settings/workspace", "workspace")
            field = v.find("main form input[name=time_zone]")
            field.clear()
            field.send_keys("Europe/Copenhagen")
            v.find("main form button[type=submit]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the time zone to be saved")
            v.expect(v.text(".flash") == v.t["flash_workspace_settings_saved"], f"the flash reads {v.text('.flash')!r}")
            v.expect(v.find("main form input[name=time_zone]").get_attribute("value") == "Europe/Copenhagen",
                     "the time zone was not kept")
            v.page("workspace-saved")
            # a contact without consent: their Emails panel says no marketing email goes to them
            v.open("/contacts/new", "new-contact")
            v.find("main form input[name=first_name]").send_keys(f"Freq {run}")
            v.find("main form input[name=email]").send_keys(f"freq{run}{language}{width}@mail.test")
            v.find("main form button[type=submit]").click()
            v.wait(lambda d: "/contacts/new" not in d.current_url, "the contact to be made")
            v.page("contact")
            panel = v.find("section.emails-panel")
            refused = v.say("emails_next_refused", reason=v.t["send_reason_no_consent"])
            v.expect(refused in panel.text, f"the Emails panel reads {panel.text!r}")
            v.expect(v.t["no_emails"] in panel.text, f"the Emails panel reads {panel.text!r}")
            v.expect(v.say("frequency_summary_cap", count=3, days=7) in panel.text, "the panel does not name the cap")
            # as the other checks expect it: no limits, UTC
            v.open("/settings/frequency", "frequency-again")
            fill(v, {"max_messages": "", "window_days": "", "min_gap_hours": "", "quiet_start": "", "quiet_end": ""})
            save(v)
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the policy to be cleared")
            v.expect(v.t["frequency_summary_none"] in v.text(".frequency-summary"), "the policy was not cleared")
            v.open("/settings/workspace", "workspace-again")
            field = v.find("main form input[name=time_zone]")
            field.clear()
            field.send_keys("UTC")
            v.find("main form button[type=submit]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the time zone to be put back")
            v.leave_in_english()
        print(f"{CHECK} [{language}-{width}] {time.time():.0f}")
    print("frequency check passed")


if __name__ == "__main__":
    main()
