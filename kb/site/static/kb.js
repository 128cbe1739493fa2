/* kb: where each figure comes from (a popover on hover, focus or tap), the ledger's filters and
   sorting, search that finds inflected words, and the category a page belongs to. Runs on every
   page Material shows, instant navigation included. The concept graph is kb-graph.js. */
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

  /* Run ``start`` on every page shown; kb-graph.js, loaded after this file, starts the same way. */
  function onEveryPage(start) {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(start);  /* Material's instant navigation: once per page shown */
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }
  window.kbOnEveryPage = onEveryPage;
  onEveryPage(function () { close(false); figures(); sortableTables(); ledgerFilters(); currentCategory(); });
})();
