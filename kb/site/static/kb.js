/* kb: figure provenance on hover, the sortable ledger, and the concept graph. No network. */
(function () {
  "use strict";

  function tooltips() {
    var tip = null;
    function show(event) {
      var figure = event.currentTarget;
      hide();
      tip = document.createElement("div");
      tip.className = "kb-tooltip";
      tip.setAttribute("role", "tooltip");
      tip.textContent = figure.getAttribute("data-kb-title") || "";
      document.body.appendChild(tip);
      var box = figure.getBoundingClientRect();
      tip.style.left = Math.max(8, window.scrollX + box.left) + "px";
      tip.style.top = window.scrollY + box.bottom + 6 + "px";
    }
    function hide() { if (tip) { tip.remove(); tip = null; } }
    document.querySelectorAll(".kb-figure").forEach(function (figure) {
      figure.setAttribute("data-kb-title", figure.getAttribute("title") || "");
      figure.removeAttribute("title");  /* the custom tooltip replaces the browser's */
      figure.addEventListener("mouseenter", show);
      figure.addEventListener("focus", show);
      figure.addEventListener("mouseleave", hide);
      figure.addEventListener("blur", hide);
    });
  }

  function sortableTables() {
    document.querySelectorAll("table[data-kb-sortable]").forEach(function (table) {
      table.querySelectorAll("th").forEach(function (th, column) {
        th.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[column], y = b.cells[column];
            var p = x.getAttribute("data-sort") || x.textContent, q = y.getAttribute("data-sort") || y.textContent;
            return (p < q ? -1 : p > q ? 1 : 0) * (ascending ? 1 : -1);
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    });
  }

  function graph() {
    var container = document.getElementById("kb-graph");
    if (!container || typeof cytoscape === "undefined") { return; }
    var source = new URL(container.getAttribute("data-src"), window.location.href);
    fetch(source).then(function (r) { return r.json(); }).then(function (data) {
      var large = data.nodes.length > 800;
      var elements = data.nodes.map(function (n) {
        return { group: "nodes", data: { id: n.id, label: n.label, url: n.url, trust: n.trust || "", status: n.status || "",
          tags: n.tags, degree: n.degree, generality: n.generality || 0, difficulty: n.difficulty || "" },
          position: { x: n.x, y: n.y } };
      }).concat(data.edges.map(function (e, i) {
        return { group: "edges", data: { id: "e" + i, source: e.source, target: e.target, type: e.type } };
      }));
      var css = getComputedStyle(document.body);
      var fg = css.getPropertyValue("--md-default-fg-color").trim() || "#333";
      var accent = css.getPropertyValue("--md-accent-fg-color").trim() || "#526cfe";
      var cy = cytoscape({
        container: container, elements: elements, layout: { name: "preset", fit: true, padding: 30 },
        minZoom: 0.05, maxZoom: 6,
        textureOnViewport: large, hideEdgesOnViewport: large, motionBlur: false, pixelRatio: 1,
        style: [
          { selector: "node", style: { "background-color": accent, "width": "mapData(generality, 0, 1000, 8, 30)",
            "height": "mapData(generality, 0, 1000, 8, 30)", "label": large ? "" : "data(label)", "font-size": 9,
            "color": fg, "text-valign": "bottom", "text-margin-y": 3, "min-zoomed-font-size": 7 } },
          { selector: "node[trust = 'A']", style: { "background-color": "#2e9e50" } },
          { selector: "node[trust = 'D']", style: { "background-color": "#d04a3f" } },
          { selector: "edge", style: { "width": 1, "line-color": "#9aa0a6", "opacity": 0.6, "curve-style": "haystack" } },
          { selector: "edge[type != 'link']", style: { "line-style": "dashed" } },
          { selector: ".faded", style: { "opacity": 0.12 } },
          { selector: "node.focus", style: { "label": "data(label)", "border-width": 3, "border-color": fg, "z-index": 10 } },
          { selector: "node.near", style: { "label": "data(label)", "z-index": 9 } },
          { selector: ".hidden", style: { "display": "none" } }
        ]
      });
      window.kbGraph = cy;
      var info = document.getElementById("kb-graph-info");
      var count = document.getElementById("kb-graph-count");
      cy.on("mouseover", "node", function (event) {
        var node = event.target, near = node.closedNeighborhood();
        cy.elements().addClass("faded");
        near.removeClass("faded");
        near.nodes().addClass("near");
        node.addClass("focus");
        info.textContent = node.data("label") + " · generality " + node.data("generality") + " · " +
          (near.nodes().length - 1) + " linked pages · click to open";
      });
      cy.on("mouseout", "node", function () {
        cy.elements().removeClass("faded near focus");
        info.textContent = "";
      });
      cy.on("tap", "node", function (event) {
        window.location.href = new URL(event.target.data("url"), source).href;
      });
      function fill(id, values) {
        var select = document.getElementById(id);
        values.filter(function (v, i) { return v && values.indexOf(v) === i; }).sort().forEach(function (v) {
          var option = document.createElement("option");
          option.value = v; option.textContent = v;
          select.appendChild(option);
        });
        select.addEventListener("change", filter);
      }
      fill("kb-filter-tag", [].concat.apply([], data.nodes.map(function (n) { return n.tags; })));
      fill("kb-filter-trust", data.nodes.map(function (n) { return n.trust; }));
      fill("kb-filter-status", data.nodes.map(function (n) { return n.status; }));
      fill("kb-filter-difficulty", data.nodes.map(function (n) { return n.difficulty; }));
      document.getElementById("kb-filter-generality").addEventListener("change", filter);
      var find = document.getElementById("kb-graph-find");
      find.addEventListener("input", filter);
      function filter() {
        var tag = document.getElementById("kb-filter-tag").value;
        var trust = document.getElementById("kb-filter-trust").value;
        var status = document.getElementById("kb-filter-status").value;
        var difficulty = document.getElementById("kb-filter-difficulty").value;
        var general = Number(document.getElementById("kb-filter-generality").value || 0);
        var text = find.value.trim().toLowerCase();
        var shown = 0;
        cy.batch(function () {
          cy.nodes().forEach(function (node) {
            var ok = (!tag || node.data("tags").indexOf(tag) >= 0) && (!trust || node.data("trust") === trust) &&
              (!status || node.data("status") === status) && (!difficulty || node.data("difficulty") === difficulty) &&
              node.data("generality") >= general && (!text || node.data("label").toLowerCase().indexOf(text) >= 0);
            node.toggleClass("hidden", !ok);
            if (ok) { shown += 1; }
          });
        });
        count.textContent = shown + " of " + data.nodes.length + " pages";
      }
      filter();
    });
  }

  function start() { tooltips(); sortableTables(); graph(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
