// The header search box: suggestions as you type, chosen with the arrow keys and Enter.
// Without JavaScript the box is a plain form that opens the results page.
(function () {
  const input = document.querySelector("[data-search-suggest]");
  if (!input) return;
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
      li.id = "search-option-" + index;
      li.setAttribute("role", "option");
      const name = document.createElement("a");
      name.href = result.path;
      name.textContent = result.name;
      li.appendChild(name);
      if (result.detail) {
        const detail = document.createElement("span");
        detail.className = "muted";
        detail.textContent = result.detail;
        li.appendChild(detail);
      }
      li.addEventListener("mousedown", (event) => { event.preventDefault(); window.location = result.path; });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", String(results.length > 0));
    highlight(-1);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length === 0) { close(); return; }
    timer = setTimeout(async () => {
      const ticket = ++latest;
      const response = await fetch("/search/suggest?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } });
      if (!response.ok || ticket !== latest) return;
      render(await response.json());
    }, 120);
  });

  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, -1)); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); window.location = items[active].path; }
    else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
})();
