// The referral form: a searchable introducer select (accent-insensitive, asked of the server,
// which applies the user's scope) and showing only the introducer fields that apply.
(function () {
  "use strict";
  var form = document.querySelector("[data-referral-form]");
  if (!form) return;

  var select = form.querySelector("select[data-member-picker]");
  var cellSelect = form.querySelector("select[name=cell]");
  if (select) {
    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control mb-1";
    search.id = "introducer-search";
    search.placeholder = select.dataset.searchPlaceholder || "";
    search.setAttribute("aria-label", select.dataset.searchPlaceholder || "");
    search.autocomplete = "off";
    select.parentNode.insertBefore(search, select);
    var timer = null;
    var url = select.dataset.searchUrl;
    var refresh = function () {
      var params = new URLSearchParams({ q: search.value });
      if (cellSelect && cellSelect.value) params.set("cell", cellSelect.value);
      fetch(url + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          // The member already chosen stays chosen, even when the new results do not list them.
          var keep = select.value;
          var kept = select.selectedOptions.length ? select.selectedOptions[0].textContent : "";
          select.innerHTML = "";
          var blank = document.createElement("option");
          blank.value = "";
          blank.textContent = "---------";
          select.appendChild(blank);
          data.results.forEach(function (m) {
            var o = document.createElement("option");
            o.value = m.id;
            o.textContent = m.text;
            if (String(m.id) === keep) o.selected = true;
            select.appendChild(o);
          });
          var listed = data.results.some(function (m) { return String(m.id) === keep; });
          if (keep && !listed) {
            var chosen = document.createElement("option");
            chosen.value = keep;
            chosen.textContent = kept;
            chosen.selected = true;
            select.appendChild(chosen);
          } else if (!keep && data.results.length === 1) {
            select.value = String(data.results[0].id);
          }
        });
    };
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 200);
    });
    if (cellSelect) cellSelect.addEventListener("change", refresh);
  }

  var toggle = function () {
    var checked = form.querySelector("input[name=introduced_by]:checked");
    var byMember = !checked || checked.value === "member";
    form.querySelectorAll("[data-by=member]").forEach(function (el) { el.hidden = !byMember; });
    form.querySelectorAll("[data-by=collective]").forEach(function (el) { el.hidden = byMember; });
  };
  form.querySelectorAll("input[name=introduced_by]").forEach(function (r) { r.addEventListener("change", toggle); });
  toggle();
})();
