// A filter that applies as soon as it is chosen (no inline handlers: the pages' CSP allows none).
document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
