/* The portal's few behaviours, kept out of the pages so that the Content-Security-Policy
   can forbid inline script. Each is declared in the markup with a data- attribute. */
(function () {
  "use strict";

  // <button data-confirm="Question?">: the action goes ahead only when confirmed.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // <button data-print>: print the page (recovery codes).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // <form data-once>: a second click while the first submit is on its way does nothing;
  // the server's one-time token makes sure of it even without JavaScript.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-once]")) {
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
  });
})();
