// As the title is typed, show up to five existing ideas (or, for a customer, items and ideas
// they may see) that look similar.
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar-url]");
  if (!form) return;
  var input = form.querySelector("#id_title");
  var section = document.getElementById("suggestions");
  var list = document.getElementById("suggestion-list");
  var url = form.getAttribute("data-similar-url");
  var timer = null;
  var latest = 0;

  function render(results) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = document.createElement("li");
      var title = document.createElement("span");
      title.className = "title";
      title.textContent = r.title;
      var status = document.createElement("span");
      status.className = "status";
      status.textContent = " (" + (r.status || r.where) + ") ";
      var action;
      if (r.url) {
        // The customer roadmap: go to the item or idea and say how much it matters there.
        action = document.createElement("a");
        action.href = r.url;
        action.textContent = "This matters to us";
      } else {
        action = document.createElement("button");
        action.type = "submit";
        action.name = "idea";
        action.value = String(r.id);
        action.className = "secondary";
        action.textContent = "This is my idea too";
      }
      li.append(title, status, action);
      list.appendChild(li);
    });
    section.hidden = results.length === 0;
  }

  function lookup() {
    var q = input.value.trim();
    var ticket = ++latest;
    if (q.length < 3) { render([]); return; }
    fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { if (ticket === latest) render(data.results || []); })
      .catch(function () { /* suggestions are a help, not a requirement */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 200);
  });
})();
