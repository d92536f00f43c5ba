// Rows of a form (a deal's lines, its contacts): "Add" appends a blank row copied from the row's
// template, a removed row is greyed out, and a lines table keeps each line's total and the sum up to
// date as you type, in the page's digits; a deal's amount follows its lines. Without JavaScript the
// "more rows" button asks the server for blank rows, and the server computes the totals.
(function () {
  const lang = document.documentElement.lang || "en";

  function amount(text, digits) {
    // what a person may type: Persian digits, a decimal comma, spaces between groups
    let ascii = String(text || "").replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06F0))
      .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
      .replace(/\u066B/g, ",").replace(/[\u066C\s\u00A0\u202F\u200E\u200F]/g, "").replace(/\u2212/g, "-");
    const last = Math.max(ascii.lastIndexOf("."), ascii.lastIndexOf(","));
    if (last >= 0) ascii = ascii.slice(0, last).replace(/[.,]/g, "") + "." + ascii.slice(last + 1);
    if (!/^-?\d+(\.\d*)?$/.test(ascii)) return null;
    return Math.round(parseFloat(ascii) * Math.pow(10, digits));
  }

  function money(minor, digits, currency) {
    const value = minor / Math.pow(10, digits);
    const text = value.toLocaleString(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    return currency ? text + " " + currency : text;
  }

  function lines(fieldset) {
    const digits = Number(fieldset.dataset.digits || 2);
    // (the currency typed above the lines, else the one the page was drawn with)
    const typed = fieldset.form && fieldset.form.elements["currency"];
    const currency = (typed && typed.value && typed.value.trim().toUpperCase()) || fieldset.dataset.currency || "";
    let sum = 0;
    let counted = 0;
    let complete = true;
    fieldset.querySelectorAll("[data-row]").forEach((row) => {
      const product = row.querySelector("[data-line-product]");
      const removed = row.querySelector("[data-remove-row]").checked;
      const output = row.querySelector("[data-line-total]");
      if (!product.value) { output.textContent = ""; return; }
      const quantityText = row.querySelector("[data-line-quantity]").value.trim();
      const quantity = quantityText === "" ? 1 : amount(quantityText, 0);
      const price = amount(row.querySelector("[data-line-price]").value, digits);
      const discountText = row.querySelector("[data-line-discount]").value.trim();
      const discount = discountText === "" ? 0 : amount(discountText, digits);
      if (quantity === null || price === null || discount === null) {
        output.textContent = "";
        if (!removed) complete = false;
        return;
      }
      const total = quantity * price - discount;
      output.textContent = money(total, digits, currency);
      if (!removed) { sum += total; counted += 1; }
    });
    fieldset.querySelector("[data-lines-total]").textContent = counted > 0 && complete ? money(sum, digits, currency) : "";
    const amountInput = fieldset.form && fieldset.form.elements["amount"];
    if (amountInput) {
      // with lines, the amount is their sum, shown as money (the server sets it; the input is not sent);
      // without them it is typed again, in minor units
      if (counted > 0) {
        amountInput.disabled = true;
        amountInput.type = "text";
        amountInput.value = complete ? money(sum, digits, currency) : "";
        fieldset.dataset.sum = String(sum);
      } else if (amountInput.disabled) {
        amountInput.disabled = false;
        amountInput.type = "number";
        amountInput.value = fieldset.dataset.sum || "";
      }
    }
  }

  function wire(fieldset, row) {
    const remove = row.querySelector("[data-remove-row]");
    remove.addEventListener("change", () => {
      row.classList.toggle("removed", remove.checked);
      if (fieldset.classList.contains("lines")) lines(fieldset);
    });
    const product = row.querySelector("[data-line-product]");
    if (product) {
      product.addEventListener("change", () => {
        // a line without a price takes the product's own, when it is in the line's currency
        const option = product.selectedOptions[0];
        const price = row.querySelector("[data-line-price]");
        const currency = fieldset.dataset.currency;
        if (option && option.dataset.price && !price.value && (!currency || !option.dataset.currency || option.dataset.currency === currency)) {
          price.value = option.dataset.price;
        }
        lines(fieldset);
      });
      row.querySelectorAll("input[type=text]").forEach((input) => input.addEventListener("input", () => lines(fieldset)));
    }
    row.querySelectorAll("[data-picker]").forEach((input) => { if (window.rapportPicker) window.rapportPicker(input); });
  }

  document.querySelectorAll("fieldset[data-rows]").forEach((fieldset) => {
    const list = fieldset.querySelector("[data-row-list]");
    const template = fieldset.querySelector("template[data-row-template]");
    const add = fieldset.querySelector("[data-add-row]");
    list.querySelectorAll("[data-row]").forEach((row) => wire(fieldset, row));
    if (!template || !add) return;
    add.hidden = false;
    // (rows are added here at once; the server's "more rows" is for pages without JavaScript)
    const more = fieldset.querySelector("[data-more-rows]");
    if (more) more.hidden = true;
    add.addEventListener("click", () => {
      const index = Number(fieldset.dataset.next || list.children.length);
      fieldset.dataset.next = String(index + 1);
      const html = template.innerHTML.replace(/__INDEX__/g, String(index));
      const holder = document.createElement(list.tagName === "TBODY" ? "tbody" : "ul");
      holder.innerHTML = html;
      const row = holder.querySelector("[data-row]");
      list.appendChild(row);
      wire(fieldset, row);
      const first = row.querySelector("select, input[type=text]");
      if (first) first.focus();
    });
    if (fieldset.classList.contains("lines")) lines(fieldset);
  });
})();
