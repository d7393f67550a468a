/* Runs in <head> before the first paint: applies the saved theme and sidebar
   state so the page never flashes the wrong colours. Without a saved theme the
   CSS default (dark) applies. */
(function () {
  "use strict";
  var root = document.documentElement;
  try {
    var theme = window.localStorage.getItem("comradarr-theme");
    if (theme === "dark" || theme === "light") {
      root.setAttribute("data-theme", theme);
    }
    if (window.localStorage.getItem("comradarr-sidebar") === "collapsed") {
      root.setAttribute("data-sidebar", "collapsed");
    }
  } catch (e) {
    /* Storage blocked (privacy mode): the default theme. */
  }
})();
