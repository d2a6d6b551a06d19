// The gateway's own page as a progressive web app: registers the service worker (sw.js), which
// keeps the page, the widget and the last history available offline. Sites that embed the
// widget do not load this file: a service worker belongs to one origin and its pages.
"use strict";

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // Without it the page still works online; nothing to tell the citizen.
    });
  });
}
