// The offline search of the documentation site. Without JavaScript the search box stays hidden
// and the A-Z page is the way to a name; with it, this shows the box and lists the names of
// search-index.js that match what is typed, as links to where each is described. No network:
// everything it reads is in the two files beside the pages, so it works from file:// too.
(function () {
  "use strict";
  var MAX_RESULTS = 20;
  var index = window.UPOE_SEARCH_INDEX;
  var form = document.querySelector("form.search");
  if (!index || !form) {
    return;
  }
  var box = form.querySelector("input");
  var list = form.querySelector(".search-results");
  var status = form.querySelector(".search-status");

  // Best first: the name itself, a column's own name, a name starting with the query, a column's
  // own name starting with it, a name containing it, then only its description (-1: no match).
  function rank(row, query) {
    var name = row[0].toLowerCase();
    var bare = name.slice(name.lastIndexOf(".") + 1);
    var tests = [name === query, bare === query, name.indexOf(query) === 0, bare.indexOf(query) === 0,
      name.indexOf(query) >= 0, row[3].toLowerCase().indexOf(query) >= 0];
    return tests.indexOf(true);
  }

  function matches(query) {
    var found = [];
    for (var i = 0; i < index.length; i += 1) {
      var score = rank(index[i], query);
      if (score >= 0) {
        found.push([score, i]);
      }
    }
    // The index is alphabetical, so equal ranks keep that order.
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return found.map(function (pair) { return index[pair[1]]; });
  }

  function item(row) {
    var entry = document.createElement("li");
    var link = document.createElement("a");
    link.href = row[2];
    link.textContent = row[0];
    var kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = " " + row[1];
    link.appendChild(kind);
    entry.appendChild(link);
    if (row[3]) {
      var summary = document.createElement("span");
      summary.className = "summary";
      summary.textContent = row[3];
      entry.appendChild(summary);
    }
    return entry;
  }

  function show() {
    var query = box.value.trim().toLowerCase();
    list.textContent = "";
    if (!query) {
      list.hidden = true;
      status.textContent = "";
      return;
    }
    var found = matches(query);
    found.slice(0, MAX_RESULTS).forEach(function (row) { list.appendChild(item(row)); });
    list.hidden = found.length === 0;
    status.textContent = found.length === 0 ? "Nothing is named like that; try the A-Z page."
      : found.length > MAX_RESULTS ? "The first " + MAX_RESULTS + " of " + found.length + " names."
      : found.length + (found.length === 1 ? " name." : " names.");
  }

  form.hidden = false;
  box.addEventListener("input", show);
  form.addEventListener("submit", function (event) {
    var first = list.querySelector("a");
    if (first) {
      event.preventDefault();
      window.location.href = first.href;
    }
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      box.value = "";
      show();
    } else if (event.key === "ArrowDown" && list.querySelector("a")) {
      event.preventDefault();
      list.querySelector("a").focus();
    }
  });
  // Following a result to another place on the same page: close the list.
  list.addEventListener("click", function () {
    box.value = "";
    show();
  });
  // A click elsewhere puts the list away; back in the box, it shows again.
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) {
      list.hidden = true;
    }
  });
  box.addEventListener("focus", show);
}());
