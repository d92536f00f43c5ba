// The top bar's "More" menu is a <details>: it opens by click, Enter or Space without JavaScript. With
// it, Escape closes the menu (back on its button) and a click elsewhere closes it.
(function () {
  document.querySelectorAll("[data-nav-more]").forEach((menu) => {
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  });
})();
