// Live updates. The stream tells the feed's version ("change") and, when exactly one
// bulletin changed, which one and how ("bulletin", just before). On the first page of
// a list, the page then fetches that one article (/{lang}/article/{id}) and inserts,
// replaces or removes it; anywhere else, or when it cannot be sure (several changes,
// an older page, a page boundary that moves), it fetches this same page and swaps its
// <main>. The page works fully without this file; it only saves a reload. data-live on
// <html> says where it stands (open, off) for tests and the curious.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var root = document.documentElement;
  var status = document.getElementById("live-status");
  var shown = root.getAttribute("data-version") || ""; // the version <main> shows
  var articles = root.getAttribute("data-articles"); // set on a list's first page only
  var size = Number(root.getAttribute("data-page-size")) || 0;
  var total = Number(root.getAttribute("data-total")) || 0; // bulletins the list holds in all
  var wanted = "", busy = false, es = null, told = null;
  var pause = 60000; // after a refusal (the server is at its cap): 1–2 min, doubling to 16–32 min
  function done(v, changed) {
    shown = v;
    if (changed && status) { status.textContent = root.getAttribute("data-refreshed") || ""; }
  }
  function settle(v) {
    busy = false;
    if (wanted !== shown && wanted !== v) { refresh(null); } else { root.setAttribute("data-live", "open"); }
  }
  function refresh(c) {
    if (busy || wanted === shown) { return; }
    busy = true;
    var v = wanted;
    if (c && articles && c.v === v && c.from === shown) { patch(c, v); return; }
    // The browser revalidates with the page's ETag: an unrelated change costs a 304.
    fetch(location.href, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { return null; }
      return r.text();
    }).then(function (text) {
      if (text === null) { return; }
      var doc = new DOMParser().parseFromString(text, "text/html");
      var fresh = doc.querySelector("main"), cur = document.querySelector("main");
      var changed = !!(fresh && cur && fresh.innerHTML !== cur.innerHTML);
      if (changed) {
        cur.innerHTML = fresh.innerHTML;
        document.title = doc.title;
      }
      total = Number(doc.documentElement.getAttribute("data-total")) || 0;
      done(v, changed); // fetched after the event: at least as new as v
    }).catch(function () {}).then(function () { settle(v); });
  }
  // order sorts articles as the server does: urgent first, then newest, then by id.
  function order(a, b) {
    var ua = a.classList.contains("urgent"), ub = b.classList.contains("urgent");
    if (ua !== ub) { return ua ? -1 : 1; }
    var pa = a.getAttribute("data-sort"), pb = b.getAttribute("data-sort"); // 20 digits: text order is time order
    if (pa !== pb) { return pa < pb ? 1 : -1; }
    var ia = a.getAttribute("data-id"), ib = b.getAttribute("data-id");
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  }
  // place puts art (null: none) where the group's article is, or in order, keeping the
  // page to its size; false when the page cannot tell (the number of pages would
  // change, or a removal would pull the next page's first article up).
  function place(group, art) {
    var main = document.querySelector("main");
    if (!main) { return false; }
    var list = main.querySelectorAll("article[data-group]");
    var paged = !!main.querySelector("nav.pages");
    var cur = null, i;
    for (i = 0; i < list.length; i++) {
      if (list[i].getAttribute("data-group") === group) { cur = list[i]; }
    }
    if (!art) {
      if (!cur) { return !paged; } // not on this page; a later page's change may shift it
      if (paged || list.length === 1) { return false; }
      cur.remove();
      total--;
      return true;
    }
    if (cur && order(art, cur) === 0 && cur.getAttribute("data-id") === art.getAttribute("data-id")) {
      cur.replaceWith(art); // same place
      return true;
    }
    if (cur) {
      if (paged) { return false; }
      cur.remove();
      total--;
    }
    if (!size || Math.ceil((total + 1) / size) !== Math.max(1, Math.ceil(total / size))) { return false; }
    list = main.querySelectorAll("article[data-group]");
    if (list.length === 0) {
      var empty = main.querySelector("p.empty");
      if (!empty) { return false; }
      empty.replaceWith(art);
    } else {
      for (i = 0; i < list.length && order(art, list[i]) >= 0; i++) { /* find its place */ }
      if (i < list.length) { list[i].before(art); } else { list[list.length - 1].after(art); }
    }
    total++;
    list = main.querySelectorAll("article[data-group]");
    if (list.length > size) { list[list.length - 1].remove(); } // now the next page's first
    return true;
  }
  function patch(c, v) {
    fetch(articles + encodeURIComponent(c.id), { credentials: "same-origin" }).then(function (r) {
      if (r.status === 204) { return ""; } // the list shows nothing of it any more
      if (!r.ok) { throw new Error("article " + r.status); }
      return r.text();
    }).then(function (html) {
      var art = null;
      if (html) {
        art = new DOMParser().parseFromString(html, "text/html").querySelector("article[data-group]");
        if (!art) { throw new Error("no article"); }
        art = document.importNode(art, true);
      }
      if (!place(c.group, art)) { throw new Error("cannot place"); }
      done(v, true);
      settle(v);
    }).catch(function () {
      busy = false;
      refresh(null); // the whole page, as without a "bulletin" event
    });
  }
  function connect() {
    es = new EventSource(root.getAttribute("data-events") || "/events");
    es.addEventListener("open", function () { pause = 60000; });
    es.addEventListener("bulletin", function (ev) {
      try { told = JSON.parse(ev.data); } catch (e) { told = null; }
    });
    es.addEventListener("change", function (ev) {
      var c = told;
      told = null;
      wanted = String(ev.data);
      if (wanted === shown) { root.setAttribute("data-live", "open"); } else { refresh(c); }
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
