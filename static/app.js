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
  var done = function () { button.textContent = button.getAttribute("data-copied") || "✓"; };
  if (navigator.clipboard) { navigator.clipboard.writeText(source.value).then(done, done); }
  else { document.execCommand("copy"); done(); }
});
