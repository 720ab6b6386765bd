// pregoner editor: the little JavaScript the pages use. Everything works without it;
// it adds previews as you type, live delivery states and confirmations.
"use strict";

// The page carries its words, in the member's language (script#words): the script
// writes none of its own. fill puts a value in place of a pattern's %d or %s.
var words = (function () {
  var el = document.getElementById("words");
  try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
})();
function word(key, fallback) { return words[key] || fallback; }
function fill(pattern, v) { return pattern.replace(/%[ds]/, function () { return String(v); }); }

document.addEventListener("submit", function (ev) {
  var b = ev.submitter;
  var msg = b && b.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) ev.preventDefault();
});

// A button with data-prompt (Retract) asks its question in a dialog and posts the
// answer as the reason; without the script, its form opens the page that asks it.
document.addEventListener("submit", function (ev) {
  var b = ev.submitter, form = ev.target;
  var question = b && b.getAttribute("data-prompt");
  if (!question) return;
  ev.preventDefault();
  var reason = window.prompt(question, "");
  if (reason === null) return;
  var input = document.createElement("input");
  input.type = "hidden"; input.name = "reason"; input.value = reason;
  form.appendChild(input);
  form.method = "post";
  form.submit();
});

(function compose() {
  var form = document.getElementById("compose");
  if (!form) return;
  var timer = null, seq = 0;
  var id = document.getElementById("f-id");
  var isNew = form.elements["new"].value === "1";
  // The id follows the title (the server suggests it) until staff type one of their own.
  var idTouched = !isNew || id.readOnly || (id.value !== "" && !id.hasAttribute("data-suggested"));
  id.addEventListener("input", function () { idTouched = id.value !== ""; });
  var publishAt = document.getElementById("f-publish_at");
  var publish = document.getElementById("publish");
  function label() {
    // Scheduling says so on the button: "Programa" when a time is set.
    if (publish) publish.textContent = publish.getAttribute(publishAt.value ? "data-later" : "data-now");
  }
  publishAt.addEventListener("input", label);
  publishAt.addEventListener("change", label);
  // A live start makes the bulletin a YouTube announcement: tick YouTube, which the
  // server would otherwise refuse to publish without.
  function tickYouTube() {
    var start = document.getElementById("f-live_start");
    var yt = form.querySelector('input[name="channels"][value="youtube"]');
    if (start.value && yt && !yt.checked) yt.checked = true;
  }
  document.getElementById("f-live_start").addEventListener("input", tickYouTube);
  document.getElementById("f-live_start").addEventListener("change", tickYouTube);
  form.addEventListener("submit", function (ev) {
    // Publishing now asks first; a time set schedules, and the server confirms nothing.
    var b = ev.submitter;
    if (!b || b.id !== "publish" || publishAt.value) return;
    if (window.confirm(b.getAttribute("data-confirm-now"))) document.getElementById("f-confirmed").value = "1";
    else ev.preventDefault();
  });
  function setErrors(problems) {
    var byField = {}, others = [];
    problems.forEach(function (p) {
      if (p.field) (byField[p.field] = byField[p.field] || []).push(p.message);
      else others.push(p.message);
    });
    document.querySelectorAll(".ferr").forEach(function (el) {
      el.textContent = (byField[el.getAttribute("data-for")] || []).join(" ");
    });
    var list = document.getElementById("problems");
    list.textContent = "";
    others.forEach(function (m) { var li = document.createElement("li"); li.textContent = m; list.appendChild(li); });
    list.hidden = others.length === 0;
  }
  function show(data) {
    // The HTML comes from the server's sanitising renderers (shared/markdown, tghtml).
    document.getElementById("preview-web").innerHTML = data.web || "";
    var tg = document.getElementById("preview-telegram");
    tg.textContent = "";
    (data.telegram || []).forEach(function (m, i) {
      var box = document.createElement("div"); box.className = "tg-msg";
      var n = document.createElement("small"); n.textContent = fill(word("message", "%d"), i + 1);
      var t = document.createElement("div"); t.className = "tg-text"; t.innerHTML = m;
      box.appendChild(n); box.appendChild(t); tg.appendChild(box);
    });
    document.getElementById("tg-count").textContent = fill(word("messages", "%d"), (data.telegram || []).length);
    document.getElementById("preview-youtube").textContent = data.youtube ?
      fill(word("live", "%s"), data.youtube) : word("noLive", "");
    if (!idTouched) {
      id.value = data.suggested_id || "";
      document.getElementById("id-suggested").hidden = !data.suggested_id;
    }
    setErrors(data.problems || []);
  }
  function refresh() {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(form));
    if (!idTouched) body.set("id", ""); // ask for the title's suggestion again
    fetch("/preview", { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) throw new Error(word("sessionEnded", "401"));
        return r.json();
      })
      .then(function (data) {
        if (mine !== seq) return;
        if (data.error) throw new Error(data.error);
        show(data);
      })
      .catch(function (e) { setErrors([{ field: "", message: e.message }]); });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 50); });
})();

(function live() {
  // A page with [data-live] (the list, a bulletin) follows the bus: on a change it
  // re-reads itself and swaps its <main>, so schedules that went out, new revisions
  // and bulletins a colleague published show without a reload. Compose pages have no
  // [data-live]: what staff type is never replaced. Without the script, a reload.
  var follow = !!document.querySelector("main [data-live]");
  if ((!follow && !document.querySelector("[data-cell]")) || !window.EventSource) return;
  var es = new EventSource("/events");
  var timer = null, busy = false, again = false;
  function typing() {
    var a = document.activeElement;
    return a && a.closest("main") && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) && a.type !== "hidden";
  }
  function reread() {
    if (busy) { again = true; return; }
    if (typing()) { soon(); return; }
    busy = true;
    // The header asks the server not to count this as the member's activity.
    fetch(location.href, { credentials: "same-origin", headers: { "X-Pregoner-Live": "1" } })
      .then(function (r) {
        if (!r.ok || r.redirected) throw new Error("stop"); // session ended: the next load says so
        return r.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("main"), main = document.querySelector("main");
        if (fresh && main && fresh.querySelector("[data-live]") && !typing()) main.innerHTML = fresh.innerHTML;
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; soon(); } });
  }
  function soon() { clearTimeout(timer); timer = setTimeout(reread, 300); }
  // The session ended (logout elsewhere, expiry, account removed): stop, no reconnect.
  es.addEventListener("ended", function () { es.close(); clearTimeout(timer); });
  es.addEventListener("changed", function () { if (follow) soon(); });
  es.addEventListener("delivery", function (ev) {
    var u = JSON.parse(ev.data);
    document.querySelectorAll('[data-cell="' + CSS.escape(u.id + "." + u.channel) + '"]').forEach(function (el) {
      var holder = el.closest("[data-rev]");
      var rev = holder ? parseInt(holder.getAttribute("data-rev"), 10) : 0;
      if (u.rev < rev) return; // an older revision's record: this one is still pending
      el.className = "state s-" + u.state;
      el.title = u.advice ? u.advice + " — " + (u.error || "") : (u.error || "");
      el.textContent = u.channel + ": ";
      var b = document.createElement("b"); b.textContent = word("state." + u.state, u.state); el.appendChild(b);
    });
    if (follow) soon(); // attempts, times, the panel, revisions and new rows follow
  });
})();
