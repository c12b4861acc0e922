/* Background job progress bars (templates/jobs/_progress.html).
 *
 * Every element with data-job-status-url is polled until its job is finished, then the page
 * reloads (or goes to data-job-done-url). No inline script is needed, and the bar's width is
 * set through the CSSOM, which a strict Content-Security-Policy allows.
 */
(function () {
  "use strict";

  var BASE_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;

  function show(root, percent, text) {
    var bar = root.querySelector("[data-job-bar]");
    var track = root.querySelector("[data-job-track]");
    var label = root.querySelector("[data-job-text]");
    var value = Math.max(0, Math.min(100, Number(percent) || 0));
    if (bar) {
      bar.style.width = value + "%";
      bar.textContent = value + " %";
    }
    if (track) {
      track.setAttribute("aria-valuenow", String(value));
    }
    if (label && text) {
      label.textContent = text;
    }
  }

  function finish(root) {
    var doneUrl = root.getAttribute("data-job-done-url");
    if (doneUrl) {
      window.location.assign(doneUrl);
    } else {
      window.location.reload();
    }
  }

  function follow(root) {
    var url = root.getAttribute("data-job-status-url");
    var failures = 0;
    show(root, root.getAttribute("data-job-percent"), null);
    if (root.getAttribute("data-job-finished") === "true") {
      return;
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          show(root, data.percent, data.text);
          if (data.finished) {
            finish(root);
          } else {
            window.setTimeout(poll, BASE_DELAY_MS);
          }
        })
        .catch(function () {
          failures += 1;
          window.setTimeout(poll, Math.min(BASE_DELAY_MS * Math.pow(2, failures), MAX_DELAY_MS));
        });
    }

    window.setTimeout(poll, BASE_DELAY_MS);
  }

  function start() {
    var roots = document.querySelectorAll("[data-job-status-url]");
    Array.prototype.forEach.call(roots, follow);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
