/* kb: where each figure comes from (a popover on hover, focus or tap), the ledger's filters and
   sorting, and the concept graph. Runs on every page Material shows, instant navigation included.
   No network: the graph library is kb's own copy. */
(function () {
  "use strict";

  /* ---- Provenance of figures ------------------------------------------------------------- */

  var popover = null, owner = null, openedAt = 0, closing = null;

  function popoverElement() {
    if (popover && document.body.contains(popover)) { return popover; }
    popover = document.createElement("div");
    popover.id = "kb-popover";
    popover.className = "kb-popover";
    popover.setAttribute("role", "dialog");
    popover.setAttribute("aria-label", "Where this number comes from");
    popover.hidden = true;
    popover.addEventListener("mouseenter", function () { clearTimeout(closing); });
    popover.addEventListener("mouseleave", function () { closeLater(); });
    popover.addEventListener("focusout", function (event) { leave(event.relatedTarget); });
    popover.addEventListener("keydown", escape);
    return popover;
  }

  function place(figure, box) {
    /* Fixed to the viewport: below the figure, above it when there is no room below, and never
       wider than the screen or past its edges. */
    var margin = 8, width = document.documentElement.clientWidth, height = document.documentElement.clientHeight;
    var rect = figure.getBoundingClientRect();
    box.style.maxWidth = Math.min(512, width - 2 * margin) + "px";
    box.style.left = "0px"; box.style.top = "0px";
    var own = box.getBoundingClientRect();
    var left = Math.min(Math.max(margin, rect.left), width - own.width - margin);
    var top = rect.bottom + 6;
    if (top + own.height > height - margin && rect.top - own.height - 6 >= margin) { top = rect.top - own.height - 6; }
    box.style.left = Math.max(margin, left) + "px";
    box.style.top = Math.max(margin, top) + "px";
  }

  function open(figure) {
    clearTimeout(closing);
    var box = popoverElement();
    if (owner && owner !== figure) { owner.setAttribute("aria-expanded", "false"); }
    owner = figure;
    openedAt = Date.now();
    box.textContent = "";
    var text = document.createElement("p");
    text.textContent = figure.getAttribute("data-kb-about") || "";
    box.appendChild(text);
    var ledger = figure.getAttribute("data-kb-ledger");
    if (ledger) {
      var link = document.createElement("a");
      link.href = ledger;
      link.textContent = "See it in the verification ledger";
      box.appendChild(link);
    }
    figure.insertAdjacentElement("afterend", box);  /* next in reading and tab order */
    box.hidden = false;
    figure.setAttribute("aria-expanded", "true");
    place(figure, box);
  }

  function close(returnFocus) {
    clearTimeout(closing);
    if (!popover || popover.hidden) { return; }
    popover.hidden = true;
    if (owner) {
      owner.setAttribute("aria-expanded", "false");
      if (returnFocus) { owner.focus(); }
    }
    owner = null;
  }

  function closeLater() { clearTimeout(closing); closing = setTimeout(function () { close(false); }, 250); }

  function leave(next) {
    if (next && ((popover && popover.contains(next)) || next === owner)) { return; }
    close(false);
  }

  function escape(event) {
    if (event.key === "Escape" && popover && !popover.hidden) {
      event.preventDefault();
      close(true);
    }
  }

  function figures() {
    document.querySelectorAll(".kb-figure").forEach(function (figure, index) {
      if (figure.hasAttribute("data-kb-ready")) { return; }
      figure.setAttribute("data-kb-ready", "");
      var about = document.createElement("span");
      about.id = (figure.id || "kb-figure-" + index) + "-about";
      about.hidden = true;  /* read by assistive technology through aria-describedby, never shown */
      about.textContent = figure.getAttribute("data-kb-about") || "";
      figure.insertAdjacentElement("afterend", about);
      figure.setAttribute("aria-describedby", about.id);
      figure.setAttribute("aria-expanded", "false");
      figure.setAttribute("aria-controls", "kb-popover");
      figure.addEventListener("mouseenter", function () { open(figure); });
      figure.addEventListener("mouseleave", closeLater);
      figure.addEventListener("focus", function () { open(figure); });
      figure.addEventListener("blur", function (event) { leave(event.relatedTarget); });
      figure.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          if (owner === figure && popover && !popover.hidden) { close(false); } else { open(figure); }
        } else { escape(event); }
      });
      figure.addEventListener("click", function () {
        /* a tap opens (hover and focus may have just done so); a second tap closes */
        if (owner === figure && popover && !popover.hidden && Date.now() - openedAt > 400) { close(false); } else { open(figure); }
      });
    });
  }

  document.addEventListener("keydown", escape);
  document.addEventListener("click", function (event) {
    if (popover && !popover.hidden && !popover.contains(event.target) && event.target !== owner) { close(false); }
  });
  window.addEventListener("scroll", function () { if (owner && popover && !popover.hidden) { place(owner, popover); } }, { passive: true });

  /* ---- The ledger: sorting and filters ----------------------------------------------------- */

  function sortableTables() {
    document.querySelectorAll("table[data-kb-sortable]").forEach(function (table) {
      if (table.hasAttribute("data-kb-ready")) { return; }
      table.setAttribute("data-kb-ready", "");
      table.querySelectorAll("th").forEach(function (th, column) {
        th.tabIndex = 0;
        function sort() {
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
        }
        th.addEventListener("click", sort);
        th.addEventListener("keydown", function (event) { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); } });
      });
    });
  }

  function ledgerFilters() {
    var state = document.getElementById("kb-ledger-state"), page = document.getElementById("kb-ledger-page");
    var count = document.getElementById("kb-ledger-count");
    if (!state || !page || state.hasAttribute("data-kb-ready")) { return; }
    state.setAttribute("data-kb-ready", "");
    var rows = Array.prototype.slice.call(document.querySelectorAll("table.kb-ledger tr[data-state]"));
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = (!state.value || row.getAttribute("data-state") === state.value) &&
          (!page.value || row.getAttribute("data-page") === page.value);
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = shown + " of " + rows.length + " shown";
    }
    state.addEventListener("change", apply);
    page.addEventListener("change", apply);
    document.querySelectorAll(".kb-ledger-summary button[data-kb-state]").forEach(function (button) {
      button.addEventListener("click", function () {  /* a state's badge filters by that state, again: all */
        var chosen = button.getAttribute("data-kb-state");
        state.value = state.value === chosen ? "" : chosen;
        apply();
      });
    });
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && target.tagName === "TR") { target.classList.add("kb-row-target"); }
    apply();
  }

  /* ---- The concept graph --------------------------------------------------------------------- */

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

  /* ---- Search: inflected words find their stems ----------------------------------------------- */

  /* Material's search worker turns every query term into a prefix search ("optimizers*"), and a
     prefix search skips the stemmer, so "optimizers" could not find "optimizer". Each plain term
     is sent twice: as typed (the prefix search, for words still being typed) and as "term~0", which
     the worker leaves alone and lunr stems like the index. Quoted phrases and operators pass as they are. */
  function stemmedQuery(query) {
    if (/["+\-~^*:]/.test(query)) { return query; }
    return query.replace(/(^|\s)([^\s]+)(?=\s|$)/g, function (all, space, term) { return space + term + " " + term + "~0"; });
  }
  if (typeof Worker !== "undefined" && !Worker.prototype.kbSearch) {
    var post = Worker.prototype.postMessage;
    Worker.prototype.kbSearch = true;
    Worker.prototype.postMessage = function (message) {
      var args = Array.prototype.slice.call(arguments);
      if (message && message.type === 2 && typeof message.data === "string") {  /* Material's query message */
        args[0] = { type: 2, data: stemmedQuery(message.data) };
      }
      return post.apply(this, args);
    };
  }

  /* The page a result opens highlights the words of the query (Material's ?h=); it marks words that
     begin with a term, so each term goes as a crude stem ("optimizers" -> "optimiz") and finds
     "optimizer" and "optimize" too. */
  function stem(term) {
    var word = term.toLowerCase();
    var cut = word.replace(/(ations?|ers?|ing|ies|es|ed|s|e|y)$/, "");
    return cut.length >= 3 && /^[a-z]+$/.test(word) ? cut : word;
  }
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest(".md-search-result a") : null;
    var input = document.querySelector(".md-search__input");
    if (!link || !input || !input.value.trim()) { return; }
    var url = new URL(link.href);
    url.searchParams.set("h", input.value.trim().split(/\s+/).map(stem).join(" "));
    link.href = url.href;
  }, true);

  /* ---- Where the page is ---------------------------------------------------------------------- */

  function currentCategory() {
    /* kb's navigation lists categories, not pages: mark the category the breadcrumbs end in. */
    if (document.querySelector(".md-nav--primary .md-nav__link--active")) { return; }
    var crumbs = document.querySelectorAll(".md-path__link");
    if (!crumbs.length) { return; }
    var last = crumbs[crumbs.length - 1].href;
    document.querySelectorAll(".md-nav--primary a.md-nav__link").forEach(function (link) {
      if (link.href === last) {
        link.classList.add("md-nav__link--active", "kb-nav-current");
        link.setAttribute("aria-current", "location");
      }
    });
  }

  /* ---- Start on every page ------------------------------------------------------------------- */

  function start() { close(false); figures(); sortableTables(); ledgerFilters(); graph(); currentCategory(); }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);  /* Material's instant navigation: once per page shown */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
