// Keyboard and screen-reader support for pages that htmx swaps in place.
(function () {
  "use strict";

  // After a boosted navigation or form post, put focus where a sighted user would look:
  // the summary of what failed, else the status message, else the main heading.
  function focusNewContent() {
    var main = document.getElementById("main");
    if (!main) {
      return;
    }
    var target = main.querySelector(".error-summary") ||
      main.querySelector(".flash") ||
      main.querySelector("h1");
    if (target) {
      if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: false });
    }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.boosted) {
      focusNewContent();
    }
  });

  // A form with data-confirm requests confirmation before a change that cannot be undone from the console.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
