#!/usr/bin/python3
"""Headless-Chromium check of the public pages of marketing mail, in English and in Persian (right to
left), on a laptop and on a phone: the owner adds two email topics under Settings, makes a contact who reads
the visit's language and a marketing template of one topic with the unsubscribe and preference links, and
previews it as the contact. From the preview's links (what the contact's mail holds) the check opens the
preference centre with no sign-in needed, drops a topic, unsubscribes from all and subscribes again, then
opens the unsubscribe page, which asks first, and confirms.

Usage: check_preferences.py BASE_URL OWNER_EMAIL PASSWORD SCREENSHOT_DIR [en-1366 fa-390 …]
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import html
import os
import re
import sys
import time

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

CHECK = "preferences"


def add_topic(v, name, description):
    v.open("/settings/email-topics", "topics")
    form = v.finds("main form")[-1]
    form.find_element(By.NAME, "name").send_keys(name)
    form.find_element(By.NAME, "description").send_keys(description)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "main .notice") and name in d.page_source, f"the topic {name}")


def public_page(v, path, name):
    """A page of the contact's mail: in the contact's language, with no navigation of the signed-in app."""
    v.open(path, name)
    lang, direction = v.driver.execute_script("return [document.documentElement.lang, document.documentElement.dir]")
    v.expect(lang == v.language, f"{name} is in {lang}, not the contact's {v.language}")
    v.expect(direction == ("rtl" if v.language == "fa" else "ltr"), f"{name} reads {direction}")
    v.expect(not v.finds("header.topbar"), f"{name} shows the app's navigation")


def main():
    base, owner, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    for language, width in combinations(sys.argv[5:]):
        run = str(int(time.time() * 1000))[-6:]
        with Visit(CHECK, base, shots, language, width) as v:
            v.sign_in(owner, password)
            news, events = f"Newsletter {run}", f"Events {run}"
            add_topic(v, news, v.t["preferences_subscribed"])
            add_topic(v, events, "")
            v.expect(len(v.finds("main .topic-rows li")) >= 2, "the topics page lists both topics")
            v.page("topics-added")

            # a contact who reads this visit's language
            email = f"pref{run}-{language}-{width}@mail.test"
            v.open("/contacts/new", "new-contact")
            v.find("main form input[name=first_name]").send_keys(f"Sara {run}")
            v.find("main form input[name=email]").send_keys(email)
            field = v.find("main form [name=language]")
            if field.tag_name == "select":
                Select(field).select_by_value(language)
            else:
                field.send_keys(language)
            v.find("main form button[type=submit]").click()
            v.wait(lambda d: "/contacts/new" not in d.current_url, "the contact to be made")

            # a marketing template of the Events topic, previewed as the contact
            v.open("/marketing/templates/new", "new-template")
            v.find("main form input[name=name]").send_keys(f"Invitation {run}")
            Select(v.find("main form select[name=kind]")).select_by_value("marketing")
            Select(v.find("main form select[name=topic_id]")).select_by_visible_text(events)
            v.find("main form input[name=subject]").send_keys("Meet us {{first_name}}")
            v.find("main form textarea[name=html]").send_keys(
                '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a> '
                '<a href="{{preferences_url}}">Preferences</a></p>')
            v.find("main form button[type=submit]").click()
            v.wait(lambda d: "/marketing/templates/new" not in d.current_url and d.find_elements(By.CSS_SELECTOR, "main .notice"),
                   "the template to be saved")
            chosen = Select(v.find("main form select[name=topic_id]")).first_selected_option.text
            v.expect(chosen == events, f"the template's topic reads {chosen!r}")
            v.driver.get(v.driver.current_url.split("?")[0] + "?contact=" + email)
            v.page("template-preview")
            frame = v.finds("iframe.email-preview")
            v.expect(frame, "the preview shows the message")
            srcdoc = html.unescape(frame[0].get_attribute("srcdoc"))
            links = {kind: path for path, kind in re.findall(r'href="https?://[^/"]+(/([pu])/[A-Za-z0-9_.-]+)"', srcdoc)}
            v.expect(set(links) == {"p", "u"}, f"the preview holds the unsubscribe and preference links: {srcdoc[:300]!r}")

            # the preference centre: both topics kept; drop Events
            public_page(v, links["p"], "preference-centre")
            boxes = {b.find_element(By.XPATH, "..").text.split("\n")[0]: b for b in v.finds("main input[name=topic]")}
            v.expect(boxes.get(news) is not None and boxes.get(events) is not None, f"the centre offers the topics: {list(boxes)}")
            v.expect(all(b.is_selected() for b in boxes.values()), "every topic is kept at first")
            boxes[events].click()
            v.find("main form.stack button[type=submit]").click()
            v.wait(lambda d: "done=saved" in d.current_url, "the choices to be saved")
            v.page("preferences-saved")
            v.expect(v.t["preferences_done_saved"] in v.text("main"), "the centre says the choices are saved")
            kept = [b.get_attribute("value") for b in v.finds("main input[name=topic]") if b.is_selected()]
            v.expect(len(kept) == len(boxes) - 1, "the dropped topic stays dropped")

            # unsubscribe from all, then subscribe again
            v.find("main form.unsubscribe-all button").click()
            v.wait(lambda d: "done=unsubscribed" in d.current_url, "the unsubscribe from all")
            v.page("preferences-unsubscribed")
            v.expect(v.t["preferences_unsubscribed"] in v.text("main"), "the centre says the contact is unsubscribed")
            v.find("main form.stack button[type=submit]").click()
            v.wait(lambda d: "done=subscribed" in d.current_url, "the new subscription")
            v.expect(v.t["preferences_done_subscribed"] in v.text("main"), "the centre says the contact is subscribed again")

            # the unsubscribe link asks first, then confirms and leads back to the centre
            public_page(v, links["u"], "unsubscribe-confirm")
            v.expect(email in v.text("main"), "the unsubscribe page names the address")
            v.find("main form button[type=submit]").click()
            v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "main [role=status]"), "the unsubscribe to be confirmed")
            v.page("unsubscribed")
            v.expect(v.t["unsubscribed"] in v.text("main"), "the page confirms the unsubscribe")
            v.expect(v.finds(f'main a[href="{links["p"]}"]'), "the page leads to the preference centre")
    print("preferences check passed")


if __name__ == "__main__":
    main()
