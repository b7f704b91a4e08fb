// The new connector form shows the fields marked data-provider-only only
// while that ERP is chosen; hidden, they are disabled and not sent.
// Without JavaScript every field shows, labelled with the ERP it is for.
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    var provider = form.querySelector("select[name=provider]");
    if (!provider) return;
    var groups = form.querySelectorAll("fieldset[data-provider-only]");
    function apply() {
      groups.forEach(function (g) {
        var on = g.getAttribute("data-provider-only") === provider.value;
        g.hidden = !on;
        g.disabled = !on;
      });
    }
    provider.addEventListener("change", apply);
    apply();
  });
})();
