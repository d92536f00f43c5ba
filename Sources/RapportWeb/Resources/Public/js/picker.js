// Type-ahead pickers (a contact's company, a record's owner): matches appear as you type, chosen with
// the arrow keys and Enter or a click. The chosen record's id travels in a hidden input beside the
// text; without JavaScript the text alone is sent and the server looks the name up. Rows added to a
// form later (rows.js) are set up with `window.rapportPicker(input)`.
(function () {
  function setup(input) {
    const picked = input.form.elements[input.dataset.picked];
    const pickedTitle = input.form.elements[input.dataset.pickedTitle];
    window.rapportCombobox(input, {
      source: (query) => input.dataset.picker + "&q=" + encodeURIComponent(query),
      label: (item) => {
        const name = document.createElement("bdi");
        name.textContent = item.name;
        return name;
      },
      choose: (item) => {
        input.value = item.name;
        picked.value = item.id;
        pickedTitle.value = item.name;
      },
      cleared: () => { picked.value = ""; pickedTitle.value = ""; },
      firstActive: true,
    });
  }
  window.rapportPicker = setup;
  document.querySelectorAll("[data-picker]").forEach((input) => {
    if (!input.closest("template")) setup(input);
  });
})();
