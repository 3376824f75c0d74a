// Durus: small enhancements on top of htmx. No inline code anywhere (strict CSP).
(function () {
  "use strict";

  // Messages come from the page (translated by the server); English only as a last resort.
  function text(element, attribute, fallback) {
    return (element && element.getAttribute(attribute)) || fallback;
  }

  var toastTimer = null;
  function say(message, milliseconds) {
    var toast = document.getElementById("toast");
    if (!toast) return;
    toast.textContent = message;
    toast.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () { toast.hidden = true; }, milliseconds);
  }

  // An htmx request that failed: show the server's short message (the error fragment)
  // in the polite status region instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var holder = document.createElement("div");
    holder.innerHTML = event.detail.xhr.responseText || "";
    var message = holder.querySelector(".error-message");
    say(message ? message.textContent : text(document.getElementById("toast"), "data-error-message",
      "Something went wrong. Please try again."), 8000);
  });

  // "Copy feed link": copy data-copy; without clipboard access (plain http) select the field.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var section = button.closest(".feed-link");
    var field = section && section.querySelector("input");
    function selectField() {
      if (field) { field.focus(); field.select(); }
      say(text(button, "data-copy-hint", "Press Ctrl+C (⌘C) to copy the feed link."), 4000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(button.getAttribute("data-copy"))
        .then(function () { say(text(button, "data-copied", "Feed link copied."), 4000); }, selectField);
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

  // ---- Focus after htmx swaps -------------------------------------------------------------
  // Keyboard and screen-reader users must not be dropped at the top of the document when the
  // element they used is swapped away. If focus survived the swap (the search field as one
  // types, a button outside the region) it stays, and a swap nobody asked for (focus was on
  // nothing) moves nothing. Otherwise: after a swap of #content (boosted navigation) its <h1>,
  // else #content itself; after a fragment swap the region's heading, else its first control,
  // else the region.
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  var swapped = [];
  var pending = false;
  var hadFocus = false;
  var focusedAtRequest = new WeakMap();  // xhr → was anything focused when it was sent?

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || active === document.documentElement ||
      !active.isConnected;
  }

  function focusQuietly(element) {
    if (!element.matches(FOCUSABLE) && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus({ preventScroll: true });
  }

  function landingPoint(region) {
    if (region.id === "content") return region.querySelector("h1") || region;
    var heading = region.matches("h1, h2, h3") ? region : region.querySelector("h1, h2, h3");
    if (heading) return heading;
    var control = region.matches(FOCUSABLE) ? region : region.querySelector(FOCUSABLE);
    return control || region;
  }

  function placeFocus() {
    pending = false;
    var regions = swapped.filter(function (element) { return element.isConnected; });
    swapped = [];
    if (!hadFocus || !regions.length || !focusLost()) return;
    var content = document.getElementById("content");
    var main = regions.indexOf(content) >= 0 ? content : null;
    // Out-of-band pieces (the site and account menus) are never where the user was.
    var region = main || regions.filter(function (element) {
      return element.id !== "site-nav" && element.id !== "account-nav";
    })[0];
    if (region) focusQuietly(landingPoint(region));
  }

  // Asked before the request (hx-disabled-elt may blur the pressed button while it runs).
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.xhr) focusedAtRequest.set(event.detail.xhr, !focusLost());
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!pending) hadFocus = focusedAtRequest.get(event.detail.xhr) || !focusLost();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var element = event.detail.elt;
    if (element && element.nodeType === 1) swapped.push(element);
    if (!pending) {
      pending = true;
      window.setTimeout(placeFocus, 0);  // once, after every element of this swap settled
    }
  });

  // Back and forward through htmx's history: the restored page's heading.
  document.addEventListener("htmx:historyRestore", function () {
    var content = document.getElementById("content");
    if (content) focusQuietly(landingPoint(content));
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
