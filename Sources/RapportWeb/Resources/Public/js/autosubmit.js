// A select marked data-autosubmit sends its form when changed (the form has a button for those without JavaScript).
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
