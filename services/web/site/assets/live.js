// Live updates: the stream tells the feed's version; when it differs from the version
// this page shows, fetch this same page and swap its <main>. The page works fully
// without this file; it only saves a reload. data-live on <html> says where it stands
// (open, off) for tests and the curious.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var root = document.documentElement;
  var status = document.getElementById("live-status");
  var shown = root.getAttribute("data-version") || ""; // the version <main> shows
  var wanted = "", busy = false, es = null;
  var pause = 60000; // after a refusal (the server is at its cap): 1–2 min, doubling to 16–32 min
  function refresh() {
    if (busy || wanted === shown) { return; }
    busy = true;
    var v = wanted;
    // The browser revalidates with the page's ETag: an unrelated change costs a 304.
    fetch(location.href, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { return null; }
      return r.text();
    }).then(function (text) {
      if (text === null) { return; }
      var doc = new DOMParser().parseFromString(text, "text/html");
      var fresh = doc.querySelector("main"), cur = document.querySelector("main");
      if (fresh && cur && fresh.innerHTML !== cur.innerHTML) {
        cur.innerHTML = fresh.innerHTML;
        document.title = doc.title;
        if (status) { status.textContent = root.getAttribute("data-refreshed") || ""; }
      }
      shown = v; // fetched after the event: at least as new as v
    }).catch(function () {}).then(function () {
      busy = false;
      if (wanted !== shown && wanted !== v) { refresh(); } else { root.setAttribute("data-live", "open"); }
    });
  }
  function connect() {
    es = new EventSource(root.getAttribute("data-events") || "/events");
    es.addEventListener("open", function () { pause = 60000; });
    es.addEventListener("change", function (ev) {
      wanted = String(ev.data);
      if (wanted === shown) { root.setAttribute("data-live", "open"); } else { refresh(); }
    });
    es.addEventListener("error", function () {
      if (es.readyState !== EventSource.CLOSED) { return; } // the browser reconnects by itself
      // Refused (the server is full) or gone: stop quietly; the page stays as served.
      root.setAttribute("data-live", "off");
      es.close();
      setTimeout(connect, pause * (1 + Math.random()));
      pause = Math.min(pause * 2, 16 * 60000);
    });
  }
  connect();
})();
