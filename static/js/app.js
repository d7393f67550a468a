/* Comradarr UI shell: theme toggle, sidebar collapse, phone drawer, dismissible
   alerts, user menu, and the CSRF header on htmx requests. No framework; every
   behaviour hangs off a data-* attribute so partials swapped in by htmx work too. */
(function () {
  "use strict";

  var root = document.documentElement;
  var THEME_KEY = "comradarr-theme";
  var SIDEBAR_KEY = "comradarr-sidebar";
  var phoneQuery = window.matchMedia("(max-width: 768px)");

  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* Storage blocked: the choice lasts until the page is left. */
    }
  }

  /* Theme ---------------------------------------------------------------- */

  function currentTheme() {
    var chosen = root.getAttribute("data-theme");
    if (chosen === "dark" || chosen === "light") return chosen;
    return "dark"; /* the default: static/css/app.css says why */
  }

  function labelThemeButtons() {
    var next = currentTheme() === "dark" ? "light" : "dark";
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      var label = "Switch to " + next + " theme";
      button.setAttribute("aria-label", label);
      button.setAttribute("title", label);
    });
  }

  function toggleTheme() {
    var next = currentTheme() === "dark" ? "light" : "dark";
    /* Switch every colour at once rather than letting hover transitions lag behind. */
    root.classList.add("no-transitions");
    root.setAttribute("data-theme", next);
    window.requestAnimationFrame(function () {
      window.requestAnimationFrame(function () {
        root.classList.remove("no-transitions");
      });
    });
    store(THEME_KEY, next);
    labelThemeButtons();
  }

  /* Sidebar (desktop: collapse to icons; phone: off-canvas drawer) -------- */

  function sidebarCollapsed() {
    return root.getAttribute("data-sidebar") === "collapsed";
  }

  function labelSidebarToggle() {
    var collapsed = sidebarCollapsed();
    document.querySelectorAll("[data-sidebar-toggle]").forEach(function (button) {
      button.setAttribute("aria-expanded", collapsed ? "false" : "true");
      button.setAttribute("title", collapsed ? "Expand sidebar" : "Collapse sidebar");
      var label = button.querySelector(".nav-label");
      if (label) label.textContent = collapsed ? "Expand" : "Collapse";
    });
  }

  var animationTimer = null;

  function toggleSidebar() {
    root.classList.add("sidebar-animating");
    window.clearTimeout(animationTimer);
    animationTimer = window.setTimeout(function () {
      root.classList.remove("sidebar-animating");
    }, 300);
    if (sidebarCollapsed()) {
      root.removeAttribute("data-sidebar");
      store(SIDEBAR_KEY, "expanded");
    } else {
      root.setAttribute("data-sidebar", "collapsed");
      store(SIDEBAR_KEY, "collapsed");
    }
    labelSidebarToggle();
  }

  function setDrawer(open) {
    if (open) {
      root.setAttribute("data-drawer", "open");
    } else {
      root.removeAttribute("data-drawer");
    }
    document.querySelectorAll("[data-drawer-open]").forEach(function (button) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (open) {
      var first = document.querySelector("#sidebar .nav-link");
      if (first) first.focus({ preventScroll: true });
    }
  }

  function drawerOpen() {
    return root.getAttribute("data-drawer") === "open";
  }

  /* Events ---------------------------------------------------------------- */

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;

    if (target.closest("[data-theme-toggle]")) {
      toggleTheme();
      return;
    }
    if (target.closest("[data-sidebar-toggle]")) {
      toggleSidebar();
      return;
    }
    if (target.closest("[data-drawer-open]")) {
      setDrawer(true);
      return;
    }
    if (target.closest("[data-drawer-close]")) {
      setDrawer(false);
      return;
    }
    if (drawerOpen() && target.closest("#sidebar .nav-link")) {
      setDrawer(false);
    }

    var dismiss = target.closest("[data-dismiss]");
    if (dismiss) {
      var alert = dismiss.closest(".alert");
      if (alert) alert.remove();
      return;
    }

    /* A click outside an open user menu closes it. */
    document.querySelectorAll("details[data-user-menu][open]").forEach(function (menu) {
      if (!menu.contains(target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (drawerOpen()) {
      setDrawer(false);
      var opener = document.querySelector("[data-drawer-open]");
      if (opener) opener.focus();
    }
    document.querySelectorAll("details[data-user-menu][open]").forEach(function (menu) {
      menu.removeAttribute("open");
    });
  });

  /* Leaving phone width with the drawer open must not leave the backdrop up. */
  phoneQuery.addEventListener("change", function (event) {
    if (!event.matches) setDrawer(false);
  });


  /* htmx: every non-GET request carries Django's CSRF token. */
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && event.detail.verb !== "get") {
      event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
    }
  });

  /* Progress bars: data-pct="40" -> --pct: 40%. Set through the CSSOM, which the
     Content-Security-Policy allows, where a style="" attribute would be blocked. */
  function applyPercentages(root) {
    root.querySelectorAll("[data-pct]").forEach(function (bar) {
      var pct = parseFloat(bar.getAttribute("data-pct"));
      if (!isNaN(pct)) bar.style.setProperty("--pct", Math.max(0, Math.min(100, pct)) + "%");
    });
  }
  /* A table wider than its card scrolls sideways (phones): a keyboard reaches
     and scrolls it too (WCAG 2.1.1; axe "scrollable-region-focusable"). */
  function focusableScrollers(root) {
    root.querySelectorAll(".table-wrap:not([tabindex])").forEach(function (wrap) {
      wrap.setAttribute("tabindex", "0");
    });
  }

  document.addEventListener("htmx:load", function (event) {
    applyPercentages(event.detail.elt);
    focusableScrollers(event.detail.elt);
  });

  applyPercentages(document);
  focusableScrollers(document);
  labelThemeButtons();
  labelSidebarToggle();
})();
