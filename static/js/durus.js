// Durus: small enhancements on top of htmx. No inline code anywhere (strict CSP).
(function () {
  "use strict";

  // An htmx request that failed: show the server's short message (the error fragment)
  // in the polite status region instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var toast = document.getElementById("toast");
    if (!toast) return;
    var holder = document.createElement("div");
    holder.innerHTML = event.detail.xhr.responseText || "";
    var message = holder.querySelector(".error-message");
    toast.textContent = message ? message.textContent : "Something went wrong. Please try again.";
    toast.hidden = false;
    window.setTimeout(function () { toast.hidden = true; }, 8000);
  });

  // "Copy feed link": copy data-copy; without clipboard access (plain http) select the field.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var section = button.closest(".feed-link");
    var field = section && section.querySelector("input");
    var toast = document.getElementById("toast");
    function say(message) {
      if (!toast) return;
      toast.textContent = message;
      toast.hidden = false;
      window.setTimeout(function () { toast.hidden = true; }, 4000);
    }
    function selectField() {
      if (field) { field.focus(); field.select(); }
      say("Press Ctrl+C (⌘C) to copy the feed link.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(button.getAttribute("data-copy"))
        .then(function () { say("Feed link copied."); }, selectField);
    } else {
      selectField();
    }
  });

  // The header is outside the swapped region: mark the current section's link again.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    var links = document.querySelectorAll(".site-nav a");
    links.forEach(function (link) {
      if (link.pathname === window.location.pathname) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
  });

  // After boosted navigation swaps the main region, move focus to it so keyboard and
  // screen-reader users start at the new content.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "content") {
      target.focus({ preventScroll: true });
    }
  });
})();

// "More" buttons append the next page in place: move focus to its first new row so
// keyboard users continue from where the list grew.
document.addEventListener("htmx:afterSettle", function (event) {
  var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!trigger || !trigger.classList || !trigger.classList.contains("more-link")) return;
  var starts = document.querySelectorAll("[data-page-start]");
  if (starts.length) starts[starts.length - 1].focus();
});
