// Mentions in a record's note and activity composer: typing "@" and the start of a name lists the
// workspace's users who match; choosing one (arrow keys and Enter, or a click) puts "@Name " in the text.
// The server finds mentions in the text itself, so without JavaScript "@Name" or "@address" typed in
// full works the same.
(function () {
  const wordPart = /[\p{L}\p{N}._+-]/u;
  document.querySelectorAll("textarea[data-mention]").forEach((area) => {
    let start = -1; // where the "@" of the mention being typed is
    function typed() {
      const caret = area.selectionStart;
      if (caret !== area.selectionEnd) return null;
      const before = area.value.slice(0, caret);
      const at = before.lastIndexOf("@");
      if (at < 0 || (at > 0 && wordPart.test(before[at - 1]))) return null; // an address, not a mention
      const query = before.slice(at + 1);
      if (query.length === 0 || query.length > 60 || /^\s|[\n@]/.test(query)) return null;
      if (query.trim().split(/\s+/).length > 4) return null; // text after a finished mention
      start = at;
      return query;
    }
    window.rapportCombobox(area, {
      query: typed,
      source: (query) => area.dataset.mention + "&q=" + encodeURIComponent(query),
      label: (item) => {
        const name = document.createElement("bdi");
        name.textContent = item.name;
        return name;
      },
      choose: (item) => {
        const text = "@" + item.name + " ";
        const caret = area.selectionStart;
        area.value = area.value.slice(0, start) + text + area.value.slice(caret);
        const position = start + text.length;
        area.setSelectionRange(position, position);
        area.focus();
      },
      firstActive: true,
    });
  });
})();
