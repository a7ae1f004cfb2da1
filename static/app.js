// Beian Desk: the few behaviours htmx does not cover. No inline scripts (CSP: script-src 'self').
document.addEventListener("htmx:xhr:progress", function (event) {
  // Upload progress: the <progress> inside the uploading form.
  var bar = event.target.querySelector && event.target.querySelector("progress");
  if (bar && event.detail.lengthComputable) {
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  }
});
document.addEventListener("htmx:afterRequest", function (event) {
  var bar = event.target.querySelector && event.target.querySelector("progress");
  if (bar) { bar.hidden = true; bar.value = 0; }
});
document.addEventListener("click", function (event) {
  // "Copy" buttons: copy the text of the element named by data-copy.
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.querySelector(button.getAttribute("data-copy"));
  if (!source) return;
  source.select();
  var label = button.getAttribute("data-label") || button.textContent;
  button.setAttribute("data-label", label);
  var done = function () {
    button.textContent = button.getAttribute("data-copied") || "✓";
    button.classList.add("copied");
    setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 2500);
  };
  var copied = false;
  try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
  if (copied) { done(); return; }
  var failed = function () {  // the text stays selected for the user to copy
    button.textContent = button.getAttribute("data-copy-failed") || label;
  };
  if (navigator.clipboard) { navigator.clipboard.writeText(source.value).then(done, failed); }
  else { failed(); }
});

// Wizard steps (form[data-unsaved]): typing that was not saved yet is not lost by leaving the page
// without a word. Submitting the form saves it; so does an htmx button in it (it posts the whole
// form: add or remove a website). A field check (htmx on the field itself) saves nothing.
(function () {
  var dirty = null;
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-unsaved]");
    if (form) dirty = form;
  });
  document.addEventListener("submit", function (event) {
    if (event.target === dirty) dirty = null;
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (dirty && elt && elt.tagName === "BUTTON" && dirty.contains(elt)) dirty = null;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && document.contains(dirty)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();

// The review screen's decision form: the reasons and the receipt number belong to some actions
// only (data-for-actions, from the workflow); they show once such an action is chosen.
(function () {
  function sync(select) {
    if (!select.form) return;
    select.form.querySelectorAll("[data-for-actions]").forEach(function (part) {
      part.hidden = part.getAttribute("data-for-actions").split(" ").indexOf(select.value) < 0;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[name=action]")) sync(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[name=action]").forEach(sync);
  });
})();

// The reason picker: a row's reasons for its chosen field first (data-field-reasons on the
// fieldset, from the rulebook), the others after them; the whole filing keeps one list.
(function () {
  function sync(fieldSelect) {
    var fieldset = fieldSelect.closest("[data-field-reasons]");
    var row = fieldSelect.closest(".reason-row");
    var codeSelect = row && row.querySelector("[data-reason-code]");
    if (!fieldset || !codeSelect) return;
    if (!codeSelect._options) codeSelect._options = Array.prototype.slice.call(codeSelect.options);
    var wanted = JSON.parse(fieldset.getAttribute("data-field-reasons"))[fieldSelect.value];
    var chosen = codeSelect.value;
    codeSelect.textContent = "";
    var all = codeSelect._options;
    if (!wanted || wanted.length >= all.length - 1) {
      all.forEach(function (option) { codeSelect.appendChild(option); });
    } else {
      var first = document.createElement("optgroup");
      first.label = fieldset.getAttribute("data-first-label");
      var rest = document.createElement("optgroup");
      rest.label = fieldset.getAttribute("data-rest-label");
      codeSelect.appendChild(all[0]);  // "—": no reason
      wanted.forEach(function (code) {
        all.forEach(function (option) { if (option.value === code) first.appendChild(option); });
      });
      all.slice(1).forEach(function (option) {
        if (wanted.indexOf(option.value) < 0) rest.appendChild(option);
      });
      codeSelect.appendChild(first);
      codeSelect.appendChild(rest);
    }
    codeSelect.value = chosen;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-reason-field]")) sync(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-reason-field]").forEach(sync);
  });
})();

// The SMS page's resend button: the server renders it disabled with the seconds left
// (data-resend-seconds); count down from there and enable it at zero. The server still refuses
// an early resend. The deadline, not the tick count, decides: timers sleep in background tabs.
(function () {
  function countDown(button) {
    var deadline = Date.now() + Number(button.getAttribute("data-resend-seconds")) * 1000;
    var tick = function () {
      var left = Math.ceil((deadline - Date.now()) / 1000);
      if (left > 0) {
        button.textContent = button.getAttribute("data-resend-wait").replace("{seconds}", left);
        return;
      }
      clearInterval(timer);
      button.textContent = button.getAttribute("data-resend-ready");
      button.disabled = false;
    };
    var timer = setInterval(tick, 1000);
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-resend-seconds]").forEach(countDown);
  });
})();

// Forms marked data-once (the SMS code): the first submit disables its buttons, so a double click
// sends one request (the server also answers a repeated right code as the first: success). Done
// after the submit event, so the clicked button's name and value still go with the form.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-once]")) return;
  setTimeout(function () {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  }, 0);
});

// A field's check answers for the value it was sent. Where the box has changed since (typed on,
// or filled by the address picker while the check was on its way), that answer would put the old
// value back: it is dropped, and the newer value's own check (its change event) answers instead.
document.addEventListener("htmx:beforeSwap", function (event) {
  var field = event.detail.target;
  var sent = event.detail.requestConfig && event.detail.requestConfig.formData;
  if (!sent || !field || !field.matches || !field.matches(".field[hx-post]")) return;
  var box = field.querySelector("input[name]:not([type=checkbox]):not([type=radio]):not([type=file]), textarea[name], select[name]");
  if (box && sent.has(box.name) && sent.get(box.name) !== box.value) event.detail.shouldSwap = false;
});

// The address picker (省/市/区) beside an address box (data-place-for: the box's id). It is drawn
// hidden, so that without scripts the box is typed as ever; shown here. On each choice htmx draws
// it again with the address to put in the box (data-address: the chosen places in front of what
// was typed after the places it started with); the box's own field check then runs on it. Where
// the form has the subject's province (主体所在省份, a 首次备案), the picked province goes there
// first, so that the address is checked against it (data-province-when: "differs" sets it
// whenever it differs, "empty" only when none is chosen yet).
(function () {
  function setProvince(picker, box) {
    var province = picker.getAttribute("data-province");
    var select = box.form && box.form.querySelector("select[name=province]");
    if (!province || !select || select.value === province) return;
    if (select.value && picker.getAttribute("data-province-when") !== "differs") return;
    select.value = province;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function show(root) {
    if (!root.querySelectorAll) return;
    var pickers = root.matches && root.matches("[data-place-for]") ? [root] : [];
    root.querySelectorAll("[data-place-for]").forEach(function (picker) { pickers.push(picker); });
    pickers.forEach(function (picker) { picker.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { show(document); });
  document.addEventListener("htmx:load", function (event) {
    var picker = event.detail.elt;
    show(picker);
    if (!picker.matches || !picker.matches("[data-place-for][data-address]")) return;
    var box = document.getElementById(picker.getAttribute("data-place-for"));
    var address = picker.getAttribute("data-address");
    if (!box) return;
    setProvince(picker, box);
    if (box.value === address) return;
    box.value = address;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
