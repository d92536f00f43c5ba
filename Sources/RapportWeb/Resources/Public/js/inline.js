// Editing a field in place on a record page: click the value (or focus it and press Enter), change it,
// Enter saves, Escape puts it back; a refused value says why where it is. The full form stays for the rest.
(function () {
  const list = document.querySelector("dl[data-inline]");
  if (!list) return;
  const hint = list.dataset.editHint || "";

  function start(cell) {
    if (cell.querySelector(".inline-editor")) return;
    const before = cell.innerHTML;
    const type = cell.dataset.inlineType;
    let input;
    if (type === "select") {
      input = document.createElement("select");
      (cell.dataset.inlineOptions || "").split("\n").forEach((line) => {
        const at = line.indexOf("|");
        const option = document.createElement("option");
        option.value = line.slice(0, at);
        option.textContent = line.slice(at + 1);
        option.selected = option.value === cell.dataset.inlineValue;
        input.appendChild(option);
      });
    } else {
      input = document.createElement("input");
      input.type = type;
      input.value = cell.dataset.inlineValue || "";
      input.dir = type === "text" ? "auto" : "ltr";
    }
    input.className = "inline-editor";
    input.setAttribute("aria-label", (cell.previousElementSibling || {}).textContent || "");
    const error = document.createElement("span");
    error.className = "field-error";
    error.setAttribute("role", "alert");
    cell.replaceChildren(input, error);
    input.focus();

    function cancel() { cell.innerHTML = before; }
    async function save() {
      const body = new URLSearchParams({
        field: cell.dataset.inlineField, value: input.value, version: list.dataset.version, csrf_token: list.dataset.csrf,
      });
      input.disabled = true;
      try {
        const response = await fetch(list.dataset.inline, {
          method: "POST", body, headers: { "Accept": "application/json" }, credentials: "same-origin",
        });
        const answer = await response.json();
        input.disabled = false;
        if (!response.ok || answer.error) {
          error.textContent = answer.error || response.statusText;
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
        list.dataset.version = String(answer.version);
        cell.dataset.inlineValue = answer.value || "";
        const shown = document.createElement("bdi");
        shown.dir = "auto";
        shown.textContent = answer.text || "";
        cell.replaceChildren(shown);
      } catch (failure) {
        input.disabled = false;
        error.textContent = String(failure);
      }
    }
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); save(); }
      if (event.key === "Escape") { event.preventDefault(); cancel(); }
    });
    if (type === "select") input.addEventListener("change", save);
  }

  list.querySelectorAll("[data-inline-field]").forEach((cell) => {
    cell.tabIndex = 0;
    cell.title = hint;
    cell.classList.add("editable");
    cell.addEventListener("click", (event) => { if (!event.target.closest("a")) start(cell); });
    cell.addEventListener("keydown", (event) => { if (event.key === "Enter" && event.target === cell) start(cell); });
  });
})();
