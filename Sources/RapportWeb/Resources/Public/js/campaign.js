// Campaign pages. The form: the A/B test's variants and settings show only while "A/B test" is ticked, and
// typing a send time chooses "At".
// A campaign's page: while it sends ([data-campaign-figures][data-live]) its figures are read again every few
// seconds from data-source and put in place, until they say they no longer change. Without script the form
// shows everything and the page has a Refresh link.
(function () {
  "use strict";
  var ab = document.querySelector("[data-campaign-ab]");
  if (ab) {
    var box = ab.closest("fieldset");
    var show = function () { if (ab.checked) { box.removeAttribute("data-off"); } else { box.setAttribute("data-off", ""); } };
    ab.addEventListener("change", show);
    show();
  }
  // typing a time chooses "At"
  var at = document.querySelector("[data-campaign-send-at]");
  var later = document.querySelector("[data-campaign-later]");
  if (at && later) { at.addEventListener("input", function () { later.checked = true; }); }
  var figures = document.querySelector("[data-campaign-figures]");
  if (!figures) { return; }
  var wait = 2000;
  function tick() {
    if (!figures.hasAttribute("data-live")) { return; }
    fetch(figures.getAttribute("data-source"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html) {
          var holder = document.createElement("template");
          holder.innerHTML = html.trim();
          var fresh = holder.content.querySelector("[data-campaign-figures]");
          if (fresh) {
            figures.replaceWith(fresh);
            figures = fresh;
          }
        }
        setTimeout(tick, wait);
      })
      .catch(function () { setTimeout(tick, wait * 3); });
  }
  setTimeout(tick, wait);
})();
