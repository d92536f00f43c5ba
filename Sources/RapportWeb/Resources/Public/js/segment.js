// The segment editor: as the query is typed, it is checked and counted (debounced) through the page's
// preview address; the count, the first members and any errors are shown, and each error is marked in
// place in the query (a highlight behind the textarea) and selects its place when clicked. Without
// JavaScript the form still saves, and the page shows the same after saving.
(function () {
  const root = document.querySelector("[data-segment-editor]");
  if (!root) return;
  const textarea = root.querySelector("[data-segment-query]");
  const highlight = root.querySelector("[data-segment-highlight]");
  const status = root.querySelector("[data-segment-status]");
  const errors = root.querySelector("[data-segment-errors]");
  const members = document.querySelector("[data-segment-members]");
  const noMembers = document.querySelector("[data-segment-no-members]");
  let timer = null;
  let sequence = 0;

  // Where a line and column (from 1, in characters) is in the text, in characters.
  function offsetOf(text, line, column) {
    const lines = text.split("\n");
    let offset = 0;
    for (let index = 0; index < line - 1 && index < lines.length; index++) offset += [...lines[index]].length + 1;
    return offset + Math.max(0, column - 1);
  }

  // The text again behind the textarea, with the word at each error's place marked.
  function paint(issues) {
    const characters = [...textarea.value];
    const marked = new Array(characters.length + 1).fill(false);
    for (const issue of issues) {
      let start = Math.min(offsetOf(textarea.value, issue.line, issue.column), characters.length);
      let end = start;
      while (end < characters.length && !/\s/.test(characters[end])) end++;
      if (end === start) end = start + 1;
      for (let index = start; index < end; index++) marked[index] = true;
    }
    const parts = [];
    let run = "";
    let inMark = false;
    function flush() {
      if (!run) return;
      if (inMark) {
        const mark = document.createElement("mark");
        mark.className = "segment-error-mark";
        mark.textContent = run;
        parts.push(mark);
      } else {
        parts.push(document.createTextNode(run));
      }
      run = "";
    }
    for (let index = 0; index <= characters.length; index++) {
      const character = index < characters.length ? characters[index] : " ";
      if (index === characters.length && !marked[index]) break;
      if (marked[index] !== inMark) {
        flush();
        inMark = marked[index];
      }
      run += character;
    }
    flush();
    parts.push(document.createTextNode("\n"));
    highlight.replaceChildren(...parts);
    highlight.scrollTop = textarea.scrollTop;
  }

  function select(line, column) {
    const offset = offsetOf(textarea.value, line, column);
    // (the textarea counts UTF-16 units)
    const units = [...textarea.value].slice(0, offset).join("").length;
    textarea.focus();
    textarea.setSelectionRange(units, units + 1);
  }

  function showErrors(issues) {
    errors.replaceChildren(
      ...issues.map((issue) => {
        const item = document.createElement("li");
        item.dataset.line = issue.line;
        item.dataset.column = issue.column;
        const at = document.createElement("strong");
        at.textContent = issue.at;
        const message = document.createElement("span");
        message.dir = "ltr";
        message.textContent = issue.message;
        item.append(at, ": ", message);
        item.addEventListener("click", () => select(issue.line, issue.column));
        return item;
      })
    );
    if (issues.length) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
  }

  function showMembers(list) {
    if (!members) return;
    members.replaceChildren(
      ...list.map((member) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = member.path;
        const name = document.createElement("bdi");
        name.textContent = member.title;
        link.append(name);
        item.append(link);
        return item;
      })
    );
    if (noMembers) noMembers.hidden = list.length > 0;
  }

  async function refresh() {
    const mine = ++sequence;
    if (!textarea.value.trim()) {
      status.textContent = "";
      showErrors([]);
      paint([]);
      showMembers([]);
      return;
    }
    status.textContent = status.dataset.counting || "…";
    try {
      const response = await fetch(root.dataset.preview + "?query=" + encodeURIComponent(textarea.value), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (mine !== sequence) return;
      const answer = await response.json();
      if (mine !== sequence) return;
      status.replaceChildren();
      if (answer.text) {
        const strong = document.createElement("strong");
        strong.textContent = answer.text;
        status.append(strong);
      }
      showErrors(answer.errors || []);
      paint(answer.errors || []);
      showMembers(answer.members || []);
    } catch (error) {
      if (mine === sequence) status.textContent = "";
    }
  }

  textarea.addEventListener("input", () => {
    paint([]);
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  textarea.addEventListener("scroll", () => {
    highlight.scrollTop = textarea.scrollTop;
  });
  // the errors the page came with
  const initial = [...errors.querySelectorAll("li")].map((item) => ({
    line: Number(item.dataset.line),
    column: Number(item.dataset.column),
  }));
  for (const item of errors.querySelectorAll("li")) {
    item.addEventListener("click", () => select(Number(item.dataset.line), Number(item.dataset.column)));
  }
  paint(initial);
  root.classList.add("segment-live");
})();
