#!/usr/bin/python3
"""Headless-Chromium check of a pipeline's board, in English and in Persian (right to left), on a
laptop and on a phone: the check makes two deals with the new-deal form, drags one card from Qualify
to Demo and sees the columns' counts and totals change, then drags the other to Lost, answers the
dialog that asks why, and finds the reason on the deal's page; the funnel and forecast pages show
their charts. Then it makes a deal with two lines (the second added with "Add a line"), sees each
line's total and the amount follow as it types, finds the amount on the deal's page and the deal on
the product's page; the top bar fits one line on a laptop and its "More" menu opens by keyboard.

Usage: check_deals.py BASE_URL OWNER_EMAIL PASSWORD SCREENSHOT_DIR [en-1366 fa-390 …]
Exits non-zero with one line on the first thing that is not as a user should see it.
"""
import os
import sys
import time

from common import Visit, combinations
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select
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


def ascii_number(text):
    """A page's number in ASCII: Persian digits and decimal sign, grouping left out."""
    return text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٫", "0123456789.")).replace("٬", "").replace(",", "")


def product(v, name, price):
    """A product made with its form (the demo has none): `price` in øre, as the product form takes it."""
    v.open("/products/new", "new-product")
    form = v.find("main form.record-form")
    form.find_element(By.NAME, "name").send_keys(name)
    form.find_element(By.NAME, "unit_price").send_keys(price)
    form.find_element(By.NAME, "currency").send_keys("DKK")
    page = v.find("html")
    form.find_element(By.CSS_SELECTOR, "button.primary[type=submit]").click()
    reloaded(v, page, f"the product {name} to be made")


def lines(v, run):
    """A deal with two lines through the form: the second added with "Add a line"; totals as one types."""
    name = f"Lines {run}"
    product(v, f"Kaffe {run}", "5000")
    product(v, f"Te {run}", "1500")
    v.open("/deals/new", "deal-form")
    form = v.find("main form.record-form")
    form.find_element(By.NAME, "name").send_keys(name)
    form.find_element(By.NAME, "currency").send_keys("DKK")
    rows = v.finds("fieldset.lines tbody [data-row]")
    v.expect(len(rows) == 1, f"the new-deal form has {len(rows)} line rows, not 1")
    products = Select(rows[0].find_element(By.CSS_SELECTOR, "select[data-line-product]"))
    choices = [o for o in products.options if o.text in (f"Kaffe {run}", f"Te {run}")]
    v.expect(len(choices) == 2, "the two new products are not offered")
    products.select_by_value(choices[0].get_attribute("value"))
    product_id = choices[0].get_attribute("value")
    product_name = choices[0].text
    quantity = rows[0].find_element(By.CSS_SELECTOR, "[data-line-quantity]")
    quantity.send_keys("2")
    price = rows[0].find_element(By.CSS_SELECTOR, "[data-line-price]")
    price.clear()
    price.send_keys("12.50")
    v.find("fieldset.lines [data-add-row]").click()
    rows = v.finds("fieldset.lines tbody [data-row]")
    v.expect(len(rows) == 2, f"'Add a line' left {len(rows)} rows")
    Select(rows[1].find_element(By.CSS_SELECTOR, "select[data-line-product]")).select_by_value(choices[1].get_attribute("value"))
    second = rows[1].find_element(By.CSS_SELECTOR, "[data-line-price]")
    second.clear()
    second.send_keys("7,50")
    v.wait(lambda d: ascii_number(v.text("fieldset.lines [data-lines-total]")).startswith("32.50"), "the lines' sum 32.50")
    amount = form.find_element(By.NAME, "amount")
    v.expect(not amount.is_enabled(), "the amount can still be typed beside lines")
    v.shot("deal-form-lines")
    page = v.find("html")
    form.find_element(By.CSS_SELECTOR, "button.primary[type=submit]").click()
    reloaded(v, page, f"the deal {name} with lines to be made")
    v.page("deal-with-lines")
    deal_path = v.driver.current_url.replace(v.base, "").split("?")[0]
    text = ascii_number(v.text("main"))
    v.expect("32.50" in text and "DKK" in text, f"the deal's page does not show 32.50 DKK: {text[:300]!r}")
    v.expect(product_name in v.text("main"), f"the deal's page does not name {product_name!r}")
    # the product's page lists the deal in its table of deals
    v.open(f"/products/{product_id}", "product-page")
    tables = [t for t in v.finds("table.related-lines") if name in t.text]
    v.expect(tables, f"the product's page does not list {name!r}")
    # and the edit form shows the lines back, as decimals, with the amount as their sum
    v.open(deal_path + "/edit", "deal-edit")
    prices = [e.get_attribute("value") for e in v.finds("fieldset.lines tbody [data-line-price]")]
    v.expect(prices[:2] == ["12.50", "7.50"], f"the edit form's prices read {prices}")
    v.expect(not v.find("main form input[name=amount]").is_enabled(), "the edit form's amount can be typed beside lines")


def top_bar(v):
    """The top bar: one line on a laptop; "More" opens by keyboard and leads to products, tasks, orders, email
    templates and campaigns."""
    v.open("/contacts", "nav")
    tops = v.driver.execute_script(
        "return [...document.querySelectorAll('.nav > a, .nav > details')].map(e => Math.round(e.getBoundingClientRect().top))")
    if not v.phone:
        v.expect(len(set(tops)) == 1, f"the navigation wraps onto {len(set(tops))} lines: {tops}")
        bar = v.driver.execute_script("return document.querySelector('.topbar').getBoundingClientRect().height")
        v.expect(bar < 80, f"the top bar is {bar}px high")
    summary = v.find(".nav-more summary")
    v.driver.execute_script("arguments[0].focus()", summary)
    summary.send_keys(Keys.ENTER)
    v.wait(lambda d: v.find(".nav-more").get_attribute("open") is not None, "the More menu to open")
    links = v.finds(".nav-menu a")
    v.expect(len(links) == 5,
             f"the More menu has {len(links)} entries, not 5 (products, tasks, orders, email templates, campaigns)")
    width = v.driver.execute_script("return document.documentElement.clientWidth")
    for link in links:
        box = link.rect
        v.expect(box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{link.text!r} is outside the screen: {box}")
    v.shot("nav-more")
    links[0].send_keys(Keys.ENTER)
    v.wait(lambda d: "/products" in d.current_url, "the products list from the More menu")
    v.expect(v.find(".nav-more summary").get_attribute("class") == "current", "More is not marked as the current section")


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
                field.find_element(By.XPATH, "ancestor::form//button[@type='submit' and contains(@class, 'primary')]").click()
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
            lines(v, run)
            top_bar(v)
        print(f"{CHECK} [{language}-{width}] {time.time():.0f}")
    print("deals check passed")


if __name__ == "__main__":
    main()
