#!/usr/bin/python3
"""Headless-Chromium check of My tasks: signed in as a user in Tehran (UTC+3:30), in English and in
Persian (Persian calendar and digits, right to left), on a laptop and on a phone, the check adds a task
due tomorrow with the quick-add form, sees it under Upcoming, ticks an overdue task's done box (a plain
form post) and sees it under Recently done, and adds a task from a contact's Tasks panel.

Usage: check_tasks.py BASE_URL OWNER_EMAIL PASSWORD SCREENSHOT_DIR [en-1366 fa-390 …]
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import os
import sys
import time
from datetime import datetime, timedelta, timezone

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

CHECK = "tasks"
TEHRAN = timezone(timedelta(hours=3, minutes=30))


def group_titles(v, key):
    return [e.text for e in v.finds(f".task-group-{key} .task-title")]


def main():
    base, owner, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    for language, width in combinations(sys.argv[5:]):
        run = str(int(time.time() * 1000))[-6:]
        with Visit(CHECK, base, shots, language, width) as v:
            v.sign_in(owner, password)
            v.set_profile(time_zone="Asia/Tehran", calendar="persian" if language == "fa" else "gregorian")
            # an overdue task to tick off, made in the browser's own session through the quick-add form
            # with a time in the past (Tehran time)
            past = (datetime.now(TEHRAN) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
            tomorrow = (datetime.now(TEHRAN) + timedelta(days=1)).replace(hour=10, minute=30).strftime("%Y-%m-%dT%H:%M")
            for title, due in ((f"Overdue {run}", past), (f"Demo {run}", tomorrow)):
                v.open("/my-tasks", "my-tasks-before" if title.startswith("Overdue") else "my-tasks-adding")
                v.find("form.task-add input[name=title]").send_keys(title)
                field = v.find("form.task-add input[name=due_at]")
                v.driver.execute_script("arguments[0].value = arguments[1]", field, due)
                Select(v.find("form.task-add select[name=remind]")).select_by_value("1h")
                v.find("form.task-add button[type=submit]").click()
                v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), f"the task {title} to be added")
            v.expect(f"Demo {run}" in group_titles(v, "upcoming"), f"Upcoming holds {group_titles(v, 'upcoming')!r}")
            v.expect(f"Overdue {run}" in group_titles(v, "overdue"), f"Overdue holds {group_titles(v, 'overdue')!r}")
            heading = v.text(".task-group-upcoming h2")
            v.expect(v.t["tasks_upcoming"] in heading, f"the Upcoming group is headed {heading!r}")
            direction = v.driver.execute_script("return document.documentElement.dir")
            v.expect(direction == ("rtl" if language == "fa" else "ltr"), f"My tasks is {direction}")
            if language == "fa":
                due = v.text(".task-group-upcoming .task-meta time")
                v.expect(any(c in due for c in "۰۱۲۳۴۵۶۷۸۹"), f"the due time {due!r} is not in Persian digits")
            v.page("my-tasks")
            # the done box of the overdue task, pressed: it moves to Recently done
            row = [li for li in v.finds(".task-group-overdue li.task") if f"Overdue {run}" in li.text][0]
            row.find_element(By.CSS_SELECTOR, "button.check").click()
            v.wait(lambda d: f"Overdue {run}" in group_titles(v, "done"), "the task to be listed as done")
            v.expect(f"Overdue {run}" in group_titles(v, "done"), f"Recently done holds {group_titles(v, 'done')!r}")
            v.expect(f"Overdue {run}" not in group_titles(v, "overdue"), "the done task is still overdue")
            v.page("my-tasks-done")
            # a contact's Tasks panel adds a task about it
            v.open("/contacts/new", "contact-form")
            v.driver.find_element(By.NAME, "first_name").send_keys(f"Panel {run}")
            v.find("form.record-form button[type=submit]").click()
            v.wait(lambda d: "/contacts/" in d.current_url and not d.current_url.endswith("/new"), "the contact")
            v.find(".task-panel input[name=title]").send_keys(f"Call {run}")
            v.find(".task-panel button[type=submit]").click()
            v.wait(lambda d: f"Call {run}" in [e.text for e in d.find_elements(By.CSS_SELECTOR, ".task-panel .task-title")],
                   "the task to be listed on the contact")
            v.page("contact-tasks")
            v.leave_in_english()
    print("tasks check passed")


if __name__ == "__main__":
    main()
