#!/usr/bin/python3
"""Headless-Chromium check of a campaign from start to finish, in English and in Persian (right to left), on a
laptop and on a phone: the check makes three contacts who subscribed to email, builds a segment of them watching its live count, writes
a marketing template, points Settings → Email at the test SMTP server that `scripts/test` started, makes a
campaign of the two and sends it; the campaign's page counts the messages as they go (its figures refresh by
themselves) and the messages arrive at the SMTP server, one per contact, each with its own first name.

Usage: check_campaigns.py BASE_URL OWNER_EMAIL PASSWORD SCREENSHOT_DIR SMTP_PORT MAIL_DIR [en-1366 fa-390 …]
MAIL_DIR is where the SMTP server (scripts/smtp_test_server.py --dir) keeps what it receives.
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import glob
import json
import os
import sys
import time

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

CHECK = "campaigns"


def received(mail_dir):
    """What the SMTP server has received: (recipients, subject) of each message."""
    found = []
    for path in glob.glob(os.path.join(mail_dir, "*.json")):
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
        subject = next((value for name, value in record["message"]["headers"] if name.lower() == "subject"), "")
        found.append((record["rcpt_tos"], subject))
    return found


def main():
    base, owner, password, shots, smtp_port, mail_dir = sys.argv[1:7]
    os.makedirs(shots, exist_ok=True)
    for language, width in combinations(sys.argv[7:]):
        run = str(int(time.time() * 1000))[-6:]
        tag = f"camp{run}"
        with Visit(CHECK, base, shots, language, width) as v:
            v.sign_in(owner, password)
            # three contacts with this run's tag and addresses
            people = (("Ana", f"ana.{run}@camp.test"), ("داریوش", f"dariush.{run}@camp.test"), ("Оксана", f"oksana.{run}@camp.test"))
            for first, email in people:
                v.open("/contacts/new", "new-contact")
                v.find("main form input[name=first_name]").send_keys(first)
                v.find("main form input[name=email]").send_keys(email)
                v.find("main form input[name=tags]").send_keys(tag)
                # marketing mail goes only to who said yes to it
                Select(v.find("main form select[name=email_consent]")).select_by_value("subscribed")
                v.find("main form button[type=submit]").click()
                v.wait(lambda d: "/contacts/new" not in d.current_url, f"the contact {first} to be made")

            # a segment of them, its count live as the query is typed
            v.open("/segments/new", "new-segment")
            segment_name = f"Readers {run} {language}"
            v.find("main form input[name=name]").send_keys(segment_name)
            box = v.find("[data-segment-query]")
            box.send_keys(f'tag = "{tag}"')
            three = v.say("segment_count", count=3)
            v.wait(lambda d: v.find("[data-segment-status]").get_attribute("textContent").strip() == three,
                   f"the live count {three!r}")
            v.find("main form.segment-form button[type=submit]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the segment to be saved")

            # a marketing template
            v.open("/marketing/templates/new", "new-template")
            template_name = f"News {run} {language}"
            v.find("main form input[name=name]").send_keys(template_name)
            Select(v.find("main form select[name=kind]")).select_by_value("marketing")
            v.find("main form input[name=subject]").send_keys(f"News {run} for {{{{first_name}}}}")
            v.find("main form textarea[name=html]").send_keys(
                '<p>Dear {{first_name}},</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>')
            v.find("main form button[type=submit]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the template to be saved")
            v.expect(v.text(".flash") == v.t["flash_template_saved"], f"the template's flash reads {v.text('.flash')!r}")

            # the sender: the SMTP server scripts/test started
            v.open("/settings/email", "email-settings")
            for name, value in (("smtp_host", "127.0.0.1"), ("smtp_port", smtp_port), ("from", "news@rapport.test")):
                field = v.find(f"main form input[name={name}]")
                field.clear()
                field.send_keys(value)
            Select(v.find("main form select[name=tls]")).select_by_value("off")
            v.find("main form button[type=submit]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), "the email settings to be saved")

            # the More menu leads to the campaigns, and a new one is sent at once
            v.open("/contacts", "contacts")
            more = [a for a in v.finds(".nav-menu a") if a.get_attribute("href").endswith("/marketing/campaigns")]
            v.expect(more, "the More menu has no Campaigns entry")
            v.expect(more[0].get_attribute("textContent").strip() == v.t["campaigns"], "the Campaigns entry's label")
            v.open("/marketing/campaigns/new", "new-campaign")
            direction = v.driver.execute_script("return document.documentElement.dir")
            v.expect(direction == ("rtl" if language == "fa" else "ltr"), f"the form is {direction}")
            v.expect(not v.find("[data-campaign-variants]").is_displayed(), "the A/B variants show without A/B ticked")
            v.find("main form input[name=name]").send_keys(f"Campaign {run} {language}")
            Select(v.find("main form select[name=segment_id]")).select_by_visible_text(segment_name)
            Select(v.find("main form select[name=template_id]")).select_by_visible_text(template_name)
            v.find("main form input[name=send_mode][value=now]").click()
            v.page("filled")
            v.find("main form button[data-campaign-send]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-campaign-figures]"), "the campaign's page")
            v.expect(v.text(".flash") == v.t["flash_campaign_sent"], f"the flash reads {v.text('.flash')!r}")
            # the figures refresh by themselves until the three are sent
            sent = v.t["campaign_status_sent"]
            three_sent = v.n(3)

            def count(key):
                cells = v.finds(f"[data-stat={key}] [data-count]")
                return cells[0].get_attribute("textContent").strip() if cells else ""

            v.wait(lambda d: count("sent") == three_sent and v.text("[data-campaign-status]") == sent,
                   f"three sent ({count('sent')!r}) and the status {sent!r}", timeout=60)
            v.expect(count("queued") == v.n(0), f"still queued: {count('queued')!r}")
            v.page("sent")
            # and the SMTP server has them, one each, with each one's name
            wanted = {email: f"News {run} for {first}" for first, email in people}
            v.wait(lambda d: {tuple(r)[0]: s for r, s in received(mail_dir) if tuple(r)[0] in wanted} == wanted,
                   f"the three messages at the SMTP server (it has {[r for r in received(mail_dir) if r[0][0] in wanted]})",
                   timeout=30)
            mine = [r for r, _ in received(mail_dir) if r[0] in wanted]
            v.expect(len(mine) == 3, f"the SMTP server has {len(mine)} messages of this run, not 3")
            # the list shows it as sent
            v.open("/marketing/campaigns", "campaigns")
            rows = [r for r in v.finds("table.campaigns-table tbody tr") if f"Campaign {run} {language}" in r.text]
            v.expect(rows and sent in rows[0].text, f"the list's row reads {rows[0].text if rows else None!r}")
            v.leave_in_english()
    print(f"{CHECK}: ok")


if __name__ == "__main__":
    main()
