// Asisten Warga agent console: alerts for new chats in the agent's queue (the queue holds the
// agent's teams only; a supervisor's, every team's). A short sound and a desktop notification,
// each switchable off; the choice is kept per agent in this browser (localStorage). The sound
// is made with Web Audio: no file to fetch. Loaded after console.js, which dispatches
// "console:newcomers" when the queue gains conversations.
"use strict";

(() => {
  const KEY = "asistenWarga.console.alerts";
  const ui = {
    sound: document.getElementById("alert-sound"),
    desktop: document.getElementById("alert-desktop"),
    hint: document.getElementById("alert-desktop-hint"),
    test: document.getElementById("alert-test"),
  };
  const TEXT = {
    title: (count) => (count === 1 ? "1 warga baru menunggu" : `${count} warga baru menunggu`),
    body: (handoff) => [handoff.team_name, handoff.preview].filter(Boolean).join(": "),
    unsupported: "Peramban ini tidak mendukung notifikasi desktop.",
    denied: "Notifikasi diblokir peramban. Izinkan notifikasi untuk situs ini di pengaturan peramban.",
    granted: "Notifikasi desktop aktif.",
    testTitle: "Contoh pemberitahuan",
    testBody: "Beginilah pemberitahuan saat ada warga baru di antrean.",
  };

  let me = null; // the agent whose settings are shown (settings are per agent)
  let audio = null;

  // --- Settings, per agent ------------------------------------------------------------------

  function load() {
    try {
      const all = JSON.parse(localStorage.getItem(KEY) || "{}");
      return { sound: true, desktop: false, ...(me ? all[me] : {}) };
    } catch {
      return { sound: true, desktop: false };
    }
  }

  function save(settings) {
    if (!me) return;
    try {
      const all = JSON.parse(localStorage.getItem(KEY) || "{}");
      all[me] = settings;
      localStorage.setItem(KEY, JSON.stringify(all));
    } catch { /* storage unavailable: the choice lasts this page */ }
  }

  function show() {
    const settings = load();
    ui.sound.checked = settings.sound;
    ui.desktop.checked = settings.desktop && permission() === "granted";
    ui.hint.textContent = hintFor(permission(), settings.desktop);
  }

  const permission = () => ("Notification" in window ? Notification.permission : "unsupported");

  function hintFor(state, wanted) {
    if (state === "unsupported") return TEXT.unsupported;
    if (state === "denied") return TEXT.denied;
    return wanted && state === "granted" ? TEXT.granted : "";
  }

  ui.sound.addEventListener("change", () => {
    save({ ...load(), sound: ui.sound.checked });
    if (ui.sound.checked) unlockAudio();
  });

  ui.desktop.addEventListener("change", async () => {
    let wanted = ui.desktop.checked;
    if (wanted && permission() === "default") {
      try { await Notification.requestPermission(); } catch { /* refused */ }
    }
    if (permission() !== "granted") wanted = false;
    save({ ...load(), desktop: wanted });
    show();
  });

  ui.test.addEventListener("click", () => {
    unlockAudio();
    alertNow(TEXT.testTitle, TEXT.testBody, { test: true });
  });

  // --- The alert ----------------------------------------------------------------------------

  // Browsers start sound only after a gesture: the first click or key in the page unlocks it.
  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });

  // Two short rising tones, quiet: noticeable in an office, not alarming.
  function chime() {
    const context = unlockAudio();
    if (!context || context.state !== "running") return false;
    const start = context.currentTime;
    [660, 880].forEach((frequency, index) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      const at = start + index * 0.18;
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.18, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.17);
    });
    return true;
  }

  function notify(title, body) {
    if (permission() !== "granted") return null;
    const note = new Notification(title, { body, tag: "asisten-warga-antrean", lang: "id" });
    note.addEventListener("click", () => {
      window.focus();
      location.hash = "#percakapan";
      note.close();
    });
    return note;
  }

  // What happened is written on <body data-last-alert> (sound, desktop): the browser tests read it.
  function alertNow(title, body, { test = false } = {}) {
    const settings = load();
    const done = [];
    if (settings.sound && chime()) done.push("sound");
    if ((settings.desktop || test) && notify(title, body)) done.push("desktop");
    document.body.dataset.lastAlert = done.join(" ") || "none";
  }

  document.addEventListener("console:newcomers", (event) => {
    const handoffs = event.detail.handoffs;
    alertNow(TEXT.title(handoffs.length), handoffs.length === 1 ? TEXT.body(handoffs[0]) : "");
  });

  // The panel closes like a menu: a click elsewhere, or Escape (focus back on its toggle).
  const panel = document.getElementById("alerts");
  document.addEventListener("click", (event) => {
    if (panel.open && !panel.contains(event.target)) panel.open = false;
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !panel.open) return;
    panel.open = false;
    panel.querySelector("summary").focus();
  });

  // The settings belong to whoever logs in (console.js: "console:enter" and "console:leave").
  document.addEventListener("console:enter", (event) => {
    me = String(event.detail.agent.id);
    show();
  });
  document.addEventListener("console:leave", () => {
    me = null;
    panel.open = false;
  });
})();
