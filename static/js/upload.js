/* Checkpoint: upload progress for document forms.
 *
 * Without JavaScript the form posts as a plain multipart form and the server answers with a page.
 * With it, the same form is sent by XMLHttpRequest so that a progress bar can show the percentage
 * and the speed; the server answers JSON (Accept: application/json) with where to go next, or why
 * the file was refused.
 */
(function () {
  "use strict";

  function formatBytes(bytes) {
    var units = ["bytes", "KB", "MB", "GB", "TB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (unit === 0 ? String(Math.round(value)) : value.toFixed(1)) + " " + units[unit];
  }

  function formatSeconds(seconds) {
    if (!isFinite(seconds) || seconds < 0) return "";
    if (seconds < 60) return Math.ceil(seconds) + " s left";
    return Math.ceil(seconds / 60) + " min left";
  }

  function enhance(form) {
    var progressBox = form.querySelector("[data-upload-progress]");
    var progress = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    var errorBox = form.querySelector("[data-upload-error]");
    var submit = form.querySelector("[data-upload-submit]");
    var maxBytes = Number(form.getAttribute("data-max-bytes")) || 0;
    var maxLabel = form.getAttribute("data-max-label") || "";

    function showError(message) {
      errorBox.querySelector("p").textContent = message;
      errorBox.hidden = false;
      submit.disabled = false;
      errorBox.scrollIntoView({ block: "nearest" });
    }

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return; // the plain form post does the job
      var input = form.querySelector('input[type="file"]');
      var file = input && input.files && input.files[0];
      event.preventDefault();
      errorBox.hidden = true;
      if (file && maxBytes && file.size > maxBytes) {
        showError("The file is larger than " + maxLabel + ", the most the portal accepts. Nothing was sent.");
        return;
      }

      var xhr = new XMLHttpRequest();
      var started = Date.now();
      var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.setRequestHeader("Accept", "application/json");
      if (token) xhr.setRequestHeader("X-CSRFToken", token.value);

      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.floor((e.loaded / e.total) * 100);
        var seconds = (Date.now() - started) / 1000;
        var speed = seconds > 0 ? e.loaded / seconds : 0;
        progress.value = percent;
        status.textContent =
          percent + "% · " + formatBytes(e.loaded) + " of " + formatBytes(e.total) +
          (speed ? " · " + formatBytes(speed) + "/s · " + formatSeconds((e.total - e.loaded) / speed) : "");
      });
      xhr.upload.addEventListener("load", function () {
        progress.value = 100;
        status.textContent = "Sent. Checking the file (type, archive limits, virus scan)…";
      });
      xhr.addEventListener("load", function () {
        var data = null;
        try {
          data = JSON.parse(xhr.responseText);
        } catch (ignore) {
          data = null;
        }
        if (data && data.ok && data.redirect) {
          window.location.assign(data.redirect);
          return;
        }
        progressBox.hidden = true;
        showError(data && data.error ? data.error : "The upload failed (HTTP " + xhr.status + "). Nothing was kept; try again.");
      });
      xhr.addEventListener("error", function () {
        progressBox.hidden = true;
        showError(
          "The connection was lost before the server answered. Nothing was kept. " +
            (maxLabel ? "Files larger than " + maxLabel + " are refused. " : "") +
            "Try again."
        );
      });

      progress.value = 0;
      status.textContent = "Starting…";
      progressBox.hidden = false;
      submit.disabled = true;
      xhr.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(enhance);
})();
