/* /api/v1/docs/: fetch the OpenAPI document with the pasted key and list its
   operations; GET operations without path parameters can be tried here.
   Built with textContent only: nothing from the document is parsed as HTML. */
(function () {
  "use strict";
  var form = document.getElementById("apidocs-key");
  var input = document.getElementById("apidocs-key-input");
  var status = document.getElementById("apidocs-status");
  var list = document.getElementById("apidocs-operations");
  var STORE = "comradarr-api-docs-key";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function refName(schema) {
    if (!schema) { return ""; }
    if (schema.$ref) { return schema.$ref.split("/").pop(); }
    if (schema.type === "array" && schema.items) { return refName(schema.items) + "[]"; }
    return schema.type || "object";
  }

  function fieldsTable(doc, schema) {
    var name = schema && schema.$ref ? schema.$ref.split("/").pop() : null;
    var resolved = name ? doc.components.schemas[name] : schema;
    if (!resolved || !resolved.properties) { return null; }
    var table = el("table");
    var required = resolved.required || [];
    Object.keys(resolved.properties).forEach(function (key) {
      var prop = resolved.properties[key];
      var row = el("tr");
      row.appendChild(el("td", key + (required.indexOf(key) >= 0 ? " *" : "")));
      row.appendChild(el("td", prop.enum ? prop.enum.join(" | ") : refName(prop)));
      row.appendChild(el("td", prop.description || ""));
      table.appendChild(row);
    });
    return table;
  }

  function tryButton(path, box) {
    var button = el("button", "Try it");
    button.type = "button";
    button.addEventListener("click", function () {
      box.textContent = "…";
      fetch(path, { headers: { "X-Api-Key": sessionStorage.getItem(STORE) || "" } })
        .then(function (r) { return r.text().then(function (t) { return [r.status, t]; }); })
        .then(function (pair) {
          var text = pair[1];
          try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* as sent */ }
          box.textContent = pair[0] + "\n" + text;
        })
        .catch(function (err) { box.textContent = String(err); });
    });
    return button;
  }

  function operation(doc, path, method, op) {
    var card = el("section", null, "op");
    var title = el("h2");
    title.appendChild(el("span", method.toUpperCase(), "method method-" + method));
    title.appendChild(el("code", path));
    card.appendChild(title);
    if (op.summary || op.description) { card.appendChild(el("p", op.summary || op.description)); }
    var params = op.parameters || [];
    if (params.length) {
      card.appendChild(el("h3", "Parameters"));
      var table = el("table");
      params.forEach(function (p) {
        var row = el("tr");
        row.appendChild(el("td", p.name + (p.required ? " *" : "")));
        row.appendChild(el("td", p.in));
        row.appendChild(el("td", refName(p.schema)));
        row.appendChild(el("td", p.description || ""));
        table.appendChild(row);
      });
      card.appendChild(table);
    }
    var body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
    if (body) {
      card.appendChild(el("h3", "JSON body: " + refName(body.schema)));
      var fields = fieldsTable(doc, body.schema);
      if (fields) { card.appendChild(fields); }
    }
    card.appendChild(el("p", "Responses: " + Object.keys(op.responses || {}).join(", ")));
    if (method === "get" && path.indexOf("{") < 0) {
      var box = el("pre");
      card.appendChild(tryButton(path, box));
      card.appendChild(box);
    }
    return card;
  }

  function render(doc) {
    list.textContent = "";
    Object.keys(doc.paths).sort().forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        list.appendChild(operation(doc, path, method, doc.paths[path][method]));
      });
    });
    status.className = "";
    status.textContent = doc.info.title + " " + doc.info.version + ": " +
      list.children.length + " operations";
  }

  function load() {
    var key = sessionStorage.getItem(STORE);
    if (!key) { return; }
    status.textContent = "Loading…";
    fetch(form.dataset.schemaUrl, { headers: { "X-Api-Key": key, Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error((body.error && body.error.message) || r.status); }
          return body;
        });
      })
      .then(render)
      .catch(function (err) {
        status.className = "error";
        status.textContent = "Could not load the API document: " + err.message;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem(STORE, input.value.trim());
    input.value = "";
    load();
  });
  load();
})();
