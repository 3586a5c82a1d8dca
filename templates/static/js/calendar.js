// Staff calendar: EventCalendar (vendor/event-calendar) draws the JSON feed
// named in data-feed. The page works without this script: the table under
// the widget lists the same month.
(function () {
  "use strict";
  var el = document.getElementById("kalender");
  if (!el || typeof EventCalendar === "undefined") return;
  var d = el.dataset;
  var status = document.getElementById("kalender-status");
  var clock = { hour: "2-digit", minute: "2-digit", hour12: false };
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;

  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    n.textContent = text;
    return n;
  }

  // Indonesian button labels; prev/next are the arrow buttons' names.
  function buttons(text) {
    text.today = d.today;
    text.dayGridMonth = d.month;
    text.timeGridWeek = d.week;
    text.listMonth = d.list;
    text.prev = d.prev;
    text.next = d.next;
    text.close = d.close;
    return text;
  }

  // The feed is asked with the widget's range; filters are already in the
  // feed's query. Errors are said in words, not only in the console.
  function load(info, ok, fail) {
    var url = new URL(d.feed, window.location.href);
    url.searchParams.set("start", info.startStr);
    url.searchParams.set("end", info.endStr);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (events) {
        status.textContent = "";
        ok(events);
      })
      .catch(function (err) {
        status.textContent = d.error;
        fail(err);
      });
  }

  // The widget marks its month and week grids role="table" with cells but
  // without the rows ARIA requires (its rows are CSS grid lines), and its
  // list view role="list" on the element that also holds the toolbar;
  // screen readers announce both as broken. The month list under the
  // widget is the page's real table: the grids lose their table roles, and
  // the list role moves to the element that holds the days. The widget
  // draws anew on every change of view or month, so this runs on every
  // change.
  var gridRoles = "[role=table],[role=grid],[role=rowgroup],[role=row],[role=cell],[role=gridcell],[role=columnheader],[role=rowheader]";
  function fixRoles() {
    el.querySelectorAll(gridRoles + ",.ec[role]").forEach(function (n) { n.removeAttribute("role"); });
    el.querySelectorAll("[aria-colindex],[aria-rowindex]").forEach(function (n) {
      n.removeAttribute("aria-colindex");
      n.removeAttribute("aria-rowindex");
    });
    el.querySelectorAll("[role=list]").forEach(function (n) {
      if (!n.querySelector(":scope > [role=listitem]")) n.removeAttribute("role");
    });
    el.querySelectorAll("[role=listitem]").forEach(function (n) {
      var p = n.parentElement;
      if (p && p !== el && !p.classList.contains("ec") && p.getAttribute("role") !== "list") p.setAttribute("role", "list");
    });
  }
  new MutationObserver(fixRoles).observe(el, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["role", "aria-colindex", "aria-rowindex"]
  });

  EventCalendar.create(el, {
    view: narrow ? "listMonth" : "dayGridMonth",
    date: d.date,
    // Events come with the host's offset (+08:00); the widget is set to the
    // same offset so it shows host time in any browser.
    timeZone: d.tz,
    locale: d.lang === "en" ? "en-GB" : "id-ID",
    firstDay: 1,
    headerToolbar: { start: "prev,next today", center: "title", end: "dayGridMonth,timeGridWeek,listMonth" },
    buttonText: buttons,
    views: {
      dayGridMonth: { buttonText: buttons },
      timeGridWeek: { buttonText: buttons },
      listMonth: { buttonText: buttons }
    },
    eventTimeFormat: clock,
    slotLabelFormat: clock,
    slotMinTime: "07:00:00",
    slotMaxTime: "18:00:00",
    dayMaxEvents: true,
    moreLinkContent: function (arg) { return "+" + arg.num + " " + d.more; },
    allDayContent: d.allDay,
    noEventsContent: d.empty,
    eventSources: [{ events: load }],
    eventClick: function (info) {
      var url = info.event.extendedProps.url;
      if (url) window.location.assign(url);
    },
    // Room and escorts under the title in the list view; a tooltip with
    // everything elsewhere (the month grid has no room for it).
    eventContent: function (info) {
      var p = info.event.extendedProps;
      var nodes = [];
      if (info.timeText && !info.event.allDay) nodes.push(node("span", "ec-event-time", info.timeText));
      nodes.push(node("span", "ec-event-title", info.event.title));
      if (info.view.type.indexOf("list") === 0) {
        var meta = [p.kindLabel];
        if (p.code) meta.push(p.code);
        if (p.room) meta.push(p.room);
        if (p.escorts && p.escorts.length) meta.push(p.escorts.join(", "));
        nodes.push(node("span", "cal-ev-meta", meta.join(" · ")));
      }
      return { domNodes: nodes };
    },
    eventDidMount: function (info) {
      var p = info.event.extendedProps;
      var lines = [p.kindLabel + ": " + info.event.title, p.when];
      if (p.code) lines.push(p.code);
      if (p.room) lines.push(p.room);
      if (p.escorts && p.escorts.length) lines.push(p.escorts.join(", "));
      info.el.title = lines.join("\n");
    }
  });
})();
