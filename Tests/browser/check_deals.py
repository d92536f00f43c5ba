#!/usr/bin/python3
"""Headless-Chromium check of a pipeline's board, in English and in Persian (right to left), on a
laptop and on a phone: the check makes two deals with the new-deal form, drags one card from Qualify
to Demo and sees the columns' counts and totals change, then drags the other to Lost, answers the
dialog that asks why, and finds the reason on the deal's page; the funnel and forecast pages show
their charts.

Usage: check_deals.py BASE_URL OWNER_EMAIL PASSWORD SCREENSHOT_DIR [en-1366 fa-390 …]
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import os
import sys
import time

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions


def reloaded(v, old, what):
    """Waits for the page that held `old` to be replaced by the server's answer, with its flash."""
    v.wait(expected_conditions.staleness_of(old), what)
    v.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"), what)

CHECK = "deals"

DRAG = """
const [card, target] = arguments;
const data = new DataTransfer();
const fire = (element, type) => element.dispatchEvent(
  new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
fire(card, "dragstart"); fire(target, "dragover"); fire(target, "drop"); fire(card, "dragend");
"""


def column(v, kind=None, index=None):
    columns = v.finds(".board-column")
    if kind is not None:
        return [c for c in columns if c.get_attribute("data-kind") == kind][0]
    return columns[index]


def card(v, name):
    found = [c for c in v.finds(".deal-card") if name in c.get_attribute("textContent")]
    v.expect(found, f"no card {name!r} on the board")
    return found[0]


def count(element):
    return element.find_element(By.CSS_SELECTOR, "[data-count]").get_attribute("textContent")


def main():
    base, owner, password, shots = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    for language, width in combinations(sys.argv[5:]):
        run = str(int(time.time() * 1000))[-6:]
        with Visit(CHECK, base, shots, language, width) as v:
            v.sign_in(owner, password)
            for name, amount in ((f"Drag {run}", "250000"), (f"Lose {run}", "90000")):
                v.open("/deals/new", "new-deal")
                field = v.find("main form input[name=name]")
                field.send_keys(name)
                v.find("main form input[name=amount]").send_keys(amount)
                v.find("main form input[name=currency]").send_keys("DKK")
                page = v.find("html")
                field.find_element(By.XPATH, "ancestor::form//button[@type='submit']").click()
                reloaded(v, page, f"the deal {name} to be made")
            v.open("/sales/board", "board")
            direction = v.driver.execute_script("return document.documentElement.dir")
            v.expect(direction == ("rtl" if language == "fa" else "ltr"), f"the board is {direction}")
            first, second = column(v, index=0), column(v, index=1)
            before = (count(first), count(second))
            dragged = card(v, f"Drag {run}")
            v.expect(dragged.find_element(By.XPATH, "ancestor::section").get_attribute("data-stage")
                     == first.get_attribute("data-stage"), "a new deal is not in the first column")
            # drag it to the second column: the page comes back from the server with new totals
            page = v.find("html")
            v.driver.execute_script(DRAG, dragged, second)
            reloaded(v, page, "the move to be saved")
            first, second = column(v, index=0), column(v, index=1)
            now = (count(first), count(second))
            v.expect(now != before, f"the counts stayed {before}")
            moved = card(v, f"Drag {run}")
            v.expect(moved.find_element(By.XPATH, "ancestor::section").get_attribute("data-stage")
                     == second.get_attribute("data-stage"), "the card did not land in the second column")
            totals = second.find_element(By.CSS_SELECTOR, ".board-totals").get_attribute("textContent")
            v.expect("DKK" in totals, f"the second column's totals read {totals!r}")
            v.page("board-moved")
            # drag the other to Lost: a dialog asks why before anything is sent
            lost = column(v, kind="lost")
            v.driver.execute_script(DRAG, card(v, f"Lose {run}"), lost)
            dialog = v.find("dialog[data-lost-dialog]")
            v.wait(lambda d: dialog.get_attribute("open") is not None, "the dialog asking why")
            v.shot("lost-dialog")
            dialog.find_element(By.CSS_SELECTOR, "textarea").send_keys("Chose a competitor")
            page = v.find("html")
            dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            reloaded(v, page, "the lost deal to be saved")
            lost = column(v, kind="lost")
            v.expect(f"Lose {run}" in lost.get_attribute("textContent"), "the lost deal is not in the Lost column")
            link = card(v, f"Lose {run}").find_element(By.CSS_SELECTOR, "a.deal-card-name")
            v.open(link.get_attribute("href").replace(v.base, ""), "lost-deal")
            v.expect("Chose a competitor" in v.text("main"), "the deal's page does not say why it was lost")
            # the funnel and the forecast draw their charts
            v.open("/sales/funnel", "funnel")
            v.expect(v.finds("svg.chart rect.chart-bar"), "the funnel has no bars")
            v.open("/sales/forecast", "forecast")
            v.expect(v.finds("svg.chart"), "the forecast has no chart")
        print(f"{CHECK} [{language}-{width}] {time.time():.0f}")
    print("deals check passed")


if __name__ == "__main__":
    main()
