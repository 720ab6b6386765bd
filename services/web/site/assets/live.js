// Live updates. The stream tells the feed's version ("change") and, when exactly one
// bulletin changed, which one and how ("bulletin", just before). On the first page of
// a list, whose stream is in its language, that event carries the article itself (or
// says to remove it), and the page inserts, replaces or removes it with no request;
// an article too large to carry is fetched alone (/{lang}/article/{id}). Anywhere
// else, or when it cannot be sure (several changes, an older page, a page boundary
// that moves, unless the event brings the new page links), it fetches this same page
// and swaps its <main>. The page works fully without this file; it only saves a
// reload. data-live on <html> says where it stands (open, off) for tests and the curious.
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
  // change and the event brought no page links for a list of want bulletins, or a
  // removal would pull the next page's first article up).
  function place(group, art, links, want) {
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
    if (!size) { return false; }
    var grows = Math.ceil((total + 1) / size) !== Math.max(1, Math.ceil(total / size));
    if (grows && !(links && want === total + 1)) { return false; }
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
    if (grows) {
      var old = main.querySelector("nav.pages");
      if (old) { old.replaceWith(links); } else { main.querySelectorAll("article[data-group]")[size - 1].after(links); }
    }
    return true;
  }
  // article is what the list now shows of c's group: the event's own copy (c.article,
  // or "" when c.remove), else the one fetched from the server ("" on a 204).
  function article(c) {
    if (c.remove) { return Promise.resolve(""); }
    if (typeof c.article === "string" && c.article) { return Promise.resolve(c.article); }
    return fetch(articles + encodeURIComponent(c.id), { credentials: "same-origin" }).then(function (r) {
      if (r.status === 204) { return ""; } // the list shows nothing of it any more
      if (!r.ok) { throw new Error("article " + r.status); }
      return r.text();
    });
  }
  function patch(c, v) {
    article(c).then(function (html) {
      var art = null;
      if (html) {
        // Parsed inert (no script runs, nothing loads), then only its <article> is taken.
        art = new DOMParser().parseFromString(html, "text/html").querySelector("article[data-group]");
        if (!art || art.getAttribute("data-group") !== c.group) { throw new Error("no article"); }
        art = document.importNode(art, true);
      }
      var links = null;
      if (typeof c.pages === "string" && c.pages) {
        links = new DOMParser().parseFromString(c.pages, "text/html").querySelector("nav.pages");
        if (links) { links = document.importNode(links, true); }
      }
      if (!place(c.group, art, links, c.total)) { throw new Error("cannot place"); }
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
