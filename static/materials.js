// Beian Desk, the materials page: a file is uploaded as soon as it is picked (htmx on the form,
// hx-trigger="change"); this script makes the form's button open the file picker ("选择图片",
// "重新上传"), refuses a file over 4 MB before sending it, and shows a failed upload under the
// material's input. Without JavaScript the form and its "上传" button work as they are. The phone
// page's photo form gets a picker button too (enhancePhoto below).
// The progress bar is filled by app.js (htmx:xhr:progress).
(function () {
  var MAX_BYTES = 4 * 1024 * 1024;

  function enhance(root) {
    var forms = root.querySelectorAll ? root.querySelectorAll("form.upload-form[data-pick-label]") : [];
    forms.forEach(function (form) {
      if (form.classList.contains("picking")) return;
      var button = form.querySelector("button");
      var input = form.querySelector("input[type=file]");
      if (!button || !input) return;
      form.classList.add("picking");
      button.type = "button";
      button.textContent = form.getAttribute("data-pick-label");
      button.setAttribute("aria-label", form.getAttribute("data-pick-name"));
      input.tabIndex = -1;  // the button is the way in, for the keyboard too
    });
  }

  function showError(form, text) {
    var slot = form.closest(".slot");
    var box = slot && slot.querySelector(".slot-error");
    if (box) box.textContent = text;
  }

  function uploadForm(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.matches && elt.matches("form.upload-form") ? elt : null;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("form.upload-form.picking button");
    if (!button) return;
    event.preventDefault();
    button.form.querySelector("input[type=file]").click();
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = uploadForm(event);
    if (!form) return;
    var file = form.querySelector("input[type=file]").files[0];
    if (!file) { event.preventDefault(); return; }  // the picker was cancelled
    if (file.size > MAX_BYTES) {
      event.preventDefault();
      showError(form, form.getAttribute("data-too-big"));
      return;
    }
    showError(form, "");
  });

  function failed(event) {
    var form = uploadForm(event);
    if (!form) return;
    var tooBig = event.detail.xhr && event.detail.xhr.status === 413;
    showError(form, form.getAttribute(tooBig ? "data-too-big" : "data-failed"));
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  // The phone page (materials/phone.html): a button opens the camera in place of the browser's
  // bare file input ("Choose File / No file chosen"), says when a photo is chosen and shows it
  // before it is sent (a data: URL: the CSP allows img-src data:, not blob:); the form posts as it
  // is. A photo over 4 MB is refused before it is sent.
  function showPreview(form, file) {
    var preview = form.querySelector("img.photo-preview");
    if (!file) {
      if (preview) preview.remove();
      return;
    }
    if (!preview) {
      preview = document.createElement("img");
      preview.className = "photo-preview";
      preview.alt = form.getAttribute("data-preview-alt") || "";
      form.querySelector(".photo-pick").insertAdjacentElement("afterend", preview);
    }
    var reader = new FileReader();
    reader.onload = function () { preview.src = reader.result; };
    reader.readAsDataURL(file);
  }

  function enhancePhoto(form) {
    var input = form.querySelector("input[type=file]");
    var status = form.querySelector(".photo-status");
    if (!input || form.classList.contains("picking")) return;
    form.classList.add("picking");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary photo-pick-button";
    button.textContent = form.getAttribute("data-pick-label");
    input.insertAdjacentElement("afterend", button);
    input.classList.add("sr-only");
    input.tabIndex = -1;  // the button is the way in, for the keyboard too
    function say(text) { if (status) status.textContent = text; }
    button.addEventListener("click", function () { input.click(); });
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (file && file.size > MAX_BYTES) {
        input.value = "";
        file = null;
        say(form.getAttribute("data-too-big"));
      } else {
        say(file ? form.getAttribute("data-picked") : "");
      }
      showPreview(form, file);
      if (file) {  // a new photo: the refusal of the last one no longer applies
        var refused = form.parentElement.querySelector(".flash-bad");
        if (refused) refused.remove();
      }
      button.textContent = form.getAttribute(file ? "data-repick-label" : "data-pick-label");
    });
    input.addEventListener("invalid", function (event) {
      event.preventDefault();  // the hidden input's own bubble would point at nothing
      say(form.getAttribute("data-missing"));
      button.focus();
    });
  }

  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
  enhance(document);
  document.querySelectorAll("form.photo-form[data-pick-label]").forEach(enhancePhoto);
})();
