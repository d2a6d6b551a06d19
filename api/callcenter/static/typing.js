// Asisten Warga agent console: typing both ways. While the agent types a reply the citizen is
// told (the web widget shows "Petugas sedang mengetik…", Telegram its "typing…"); while the
// citizen types in the widget, the console shows "Warga sedang mengetik…" under the
// transcript. Loaded after console.js, whose socket hands over the `typing` frames.
"use strict";

(() => {
  const { api, detail, isMine } = window.AwConsole;
  const SAY_EVERY_MS = 4000; // the widget's indicator lasts 6 s, Telegram's 5 s
  const SHOW_MS = 6000;
  const reply = document.getElementById("reply-text");
  const status = document.getElementById("citizen-typing");
  let saidAt = 0;
  let saidFor = null;
  let hideTimer = null;

  reply.addEventListener("input", () => {
    const handoff = detail();
    if (!handoff || !isMine(handoff) || !reply.value.trim()) return;
    const now = Date.now();
    if (saidFor === handoff.id && now - saidAt < SAY_EVERY_MS) return;
    saidAt = now;
    saidFor = handoff.id;
    api("POST", `/handoffs/${handoff.id}/typing`).catch(() => {}); // best effort
  });

  function clear() {
    clearTimeout(hideTimer);
    status.textContent = "";
  }

  document.addEventListener("console:frame", (event) => {
    const frame = event.detail;
    const handoff = detail();
    if (frame.type !== "typing" || !handoff || frame.id !== handoff.id) return;
    clear();
    status.textContent = "Warga sedang mengetik…";
    hideTimer = setTimeout(clear, SHOW_MS);
  });

  // A new message from the citizen, or another conversation opened: the indicator goes.
  new MutationObserver(clear).observe(document.getElementById("transcript"), { childList: true });
})();
