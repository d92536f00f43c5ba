// Copy buttons: a button with data-copy="ID" copies that field's text and says so for a moment; where
// the clipboard is out of reach (a plain-http address) it selects the text for the user to copy. The
// buttons stay hidden without JavaScript, where the field can be selected by hand.
(function () {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener("click", async () => {
      field.focus();
      field.select();
      let copied = false;
      try {
        if (navigator.clipboard && window.isSecureContext) {
          await navigator.clipboard.writeText(field.value);
          copied = true;
        }
      } catch (failure) { copied = false; }
      if (!copied) {
        try { copied = document.execCommand("copy"); } catch (failure) { copied = false; }
      }
      if (!copied) return;
      button.textContent = button.dataset.copied || label;
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  });
})();
