// A pipeline's board: drag a card to another column to move the deal there. The drop sends the card's
// own move form (the one that works by keyboard and without JavaScript), so the server moves it and the
// board comes back with its new totals. A drop on a lost column asks for the reason first.
(function () {
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const dialog = document.querySelector("[data-lost-dialog]");
  let dragged = null;

  function send(card, column, reason) {
    const form = card.querySelector("form.deal-move");
    form.querySelector("select[name=stage_id]").value = column.dataset.stage;
    if (reason !== undefined) form.querySelector("input[name=lost_reason]").value = reason;
    column.querySelector(".board-cards").appendChild(card);
    card.classList.add("moving");
    form.submit();
  }

  function askReason(card, column) {
    if (!dialog || typeof dialog.showModal !== "function") {
      const reason = window.prompt(dialog ? dialog.querySelector("h2").textContent : "");
      if (reason) send(card, column, reason);
      return;
    }
    const area = dialog.querySelector("textarea");
    area.value = "";
    dialog.returnValue = "";
    dialog.showModal();
    area.focus();
    dialog.querySelector("[data-cancel]").onclick = () => dialog.close("cancel");
    dialog.onclose = () => {
      if (dialog.returnValue === "ok" && area.value.trim()) send(card, column, area.value.trim());
    };
  }

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".deal-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    board.querySelectorAll(".drop-target").forEach((c) => c.classList.remove("drop-target"));
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".drop-target").forEach((c) => c !== column && c.classList.remove("drop-target"));
    column.classList.add("drop-target");
  });
  board.addEventListener("drop", (event) => {
    const column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    const card = dragged;
    dragged = null;
    if (card.closest(".board-column") === column) return;
    if (column.dataset.kind === "lost") askReason(card, column);
    else send(card, column);
  });
  // The move form by keyboard: choosing a lost stage without a reason asks for it the same way.
  board.querySelectorAll("form.deal-move").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const stage = form.querySelector("select[name=stage_id]").value;
      const column = board.querySelector(`.board-column[data-stage="${CSS.escape(stage)}"]`);
      const reason = form.querySelector("input[name=lost_reason]");
      if (column && column.dataset.kind === "lost" && !reason.value.trim()) {
        event.preventDefault();
        askReason(form.closest(".deal-card"), column);
      }
    });
  });
})();
