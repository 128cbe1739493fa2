/* kb: the concept graph page, drawn with kb's own copy of the graph library (loaded only on that
   page, no network): filters, search by title or alias, and each page's neighbourhood on focus.
   Runs on every page Material shows, instant navigation included. */
(function () {
  "use strict";

  function color(expression, fallback) {
    /* Material's colours are CSS expressions (hsla(var(--md-hue), ...)) the graph library cannot
       read: let the browser resolve them to rgb() first. */
    var probe = document.createElement("span");
    probe.style.color = expression;
    probe.style.display = "none";
    document.body.appendChild(probe);
    var resolved = getComputedStyle(probe).color;
    probe.remove();
    return resolved && resolved !== "" ? resolved : fallback;
  }

  function palette() {
    return {
      fg: color("var(--md-default-fg-color)", "rgb(30, 30, 30)"),
      bg: color("var(--md-default-bg-color)", "rgb(255, 255, 255)"),
      edge: color("var(--md-default-fg-color--light)", "rgb(120, 120, 120)"),
      accent: color("var(--md-accent-fg-color)", "rgb(82, 108, 254)"),
      a: color("var(--kb-ok)", "rgb(27, 127, 59)"), b: color("var(--kb-info)", "rgb(31, 95, 153)"),
      d: color("var(--kb-warn)", "rgb(138, 90, 0)"), bad: color("var(--kb-bad)", "rgb(179, 38, 30)")
    };
  }

  function loadLibrary(container, then) {
    if (typeof window.cytoscape !== "undefined") { then(); return; }
    var script = document.createElement("script");
    script.src = new URL(container.getAttribute("data-library"), window.location.href).href;
    script.onload = then;
    document.head.appendChild(script);
  }

  function graphStyle(colours, labels, size) {
    return [
      { selector: "node", style: { "background-color": colours.b, "width": "mapData(generality, 0, 1000, 10, 34)",
        "height": "mapData(generality, 0, 1000, 10, 34)", "label": labels, "color": colours.fg, "font-size": size,
        "text-valign": "bottom", "text-margin-y": 3, "text-outline-color": colours.bg,
        "text-outline-width": function () { return size() / 6; },
        "min-zoomed-font-size": 0 } },
      { selector: "node[trust = 'A']", style: { "background-color": colours.a } },
      { selector: "node[trust = 'D']", style: { "background-color": colours.d } },
      { selector: "node[state = 'stale']", style: { "border-width": 4, "border-color": colours.bad } },
      { selector: "edge", style: { "width": 1.2, "line-color": colours.edge, "opacity": 0.55, "curve-style": "straight",
        "target-arrow-shape": "none" } },
      { selector: "edge[type = 'prerequisite']", style: { "line-style": "dashed", "target-arrow-shape": "triangle",
        "target-arrow-color": colours.edge, "arrow-scale": 0.8 } },
      { selector: "edge[type = 'related']", style: { "line-style": "dotted", "width": 1.6 } },
      { selector: "edge[type = 'canonical'], edge[type = 'duplicate']", style: { "line-style": "dashed", "line-color": colours.bad } },
      { selector: ".faded", style: { "opacity": 0.12 } },
      { selector: "node.focus", style: { "label": "data(label)", "border-width": 3, "border-color": colours.fg, "z-index": 10 } },
      { selector: "node.near", style: { "label": "data(label)", "z-index": 9 } },
      { selector: "node.major", style: { "label": "data(label)" } },
      { selector: ".hidden", style: { "display": "none" } }
    ];
  }

  function fold(text) { return (text || "").normalize("NFC").toLowerCase(); }

  function graph() {
    var container = document.getElementById("kb-graph");
    if (!container || container.hasAttribute("data-kb-ready")) { return; }
    container.setAttribute("data-kb-ready", "");
    var source = new URL(container.getAttribute("data-src"), window.location.href);
    loadLibrary(container, function () {
      fetch(source).then(function (r) { return r.json(); }).then(function (data) { drawGraph(container, source, data); });
    });
  }

  function drawGraph(container, source, data) {
    var large = data.nodes.length > 800;
    var cy = null;
    function labelSize() { return cy ? 12 / cy.zoom() : 12; }  /* about 12 pixels on screen at any zoom */
    var narrow = container.clientWidth < 700;
    var touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
    /* Every label on a roomy screen; on a phone or a large graph only the most general pages',
       the rest appear with their neighbourhood. */
    var allLabels = !large && !narrow && data.nodes.length <= 120;
    var ranked = data.nodes.map(function (n) { return n.generality || 0; }).sort(function (a, b) { return b - a; });
    var majorFrom = ranked[Math.min(ranked.length - 1, narrow ? 7 : 24)] || 0;
    var elements = data.nodes.map(function (n) {
      return { group: "nodes", classes: (n.generality || 0) >= majorFrom ? "major" : "",
        data: { id: n.id, label: n.label, url: n.url, trust: n.trust || "", status: n.status || "",
          tags: n.tags, aliases: n.aliases || [], generality: n.generality || 0, difficulty: n.difficulty || "",
          state: n.state || "none" },
        position: { x: n.x, y: n.y } };
    }).concat(data.edges.map(function (e, i) {
      return { group: "edges", data: { id: "e" + i, source: e.source, target: e.target, type: e.type } };
    }));
    cy = window.cytoscape({
      container: container, elements: elements, layout: { name: "preset", fit: true, padding: 30 },
      minZoom: 0.05, maxZoom: 6, textureOnViewport: large, hideEdgesOnViewport: large, motionBlur: false,
      pixelRatio: large ? 1 : "auto",
      style: graphStyle(palette(), allLabels ? "data(label)" : "", labelSize)
    });
    if (large) { cy.style().selector("edge").style("curve-style", "haystack").update(); }
    /* Labels keep a readable size on screen whatever the zoom (a phone shows the whole graph
       at a small zoom, where labels of a fixed size in graph units would be specks). */
    var scheduled = false;
    function scaleLabels() { scheduled = false; cy.style().update(); }  /* re-reads labelSize() */
    cy.on("zoom", function () { if (!scheduled) { scheduled = true; window.requestAnimationFrame(scaleLabels); } });
    scaleLabels();
    window.kbGraph = cy;
    new MutationObserver(function () { cy.style(graphStyle(palette(), allLabels ? "data(label)" : "", labelSize)); })
      .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    var info = document.getElementById("kb-graph-info");
    var count = document.getElementById("kb-graph-count");
    var focused = null;
    function focus(node) {
      var near = node.closedNeighborhood();
      cy.elements().removeClass("faded near focus");
      cy.elements().addClass("faded");
      near.removeClass("faded");
      near.nodes().addClass("near");
      node.addClass("focus");
      focused = node;
      var stale = node.data("state") === "stale" ? " · has figures that do not hold" : "";
      info.textContent = node.data("label") + " · generality " + node.data("generality") + " · " +
        (near.nodes().length - 1) + " linked pages" + stale + (touch ? " · tap again to open" : " · click to open");
    }
    function unfocus() {
      cy.elements().removeClass("faded near focus");
      focused = null;
      info.textContent = "\u00a0";
    }
    cy.on("mouseover", "node", function (event) { if (!touch) { focus(event.target); } });
    cy.on("mouseout", "node", function () { if (!touch) { unfocus(); } });
    cy.on("tap", function (event) {
      if (event.target === cy) { unfocus(); return; }
      if (!event.target.isNode()) { return; }
      var node = event.target;
      if (touch && focused !== node) { focus(node); return; }  /* first tap: the neighbourhood */
      window.location.href = new URL(node.data("url"), source).href;
    });
    function fitTo(nodes) {
      /* Fit the nodes themselves: labels keep a fixed size on screen, so their size in graph
         units changes with the zoom and cannot be part of the box to fit. */
      var box = nodes.boundingBox({ includeLabels: false, includeOverlays: false }), pad = 40;
      var zoom = Math.min((cy.width() - 2 * pad) / Math.max(box.w, 1), (cy.height() - 2 * pad) / Math.max(box.h, 1));
      zoom = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), zoom));
      cy.viewport({ zoom: zoom, pan: { x: (cy.width() - zoom * (box.x1 + box.x2)) / 2, y: (cy.height() - zoom * (box.y1 + box.y2)) / 2 } });
    }
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
    function matches(node, text) {
      if (!text) { return true; }
      return [node.data("label")].concat(node.data("aliases")).some(function (name) { return fold(name).indexOf(text) >= 0; });
    }
    function filter(event) {
      var tag = document.getElementById("kb-filter-tag").value;
      var trust = document.getElementById("kb-filter-trust").value;
      var status = document.getElementById("kb-filter-status").value;
      var difficulty = document.getElementById("kb-filter-difficulty").value;
      var general = Number(document.getElementById("kb-filter-generality").value || 0);
      var text = fold(find.value.trim());
      var shown = cy.collection();
      cy.batch(function () {
        cy.nodes().forEach(function (node) {
          var ok = (!tag || node.data("tags").indexOf(tag) >= 0) && (!trust || node.data("trust") === trust) &&
            (!status || node.data("status") === status) && (!difficulty || node.data("difficulty") === difficulty) &&
            node.data("generality") >= general && matches(node, text);
          node.toggleClass("hidden", !ok);
          if (ok) { shown = shown.union(node); }
        });
      });
      count.textContent = shown.length + " of " + data.nodes.length + " pages";
      if (event && shown.length) { fitTo(shown); }  /* show what the filter kept */
    }
    filter();
  }

  window.kbOnEveryPage(graph);  /* kb.js, loaded first, knows how pages are shown */
})();
