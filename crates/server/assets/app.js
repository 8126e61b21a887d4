// isms: small progressive enhancements. Every page works without this script.
// - Inline edits: <select data-patch="/api/v1/..." data-field="status"> offers Save and
//   Cancel once changed (arrow keys on a select never save on their own) and sends a
//   PATCH with the session's CSRF token on Save. Excluding a control asks for the
//   justification in the same step.
// - Live filters: <form data-live="#target"> re-fetches the page on change and swaps
//   the target's content, keeping the URL in step.
// - Auto-submit: <select data-autosubmit> submits its form (the organization switcher).
// - Suggestions: <input data-suggest="/url" list="id"> fills its datalist from
//   url?q=... (JSON [{value, label}]) as one types.
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

  function patch(el, extra) {
    var body = extra || {};
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

  // A changed inline control waits for Save (or Cancel); excluding asks why.
  function pending(el) {
    var cell = el.closest("td") || el.parentNode;
    var box = cell.querySelector(".confirm-edit");
    if (box) { box.remove(); }
    if (el.value === el.dataset.saved) { return; }
    box = document.createElement("span");
    box.className = "confirm-edit";
    var why = null;
    if (el.dataset.field === "applicable" && el.value === "false") {
      why = document.createElement("input");
      why.type = "text";
      why.className = "justification";
      why.placeholder = "Why it is excluded (required)";
      why.setAttribute("aria-label", "Why " + (el.getAttribute("aria-label") || "it") + " is excluded");
      box.appendChild(why);
    }
    var save = document.createElement("button");
    save.type = "button";
    save.className = "save-edit";
    save.textContent = "Save";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link cancel-edit";
    cancel.textContent = "Cancel";
    box.appendChild(save);
    box.appendChild(cancel);
    cell.appendChild(box);
    save.addEventListener("click", function () {
      var extra = {};
      if (why) {
        if (!why.value.trim()) { say(el, "Say why it is excluded first", false); why.focus(); return; }
        extra.justification = why.value.trim();
      }
      box.remove();
      patch(el, extra);
    });
    cancel.addEventListener("click", function () { el.value = el.dataset.saved; box.remove(); });
  }

  function arm(el) {
    el.dataset.saved = el.value;
    el.addEventListener("change", function () { pending(el); });
  }

  document.querySelectorAll("[data-patch]").forEach(arm);

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
          target.querySelectorAll("[data-patch]").forEach(arm);
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

  // A refused form: mark each field named in the problems and take the cursor to the
  // first, opening the section it is folded into.
  var firstBad = null;
  document.querySelectorAll(".alert li[data-field]").forEach(function (li) {
    var field = document.querySelector('form [name="' + li.dataset.field.replace(/["\\]/g, "") + '"]');
    if (!field) { return; }
    field.setAttribute("aria-invalid", "true");
    if (!field.id) { return; }
    li.setAttribute("role", "link");
    li.tabIndex = 0;
    li.addEventListener("click", function () { field.focus(); });
    if (!firstBad) { firstBad = field; }
  });
  if (firstBad) {
    var fold = firstBad.closest("details");
    if (fold) { fold.open = true; }
    firstBad.focus();
  }

  // <a data-back> returns to the page one came from, when there is one.
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    if (window.history.length > 1 && document.referrer.indexOf(window.location.origin + "/") === 0) {
      a.addEventListener("click", function (e) { e.preventDefault(); window.history.back(); });
    } else {
      a.textContent = "Go to the dashboard";
    }
  });

  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, asked = "";
    if (!list) { return; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === asked || q.indexOf(" — ") >= 0) { return; }
        asked = q;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            if (input.value.trim() !== q) { return; }
            list.textContent = "";
            items.forEach(function (it) {
              var o = document.createElement("option");
              o.value = it.value;
              o.label = it.label;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });
})();
