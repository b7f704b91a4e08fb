// Upload progress for forms marked data-upload-progress: the form is sent
// with XMLHttpRequest so the bytes sent can be shown, and the browser then
// goes where the server's answer led. Without JavaScript (or without
// XMLHttpRequest upload events) the form posts as a plain form.
(function () {
  "use strict";
  function size(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " bytes";
  }
  function bind(form) {
    var bar = form.querySelector("progress[data-upload-bar]");
    var status = form.querySelector("[data-upload-status]");
    if (!bar || !status || !window.FormData || !window.XMLHttpRequest || !("upload" in new XMLHttpRequest())) return;
    form.addEventListener("submit", function (ev) {
      if (!form.checkValidity()) return;
      ev.preventDefault();
      var data = new FormData(form);
      var xhr = new XMLHttpRequest();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      status.textContent = "Starting the upload…";
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) {
          bar.removeAttribute("value");
          status.textContent = size(e.loaded) + " sent";
          return;
        }
        bar.max = e.total;
        bar.value = e.loaded;
        status.textContent = size(e.loaded) + " of " + size(e.total) + " sent (" + Math.floor((100 * e.loaded) / e.total) + " %)";
      });
      xhr.upload.addEventListener("load", function () {
        status.textContent = "Uploaded; reading the file…";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== form.action) {
          window.location.assign(xhr.responseURL);
          return;
        }
        // A refusal comes back as the page with its message: show it.
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        document.title = doc.title;
        document.body.replaceWith(document.importNode(doc.body, true));
        window.scrollTo(0, 0);
        if (window.htmx) window.htmx.process(document.body);
        var again = document.querySelector("form[data-upload-progress]");
        if (again) bind(again);
      });
      xhr.addEventListener("error", function () {
        if (button) button.disabled = false;
        bar.hidden = true;
        status.textContent = "The upload failed (the connection was lost). Try again.";
      });
      xhr.open(form.method || "POST", form.action);
      xhr.send(data);
    });
  }
  document.querySelectorAll("form[data-upload-progress]").forEach(bind);
})();
