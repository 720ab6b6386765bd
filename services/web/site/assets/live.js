// Live updates: when the feed changes, fetch this same page and swap its <main>.
// The page works fully without this file; it only saves a reload.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var status = document.getElementById("live-status");
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { credentials: "same-origin" }).then(function (r) {
      if (r.status >= 500) { return null; }
      return r.text();
    }).then(function (text) {
      if (text === null) { return; }
      var doc = new DOMParser().parseFromString(text, "text/html");
      var fresh = doc.querySelector("main"), cur = document.querySelector("main");
      if (fresh && cur && fresh.innerHTML !== cur.innerHTML) {
        cur.innerHTML = fresh.innerHTML;
        document.title = doc.title;
        if (status) { status.textContent = document.documentElement.getAttribute("data-refreshed") || ""; }
      }
    }).catch(function () {}).then(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }
  var es = new EventSource(document.documentElement.getAttribute("data-events") || "/events");
  es.addEventListener("change", refresh);
})();
