// isms: small progressive enhancements. Every page works without this script.
// - Inline edits: <select data-patch="/api/v1/..." data-field="status"> sends a PATCH
//   with the session's CSRF token when changed, and says whether it was saved.
// - Live filters: <form data-live="#target"> re-fetches the page on change and swaps
//   the target's content, keeping the URL in step.
// - Auto-submit: <select data-autosubmit> submits its form (the organization switcher).
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function say(el, text, ok) {
    var cell = el.closest("td") || el.parentNode;
    var note = cell.querySelector(".saved-note");
    if (!note) {
      note = document.createElement("span");
      note.className = "saved-note";
      note.setAttribute("role", "status");
      cell.appendChild(note);
    }
    note.textContent = text;
    note.classList.toggle("bad", !ok);
  }

  function patch(el) {
    var body = {};
    var v = el.value;
    if (el.dataset.type === "bool") { v = v === "true"; }
    if (el.dataset.type === "nullable" && v === "") { v = null; }
    body[el.dataset.field] = v;
    el.disabled = true;
    fetch(el.dataset.patch, {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok) { el.dataset.saved = el.value; say(el, "Saved", true); return; }
      return r.json().then(function (p) { throw new Error(p.detail || ("HTTP " + r.status)); },
                           function () { throw new Error("HTTP " + r.status); });
    }).catch(function (e) {
      if ("saved" in el.dataset) { el.value = el.dataset.saved; }
      say(el, "Not saved: " + e.message, false);
    }).finally(function () { el.disabled = false; });
  }

  document.querySelectorAll("[data-patch]").forEach(function (el) {
    el.dataset.saved = el.value;
    el.addEventListener("change", function () { patch(el); });
  });

  document.querySelectorAll("form[data-live]").forEach(function (form) {
    var target = document.querySelector(form.dataset.live);
    if (!target) { return; }
    var timer = null;
    function refresh() {
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) { params.delete(k); } });
      var url = form.action + (params.toString() ? "?" + params.toString() : "");
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector(form.dataset.live);
        if (fresh) {
          target.innerHTML = fresh.innerHTML;
          history.replaceState(null, "", url);
          target.querySelectorAll("[data-patch]").forEach(function (el) {
            el.dataset.saved = el.value;
            el.addEventListener("change", function () { patch(el); });
          });
        }
      });
    }
    form.addEventListener("change", refresh);
    form.addEventListener("input", function (e) {
      if (e.target.type !== "search") { return; }
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
    });
  });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
})();
