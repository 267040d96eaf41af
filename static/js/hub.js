/* Chorus hub: copy buttons. Works with HTMX swaps (one delegated listener). */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.insetBlockStart = "-1000px";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      document.body.removeChild(area);
      if (copied) resolve(); else reject(new Error("copy failed"));
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var label = button.textContent;
    copyText(source.value || source.textContent).then(function () {
      button.textContent = button.getAttribute("data-copied-label") || label;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }, function () {
      source.focus();
      if (source.select) source.select();
    });
  });
})();
