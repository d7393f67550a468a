/* Live regions: the parts of a page htmx polls or loads (the queue, a sync card, the log tail...).
 * Done once here for every page, so no template carries code of its own (the CSP forbids it):
 *
 *   loading  the region a request will swap is aria-busy while the request runs; app.css dims
 *            its last content when that takes longer than a moment (quick polls never flicker).
 *   error    a failed request (HTTP error, network down, signed out) leaves the region's last
 *            content in place and adds one small notice (role=status) saying so; the next
 *            successful request clears it (a swap replaces it, a 204 removes it here).
 *   hidden   polls skip their turn while the tab is hidden (the templates' "[!document.hidden]"
 *            filters cannot work: htmx.config.allowEval is off) and catch up when it is shown.
 */
(function () {
  "use strict";

  var NOTICE = "live-notice";
  var SIGNED_OUT = [401, 403];

  function regionOf(detail) {
    var region = detail.target || detail.elt;
    return region instanceof Element ? region : null;
  }

  function polls(elt) {
    if (!(elt instanceof Element)) return false;
    var trigger = elt.getAttribute("hx-trigger") || elt.getAttribute("data-hx-trigger") || "";
    return /(^|,)\s*every\s/.test(trigger);
  }

  /* Where the notice goes: inside the region (a swap of the region then clears it), except
     where HTML allows no paragraph: a table row takes it in its first cell, a form control
     or a table part beside itself. A region that is not drawn (the log tail's hidden row)
     has it at the top of its card. */
  function hostOf(region) {
    var host = region;
    if (region.matches("tr")) {
      host = region.cells[0] || region;
    } else if (region.matches("input, select, textarea, button, img, table, thead, tbody, tfoot")) {
      host = region.parentElement;
    }
    if (host && host.getClientRects().length === 0) {
      host = region.closest(".card") || region.parentElement;
    }
    return host;
  }

  function noticeIn(host) {
    return host ? host.querySelector(":scope > ." + NOTICE) : null;
  }

  /* A notice outside its region outlives the region's swap: it names the region's id. */
  function noticesOf(region) {
    var found = [];
    var inside = region.isConnected ? noticeIn(hostOf(region)) : null;
    if (inside) found.push(inside);
    if (region.id) {
      document.querySelectorAll("." + NOTICE + "[data-live-for]").forEach(function (notice) {
        if (notice.getAttribute("data-live-for") === region.id && found.indexOf(notice) === -1) {
          found.push(notice);
        }
      });
    }
    return found;
  }

  function describe(detail) {
    var status = detail.xhr ? detail.xhr.status : 0;
    if (SIGNED_OUT.indexOf(status) !== -1) return { signedOut: true };
    var why = status ? "HTTP " + status : "network error";
    var verb = detail.requestConfig && detail.requestConfig.verb;
    if (polls(detail.elt)) return { text: "Could not refresh (" + why + "); retrying…" };
    if (!verb || verb === "get") return { text: "Could not load (" + why + "). Reload the page to try again." };
    return { text: "Could not send (" + why + "). Try again in a moment." };
  }

  function show(region, detail) {
    var host = hostOf(region);
    if (!host) return;
    var what = describe(detail);
    var key = what.signedOut ? "signed-out" : what.text;
    var notice = noticesOf(region)[0] || null;
    if (notice && notice.getAttribute("data-said") === key) return; /* said already: no repeat */
    if (!notice) {
      var inline = window.getComputedStyle(host).display.indexOf("inline") === 0;
      notice = document.createElement(inline ? "span" : "p");
      notice.className = NOTICE;
      notice.setAttribute("role", "status");
      if (region.id) notice.setAttribute("data-live-for", region.id);
      host.insertBefore(notice, host.firstChild);
    }
    notice.setAttribute("data-said", key);
    /* Filled a moment after the empty status element is in place, so screen readers announce it. */
    window.setTimeout(function () {
      notice.textContent = "";
      if (what.signedOut) {
        notice.appendChild(document.createTextNode("Signed out — "));
        var link = document.createElement("a");
        link.href = window.location.href;
        link.textContent = "reload to sign in";
        notice.appendChild(link);
      } else {
        notice.textContent = what.text;
      }
    }, 50);
  }

  function clear(region) {
    noticesOf(region).forEach(function (notice) {
      notice.remove();
    });
  }

  document.addEventListener("htmx:confirm", function (event) {
    if (document.hidden && polls(event.detail.elt)) event.preventDefault();
  });

  document.addEventListener("htmx:beforeSend", function (event) {
    var region = regionOf(event.detail);
    if (region) region.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var region = regionOf(event.detail);
    if (!region) return;
    region.removeAttribute("aria-busy");
    if (event.detail.successful) clear(region);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var region = regionOf(event.detail);
    if (region) show(region, event.detail);
  });

  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var region = regionOf(event.detail);
      if (region) show(region, event.detail);
    });
  });
})();
