#!/usr/bin/python3
"""Headless-Chromium check of mentions and notifications: the owner types "@" and the start of a
teammate's address in a contact's note, takes the suggestion with Enter and logs the note; the teammate,
signed in on a Persian phone, sees the bell count it, reads the mention on the notifications page, opens
it (landing on the contact, one fewer unread) and marks the rest read (no number left on the bell).

Usage: check_notifications.py BASE_URL OWNER_EMAIL TEAMMATE_EMAIL PASSWORD SCREENSHOT_DIR
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import os
import re
import sys
import time

from common import Visit, expect
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

CHECK = "notifications"


def unread(v):
    """The bell's count as a number (0 without a badge)."""
    badges = v.finds("a.bell .badge")
    if not badges:
        return 0
    digits = badges[0].text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")).rstrip("+")
    return int(digits)


def main():
    base, owner, teammate, password, shots = sys.argv[1:6]
    os.makedirs(shots, exist_ok=True)
    run = str(int(time.time() * 1000))[-6:]
    contact = f"Mention {run}"

    with Visit(CHECK, base, shots, "en", 1366) as v:
        v.sign_in(owner, password)
        v.open("/contacts/new", "contact-form")
        v.driver.find_element(By.NAME, "first_name").send_keys(contact)
        v.find("form.record-form button[type=submit]").click()
        v.wait(lambda d: "/contacts/" in d.current_url and not d.current_url.endswith("/new"), "the contact to be saved")
        record = v.driver.current_url
        v.expect(v.finds("#mention-hint") and v.t["mention_hint"] in v.text("#mention-hint"), "the composer has no mention hint")
        area = v.find("textarea[data-mention]")
        area.send_keys("Please call back, @" + teammate.split("@")[0])
        v.wait(lambda d: not d.find_element(By.ID, "mention-suggestions").get_attribute("hidden"), "the mention suggestions")
        names = [li.text for li in v.finds("#mention-suggestions li")]
        v.expect(any(teammate in name for name in names), f"the suggestions {names!r} do not offer {teammate}")
        v.shot("mention-suggestions")
        area.send_keys(Keys.ENTER)
        text = area.get_attribute("value")
        v.expect(re.fullmatch(r"Please call back, @\S.* ", text) is not None, f"choosing the suggestion left {text!r}")
        v.expect(v.find("#mention-suggestions").get_attribute("hidden") is not None, "the suggestions stay open")
        v.find("form.composer button[type=submit]").click()
        v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the note to be logged")
        v.expect("@" in v.text(".timeline .event-note p"), f"the note reads {v.text('.timeline .event-note p')!r}")

    with Visit(CHECK, base, shots, "fa", 390) as v:
        v.sign_in(teammate, password)
        v.open("/", "home")
        before = unread(v)
        v.expect(before >= 1, "the bell counts no unread notification")
        label = v.find("a.bell").get_attribute("aria-label")
        v.expect(label == v.say("notifications_unread", count=before), f"the bell is labelled {label!r}")
        v.find("a.bell").click()
        v.wait(lambda d: d.current_url.endswith("/notifications"), "the notifications page")
        v.page("notifications")
        items = [item for item in v.finds("li.notification.unread") if contact in item.text]
        v.expect(items, f"no unread notification names {contact!r}")
        v.expect("از شما نام برد" in items[0].text, f"the notification reads {items[0].text!r}")
        items[0].find_element(By.CSS_SELECTOR, "a").click()
        v.wait(lambda d: d.current_url.rstrip("/") == record.rstrip("/"), "the contact's page")
        v.expect(unread(v) == before - 1, f"the bell counts {unread(v)} after opening one of {before}")
        v.open("/notifications", "notifications-read-one")
        if unread(v):
            v.find("main form button[type=submit]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "all to be marked read")
        v.expect(unread(v) == 0 and not v.finds("li.notification.unread"), "notifications are unread after marking all")
        v.page("notifications-all-read")
        v.leave_in_english()

    print("notifications check passed: mentioned a teammate by typing @ and Enter; the teammate, in Persian on a "
          "phone, read it from the bell, opened it and marked the rest read")


if __name__ == "__main__":
    main()
