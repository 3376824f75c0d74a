/* Editorial workspace: an upload progress bar fed by htmx's upload progress events, and a
   size check before a too-large file is sent. Works on any form with a
   [data-upload-progress] element; without JavaScript the form simply posts. The words come
   from the page, in its language: the form's data-too-large message; the percentage is
   formatted for the page's lang. */
(function () {
  "use strict";

  function progressOf(form) {
    return form ? form.querySelector("[data-upload-progress]") : null;
  }

  function percentText(fraction) {
    var lang = document.documentElement.lang || "en";
    try {
      // Western digits, as the server formats numbers for every locale.
      return new Intl.NumberFormat(lang + "-u-nu-latn", { style: "percent" }).format(fraction);
    } catch (error) {
      return Math.round(fraction * 100) + "%";
    }
  }

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest ? event.target.closest("form") : null;
    var box = progressOf(form);
    var detail = event.detail || {};
    if (!box || !detail.lengthComputable || !detail.total) return;
    var percent = Math.round((detail.loaded / detail.total) * 100);
    box.hidden = false;
    box.querySelector("progress").value = percent;
    box.querySelector("[data-upload-percent]").textContent = percentText(percent / 100);
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest ? event.target.closest("form") : null;
    if (!form || !form.dataset.maxBytes) return;
    var limit = Number(form.dataset.maxBytes);
    var inputs = form.querySelectorAll("input[type=file]");
    for (var i = 0; i < inputs.length; i++) {
      var files = inputs[i].files || [];
      for (var j = 0; j < files.length; j++) {
        if (files[j].size > limit) {
          event.preventDefault();
          var toast = document.getElementById("toast");
          if (toast && form.dataset.tooLarge) {
            toast.textContent = form.dataset.tooLarge;
            toast.hidden = false;
            window.setTimeout(function () { toast.hidden = true; }, 8000);
          }
          return;
        }
      }
    }
    var box = progressOf(form);
    if (box) {
      box.hidden = false;
      box.querySelector("progress").value = 0;
    }
  });
})();
