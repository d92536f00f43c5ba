// A list's bulk actions: the bar shows once a record is checked and says how many are; the header's
// box checks the whole page, and then every record the list matches can be chosen at once.
// Without JavaScript the bar is always shown and acts on the checked records.
(function () {
  const form = document.querySelector("[data-bulk]");
  if (!form) return;
  const bar = form.querySelector("[data-bulk-bar]");
  const count = form.querySelector("[data-bulk-count]");
  const page = form.querySelector("[data-bulk-page]");
  const all = form.querySelector("[data-bulk-all]");
  const selectAll = form.querySelector("[data-bulk-select-all]");
  const rows = Array.from(form.querySelectorAll("[data-bulk-row]"));
  const total = Number(document.querySelector("[data-total]")?.dataset.total || 0);
  if (!bar) return;

  function update() {
    const checked = rows.filter((box) => box.checked).length;
    bar.hidden = checked === 0;
    if (page) {
      page.checked = checked === rows.length && rows.length > 0;
      page.indeterminate = checked > 0 && checked < rows.length;
    }
    if (checked < rows.length) all.value = "";
    if (selectAll) selectAll.hidden = !(checked === rows.length && all.value !== "1");
    const text = all.value === "1" ? count.dataset.all : checked === 1 ? count.dataset.one : count.dataset.many;
    count.textContent = (text || "").replace("{count}", (all.value === "1" ? total : checked).toLocaleString(document.documentElement.lang));
    if (selectAll) selectAll.textContent = selectAll.textContent.replace(/\{count\}|[\d٠-٩۰-۹.,٬]+/, total.toLocaleString(document.documentElement.lang));
  }

  rows.forEach((box) => box.addEventListener("change", update));
  if (page) page.addEventListener("change", () => { rows.forEach((box) => { box.checked = page.checked; }); update(); });
  if (selectAll) selectAll.addEventListener("click", () => { all.value = "1"; update(); });
  update();
})();
