/* The analytics page: draws each [data-chart] with uPlot from its JSON endpoint, offers a
 * table view of the same numbers, redraws on theme change and resize. No inline script:
 * everything is wired here from data- attributes (strict CSP). */
(function () {
  "use strict";

  var plots = [];

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    return ["--accent", "--success", "--warning", "--danger", "--offline", "--info", "--text-muted"]
      .map(function (name) { return cssVar(name, "#3b7cf0"); });
  }

  function hasData(json) {
    return json.rows.some(function (row) {
      return row.slice(1).some(function (v) { return v !== null && v !== 0; });
    });
  }

  function formatTime(seconds, json) {
    var options = { timeZone: json.timezone, year: "numeric", month: "2-digit", day: "2-digit" };
    if (json.unit === "hour") { options.hour = "2-digit"; options.minute = "2-digit"; }
    return new Intl.DateTimeFormat(undefined, options).format(new Date(seconds * 1000));
  }

  function buildTable(container, json) {
    var table = document.createElement("table");
    table.className = "table table-compact";
    var head = table.createTHead().insertRow();
    json.columns.forEach(function (col) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = col === "time" ? "Time" : col;
      head.appendChild(th);
    });
    var body = table.createTBody();
    if (!json.rows.length) {
      var cell = body.insertRow().insertCell();
      cell.colSpan = json.columns.length;
      cell.textContent = "No data yet.";
    }
    json.rows.forEach(function (row) {
      var tr = body.insertRow();
      row.forEach(function (value, i) {
        var td = tr.insertCell();
        td.textContent = i === 0 ? formatTime(value, json) : (value === null ? "—" : String(value));
        if (i > 0) { td.className = "num"; }
      });
    });
    container.replaceChildren(table);
  }

  function options(el, json) {
    var colours = palette();
    var text = cssVar("--text-muted", "#5d6878");
    var grid = cssVar("--border", "#e0e4ea");
    var usesPercent = json.kinds.indexOf("percent") >= 0;
    var onlyPercent = json.kinds.every(function (k) { return k === "percent"; });
    var series = [{}].concat(json.columns.slice(1).map(function (label, i) {
      var percent = json.kinds[i] === "percent";
      return {
        label: label,
        stroke: colours[i % colours.length],
        width: 2,
        scale: percent ? "%" : "n",
        spanGaps: false,
        points: { show: json.rows.length < 60 }
      };
    }));
    var axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    var axes = [axis];
    if (!onlyPercent) { axes.push(Object.assign({ scale: "n" }, axis)); }
    if (usesPercent) {
      axes.push(Object.assign({}, axis, {
        scale: "%", side: onlyPercent ? 3 : 1, grid: { show: onlyPercent, stroke: grid },
        values: function (u, ticks) { return ticks.map(function (t) { return t + "%"; }); }
      }));
    }
    return {
      width: Math.max(el.clientWidth, 280),
      height: 240,
      series: series,
      axes: axes,
      scales: { x: { time: true }, "%": { range: [0, 100] } },
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), json.timezone); },
      legend: { live: true }
    };
  }

  function draw(card) {
    var el = card.querySelector("[data-chart]");
    var json = card._chartData;
    if (card._plot) { card._plot.destroy(); card._plot = null; }
    el.replaceChildren();
    if (!json || !hasData(json)) { return; }
    var columns = json.columns.map(function (_, i) {
      return json.rows.map(function (row) { return row[i]; });
    });
    card._plot = new window.uPlot(options(el, json), columns, el);
  }

  function load(card) {
    var el = card.querySelector("[data-chart]");
    var empty = card.querySelector("[data-chart-empty]");
    var error = card.querySelector("[data-chart-error]");
    fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) { throw new Error(json.error || response.statusText); }
          return json;
        });
      })
      .then(function (json) {
        card._chartData = json;
        buildTable(card.querySelector("[data-chart-table]"), json);
        empty.hidden = hasData(json);
        el.hidden = !hasData(json);
        card.dataset.state = hasData(json) ? "drawn" : "empty";
        draw(card);
      })
      .catch(function (err) {
        error.textContent = "Could not load this chart: " + err.message;
        error.hidden = false;
        el.hidden = true;
        card.dataset.state = "error";
      });
  }

  function toggleTable(button) {
    var card = button.closest("[data-chart-card]");
    var table = card.querySelector("[data-chart-table]");
    var show = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", show ? "true" : "false");
    button.textContent = show ? "Chart" : "Table";
    table.hidden = !show;
    var hasRows = card._chartData && hasData(card._chartData);
    card.querySelector("[data-chart]").hidden = show || !hasRows;
    card.querySelector("[data-chart-empty]").hidden = show || !!hasRows;
  }

  function init() {
    var cards = Array.prototype.slice.call(document.querySelectorAll("[data-chart-card]"));
    plots = cards;
    cards.forEach(load);
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-table-toggle]");
      if (button) { toggleTable(button); }
    });
    document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
    // The theme toggle sets html[data-theme]: redraw with the new colours.
    new MutationObserver(function () { plots.forEach(draw); })
      .observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { plots.forEach(draw); }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
