// The header search box: suggestions as you type, chosen with the arrow keys and Enter, open the record.
// Without JavaScript the box is a plain form that opens the results page.
(function () {
  const input = document.querySelector("[data-search-suggest]");
  if (!input) return;
  window.rapportCombobox(input, {
    source: (query) => "/search/suggest?q=" + encodeURIComponent(query),
    label: (result) => {
      const name = document.createElement("a");
      name.href = result.path;
      name.textContent = result.name;
      return name;
    },
    choose: (result) => { window.location = result.path; },
  });
})();
