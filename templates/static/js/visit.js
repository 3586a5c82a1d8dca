// Request page, approval form: step two saves the session checked in step
// one (hidden fields). A date or session changed in step one but not checked
// yet would be ignored on saving, so saving waits until it is checked.
// Without this script the server still saves only what was checked.
(function () {
  "use strict";
  var pick = document.querySelector("form.slot-pick");
  var form = document.getElementById("form-jadwal");
  var save = document.getElementById("simpan-jadwal");
  var note = document.getElementById("periksa-dulu");
  if (!pick || !form || !save || !note) return;
  var date = pick.elements.namedItem("tanggal");
  var session = pick.elements.namedItem("sesi");
  var checkedDate = form.elements.namedItem("date").value;
  var checkedSession = form.elements.namedItem("session").value;
  function update() {
    var stale = date.value !== checkedDate || session.value !== checkedSession;
    save.disabled = stale;
    note.hidden = !stale;
  }
  date.addEventListener("input", update);
  date.addEventListener("change", update);
  session.addEventListener("change", update);
  update();
})();
