// A text input with suggestions as you type (the header search, the pickers of a form, mentions in a
// note): it asks `source(query)` for items after a short pause, lists them under the input, moves
// through them with the arrow keys and takes one with Enter or a click (`choose(item)`). Escape closes
// the list.
window.rapportCombobox = function (input, options) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  let items = [];
  let active = -1;
  let timer = null;
  let latest = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    Array.from(list.children).forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", list.children[index].id);
  }

  function render(results) {
    items = results;
    list.replaceChildren();
    results.forEach((result, index) => {
      const li = document.createElement("li");
      li.id = list.id + "-" + index;
      li.setAttribute("role", "option");
      li.appendChild(options.label(result));
      if (result.detail) {
        const detail = document.createElement("span");
        detail.className = "muted";
        detail.dir = "auto";
        detail.textContent = result.detail;
        li.appendChild(detail);
      }
      li.addEventListener("mousedown", (event) => { event.preventDefault(); options.choose(result); close(); });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", String(results.length > 0));
    highlight(options.firstActive && results.length > 0 ? 0 : -1);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    // What to look up: the whole text, or what `options.query()` finds in it (a mention being typed; null for none).
    const query = options.query ? options.query() : input.value.trim();
    if (options.cleared && !query) options.cleared();
    if (!query) { close(); return; }
    timer = setTimeout(async () => {
      const ticket = ++latest;
      const response = await fetch(options.source(query), { headers: { Accept: "application/json" } });
      if (!response.ok || ticket !== latest) return;
      render(await response.json());
    }, 120);
  });

  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, options.firstActive ? 0 : -1)); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); options.choose(items[active]); close(); }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
};
