// Pizza Factory console: small progressive touches. Every page works without this script.
"use strict";
(function () {
  // Elapsed times tick every second from the factory's own figure.
  function fmt(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + " h " : "") + (h || m ? m + " min " : "") + r + " s";
  }
  var base = Date.now();
  function tick() {
    var spent = Math.floor((Date.now() - base) / 1000);
    document.querySelectorAll("[data-elapsed]").forEach(function (el) {
      el.textContent = fmt(parseInt(el.getAttribute("data-elapsed"), 10) + spent);
    });
  }
  // Pages with live figures fetch their fragment (server-rendered, escaped) when the event
  // stream says something happened, and every 10 s for the order counts (not events). Without
  // the stream (no EventSource, or it failed) they poll every 2 s as before.
  var streaming = false, fetched = 0;
  function refresh() {
    var main = document.querySelector("main[data-live]");
    var target = document.querySelector("[data-live-target]");
    if (!main || !target) return;
    fetched = Date.now();
    fetch(main.getAttribute("data-live"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        target.innerHTML = html;
        base = Date.now();
        tick();
      })
      .catch(function () {});
  }
  function poll() {
    if (!streaming || Date.now() - fetched >= 10000) refresh();
  }
  // EventSource hands named events only to listeners of that name.
  var TYPES = ["chaos.scheduled", "chaos.started", "chaos.first_failure", "chaos.resolved", "chaos.expired",
    "chaos.cancelled", "chaos.halted", "chaos.rescheduled", "chaos.voided", "chaos.vendor_request",
    "vendor.created", "vendor.deleted", "vendor.key_rotated"];
  function listen() {
    if (!document.querySelector("main[data-live]") || !window.EventSource) return;
    var source = new EventSource("/admin/events/stream");
    source.onopen = function () { streaming = true; };
    source.onerror = function () { streaming = false; };
    TYPES.forEach(function (type) { source.addEventListener(type, refresh); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    setInterval(poll, 2000);
    listen();
    document.querySelectorAll("[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () {
        var input = document.getElementById(b.getAttribute("data-copy"));
        input.select();
        if (navigator.clipboard) { navigator.clipboard.writeText(input.value); } else { document.execCommand("copy"); }
        b.textContent = "Copied";
      });
    });
    var large = document.querySelector("[data-large-type]");
    if (large) {
      large.addEventListener("click", function () {
        var on = document.documentElement.classList.toggle("large");
        large.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
  });
})();
