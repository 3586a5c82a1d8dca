// The history filter: choosing a province fills the kabupaten/kota select
// at once (without JavaScript, the form is applied first and the server
// fills it). The first option ("Semua") is kept.
(function () {
  "use strict";
  var province = document.getElementById("r-provinsi");
  var regency = document.getElementById("r-kota");
  if (!province || !regency) return;
  province.addEventListener("change", function () {
    var code = province.value;
    var all = regency.options[0] ? regency.options[0].text : "";
    regency.innerHTML = "";
    regency.appendChild(new Option(all, ""));
    if (!code) return;
    fetch("/api/wilayah/" + encodeURIComponent(code), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        list.forEach(function (reg) { regency.appendChild(new Option(reg.name, reg.code)); });
        var hint = document.getElementById("r-kota-hint");
        if (hint) hint.hidden = true;
      })
      .catch(function () { /* the server fills it once the form is applied */ });
  });
})();
