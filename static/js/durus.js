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
