// Type-ahead pickers (a contact's company, a record's owner): matches appear as you type, chosen with
// the arrow keys and Enter or a click. The chosen record's id travels in a hidden input beside the
// text; without JavaScript the text alone is sent and the server looks the name up.
(function () {
  document.querySelectorAll("[data-picker]").forEach((input) => {
    const form = input.form;
    const picked = form.elements[input.dataset.picked];
    const pickedTitle = form.elements[input.dataset.pickedTitle];
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

    function choose(item) {
      input.value = item.name;
      picked.value = item.id;
      pickedTitle.value = item.name;
      close();
    }

    function render(results) {
      items = results;
      list.replaceChildren();
      results.forEach((result, index) => {
        const li = document.createElement("li");
        li.id = list.id + "-" + index;
        li.setAttribute("role", "option");
        const name = document.createElement("bdi");
        name.textContent = result.name;
        li.appendChild(name);
        if (result.detail) {
          const detail = document.createElement("span");
          detail.className = "muted";
          detail.dir = "ltr";
          detail.textContent = result.detail;
          li.appendChild(detail);
        }
        li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(result); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", String(results.length > 0));
      highlight(results.length > 0 ? 0 : -1);
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      const query = input.value.trim();
      if (query.length === 0) { picked.value = ""; pickedTitle.value = ""; close(); return; }
      timer = setTimeout(async () => {
        const ticket = ++latest;
        const response = await fetch(input.dataset.picker + "&q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } });
        if (!response.ok || ticket !== latest) return;
        render(await response.json());
      }, 120);
    });

    input.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(items[active]); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  });
})();
