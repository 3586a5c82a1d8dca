// Request form: when the province changes, offer only its regencies.
// The form works without this script (the server validates the pair).
(function () {
  "use strict";
  var province = document.getElementById("f-province");
  var regency = document.getElementById("f-regency");
  if (!province || !regency) return;
  province.addEventListener("change", function () {
    var code = province.value;
    var placeholder = regency.options[0] ? regency.options[0].text : "";
    regency.innerHTML = "";
    regency.appendChild(new Option(placeholder, ""));
    if (!code) return;
    fetch("/api/wilayah/" + encodeURIComponent(code), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        list.forEach(function (reg) { regency.appendChild(new Option(reg.name, reg.code)); });
      })
      .catch(function () { /* keep the empty choice; the server will ask again */ });
  });
})();
