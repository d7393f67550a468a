/* Content browser bulk selection: "select every row on this page" and the selected count.
 * Delegated from the document, so rows htmx swaps in work too. Without it the form still
 * works: rows are ticked one by one, or "all matching this filter" is chosen. */
(function () {
  "use strict";

  function form() {
    return document.getElementById("bulk-form");
  }

  function rows(scope) {
    return Array.prototype.slice.call(scope.querySelectorAll("input[data-bulk-row]"));
  }

  function refresh(scope) {
    var all = rows(scope);
    var ticked = all.filter(function (box) { return box.checked; }).length;
    var count = document.getElementById("bulk-selected-count");
    if (count) { count.textContent = String(ticked); }
    var head = scope.querySelector("input[data-bulk-all]");
    if (head) {
      head.checked = all.length > 0 && ticked === all.length;
      head.indeterminate = ticked > 0 && ticked < all.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var scope = form();
    if (!scope || !scope.contains(target)) { return; }
    if (target.matches("input[data-bulk-all]")) {
      rows(scope).forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("input[data-bulk-all], input[data-bulk-row]")) {
      var selected = document.getElementById("bulk-scope-selected");
      if (selected) { selected.checked = true; }
      refresh(scope);
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    var scope = form();
    if (scope) { refresh(scope); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var scope = form();
    if (scope) { refresh(scope); }
  });
})();
