// Asisten Warga web widget. One script tag puts the chat on any page:
//   <script src="GATEWAY/widget.js" defer></script>   (GATEWAY: the gateway's public URL)
// Options are data-* attributes of that tag (docs/channels.md, "Web widget"). The widget lives
// in a shadow root, so the host page's styles and ours never touch. It talks to the gateway
// over a WebSocket and falls back to the HTTP API when WebSockets are unavailable. Messages
// created outside the citizen's own requests (an agent's reply, hand-off notices) are pushed
// over the WebSocket, or polled every few seconds on the HTTP fallback.
// No build step, no dependencies, no external resources.
"use strict";

(() => {
  const script = document.currentScript;
  if (!script || window.asistenWargaWidget) return; // one widget per page
  window.asistenWargaWidget = true;

  const TEXT = {
    title: "Asisten Warga",
    open: "Tanya Asisten Warga",
    close: "Tutup percakapan",
    reset: "Percakapan baru",
    erase: "Hapus percakapan",
    eraseShort: "Hapus",
    eraseAsk: "Hapus percakapan ini dari perangkat ini dan dari Asisten Warga? Percakapan tidak dapat dikembalikan.",
    eraseYes: "Ya, hapus",
    eraseNo: "Tidak",
    erased: "Percakapan sudah dihapus.",
    expired: "Sesi percakapan berakhir karena lama tidak aktif. Riwayat disembunyikan untuk menjaga privasi Anda. Silakan mulai percakapan baru.",
    log: "Percakapan",
    label: "Pesan Anda",
    placeholder: "Ketik pesan Anda…",
    send: "Kirim",
    typing: "Asisten sedang mengetik…",
    agentTyping: "Petugas sedang mengetik…",
    welcome:
      "Halo! Silakan tanyakan layanan publik kepada Asisten Warga, misalnya cara membuat KTP, " +
      "cek bansos, atau perpanjang SIM.",
    error: "Mohon maaf, pesan tidak dapat dikirim. Periksa koneksi Anda lalu coba lagi.",
    tooLong: "Mohon maaf, pesan Anda terlalu panjang. Silakan persingkat pesan Anda.",
    // The counter near the limit, and the explanation when the text is over it (kept in the box).
    counter: (length, limit) => `${length.toLocaleString("id-ID")} dari ${limit.toLocaleString("id-ID")} karakter`,
    overLimit: (limit) =>
      `Pesan Anda melebihi batas ${limit.toLocaleString("id-ID")} karakter. Mohon persingkat, lalu kirim lagi.`,
    topics: "Pilih layanan",
    errorLabel: "Gagal:",
    offline: "Anda sedang offline. Pesan Anda disimpan dan dikirim otomatis saat koneksi kembali.",
    pending: "Menunggu koneksi",
    image: "Gambar dari Asisten Warga",
    document: "Unduh dokumen",
    newTab: "(membuka tab baru)",
    locationShared: "📍 Lokasi dibagikan",
    locationFailed:
      "Mohon maaf, lokasi Anda tidak dapat diambil. Silakan ketik nama kelurahan atau kecamatan Anda.",
    agent: "Petugas",
    unread: "(ada pesan baru)",
    inapasDone: "Sudah masuk dengan INApas",
    inapasBlocked:
      "Mohon maaf, jendela INApas tidak dapat dibuka. Izinkan pop-up untuk situs ini, lalu coba lagi.",
    inapasFailed: "Mohon maaf, masuk dengan INApas belum berhasil. Silakan coba lagi.",
  };
  // Login with INApas (docs/channels.md): a button with this payload opens the provider in a
  // popup instead of going to the bot; when the login's callback page reports success, the
  // widget sends VERIFIED_PAYLOAD, and the bot reads the verified NIK from the gateway.
  const INAPAS_PAYLOAD = "/login_inapas";
  const VERIFIED_PAYLOAD = "/identity_verified";
  const INAPAS_MESSAGE = "asistenWarga.inapas";
  const CONNECT_TIMEOUT_MS = 5000;
  const ANSWER_TIMEOUT_MS = 30000;
  const READ_DEBOUNCE_MS = 1500;
  const TYPING_EVERY_MS = 3000;
  const AGENT_TYPING_MS = 6000;

  // Typing and read state with an agent, over the socket only (no answer frames): the agent
  // sees "Warga sedang mengetik…" and "Dibaca" under their messages (docs/channels.md).
  const seen = {
    withAgent: false, latest: 0, reported: 0, timer: null, typedAt: 0,
    agentMessage(id) {
      this.withAgent = true;
      if (typeof id === "number" && id > this.latest) this.latest = id;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.report(), READ_DEBOUNCE_MS); // one frame per burst
    },
    // Read once the citizen can see it: the page in front and the panel open.
    report() {
      if (this.latest <= this.reported || document.visibilityState !== "visible") return;
      if (launcher && panel.hidden) return;
      if (socket && socket.notify({ type: "read", message_id: this.latest })) this.reported = this.latest;
    },
    typing() {
      const now = Date.now();
      if (!this.withAgent || !socket || now - this.typedAt < TYPING_EVERY_MS) return;
      if (socket.notify({ type: "typing" })) this.typedAt = now;
    },
  };
  document.addEventListener("visibilitychange", () => seen.report());

  const HISTORY_LIMIT = 200;
  const POLL_MS = 3000;
  const RECONNECT_MAX_MS = 30000;
  // A message whose answer was lost (the connection or the gateway died) is sent again after
  // each of these pauses, with its id: the gateway answers it once (api/conversations/resend.py).
  const RESEND_DELAYS_MS = [500, 1000, 2000, 4000, 8000];
  const RESENDABLE = [0, 502, 503, 504]; // no answer at all, or the load balancer's

  const options = readOptions(script);
  // Files and photos: how widget-attachments.js shows them (see the hook at the end).
  const files = { render: null, waiting: [] };
  const api = {
    conversations: `${options.gateway}/api/v1/conversations`,
    messages: (id) => `${options.gateway}/api/v1/conversations/${encodeURIComponent(id)}/messages`,
    socket: (id) =>
      `${options.gateway.replace(/^http/, "ws")}/api/v1/conversations/${encodeURIComponent(id)}/ws`,
    stylesheet: `${options.gateway}/widget.css`,
    opening: `${options.gateway}/api/v1/widget`,
    inapas: (id) => `${options.gateway}/auth/inapas/start?conversation=${encodeURIComponent(id)}`,
  };

  function readOptions(tag) {
    const data = tag.dataset;
    // By default the gateway is where the script came from (…/widget.js or …/static/widget.js).
    const source = new URL(tag.src, location.href);
    const own = `${source.origin}${source.pathname.replace(/\/(static\/)?widget\.js$/, "")}`;
    return {
      gateway: (data.gateway || own).replace(/\/+$/, ""),
      mode: data.mode === "inline" ? "inline" : "launcher",
      container: data.container || null,
      title: data.title || TEXT.title,
      open: data.open === "true",
      position: data.position === "left" ? "left" : "right",
      webSocket: data.transport !== "http" && "WebSocket" in window,
    };
  }

  // The conversation id and its short-lived session token (docs/security.md, "The widget's
  // session"): the token opens the history, the WebSocket and the deletion, and expires when
  // the citizen is idle. localStorage can be unavailable (privacy modes, sandboxed frames):
  // then per page only. An id stored without a token (an older widget) is dropped.
  const STORAGE_KEY = `asistenWarga.session:${options.gateway}`;
  const store = {
    get() {
      try {
        const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
        return saved && saved.id && saved.token ? saved : null;
      } catch { return null; }
    },
    set(id, token) {
      const at = Date.now(); // when the session was last renewed: the idle expiry offline
      try { localStorage.setItem(STORAGE_KEY, JSON.stringify({ id, token, at })); } catch { /* page only */ }
    },
    clear() {
      try {
        localStorage.removeItem(STORAGE_KEY);
        localStorage.removeItem(`asistenWarga.conversation:${options.gateway}`); // older widgets
      } catch { /* page only */ }
    },
  };

  // --- DOM ---------------------------------------------------------------------------------

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value == null) continue;
      if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    node.append(...children); // strings become text nodes: never innerHTML
    return node;
  }

  // Drawn, not emoji: not every system has an emoji font.
  const ICONS = {
    chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z",
    document: "M6 2h8l6 6v13a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm7 1.5V9h5.5z",
    info: "M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1 8v7h2v-7zm0-4v2h2V6z",
    error: "M12 2 1 21h22zm-1 7h2v6h-2zm0 8h2v2h-2z",
    clock: "M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16zm-1 3h2v5.6l3.7 2.2-1 1.7L11 13.7z",
  };

  function icon(name) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "aw-icon");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    path.setAttribute("fill-rule", "evenodd");
    svg.append(path);
    return svg;
  }

  const host = element("div", { className: "asisten-warga", "data-mode": options.mode });
  const shadow = host.attachShadow({ mode: "open" });
  const stylesheet = element("link", { rel: "stylesheet", href: api.stylesheet });
  const root = element("div", { className: `aw aw--${options.mode} aw--${options.position}`, hidden: true });
  // Shown once our styles are in (or failed: unstyled but usable beats invisible).
  stylesheet.addEventListener("load", () => { root.hidden = false; });
  stylesheet.addEventListener("error", () => { root.hidden = false; });

  // The conversation: a list inside a live region (an <ol> with role="log" would lose its
  // list role, leaving its <li> outside any list).
  const log = element("ol", { className: "aw-log" });
  const logRegion = element(
    "div", { className: "aw-log-region", role: "log", "aria-live": "polite", "aria-label": TEXT.log }, log,
  );
  const welcome = element("p", { className: "aw-welcome" }, TEXT.welcome);
  const topics = element("div", { className: "aw-topics", role: "group", "aria-label": TEXT.topics, hidden: true });
  const privacyNote = element("p", { className: "aw-privacy", hidden: true });
  const opening = element("div", { className: "aw-opening" }, welcome, topics, privacyNote);
  const scroller = element("div", { className: "aw-body" }, opening, logRegion);
  const typing = element("p", { className: "aw-typing", role: "status", "aria-live": "polite" });
  const offlineBar = element("p", { className: "aw-offline", role: "status", hidden: true }, TEXT.offline);
  const input = element("textarea", {
    id: "aw-text", rows: "1", placeholder: TEXT.placeholder, autocomplete: "off", enterkeyhint: "send",
    "aria-describedby": "aw-counter aw-limit",
  });
  const sendButton = element("button", { type: "submit", className: "aw-send" }, TEXT.send);
  // Near the length limit a counter; over it, why the message cannot be sent (read once).
  const counter = element("p", { id: "aw-counter", className: "aw-counter", hidden: true });
  const limitAlert = element("p", { id: "aw-limit", className: "aw-limit", role: "alert" });
  const form = element(
    "form", { className: "aw-composer" },
    element("label", { for: "aw-text", className: "aw-sr" }, TEXT.label), input, sendButton, counter, limitAlert,
  );
  const resetButton = element("button", { type: "button", className: "aw-reset" }, TEXT.reset);
  const eraseButton = element(
    "button", { type: "button", className: "aw-reset aw-erase", "aria-label": TEXT.erase, title: TEXT.erase },
    TEXT.eraseShort,
  );
  const heading = element("h2", { id: "aw-title" }, options.title);
  const header = element("header", { className: "aw-header" }, heading, eraseButton, resetButton);
  const panel = element(
    "section", { id: "aw-panel", className: "aw-panel", "aria-labelledby": "aw-title", tabindex: "-1" },
    header, scroller, typing, offlineBar, form,
  );

  let launcher = null;
  const unread = element(
    "span", { className: "aw-unread", hidden: true }, element("span", { className: "aw-sr" }, TEXT.unread),
  );
  if (options.mode === "launcher") {
    const closeButton = element(
      "button", { type: "button", className: "aw-close", "aria-label": TEXT.close }, "×",
    );
    header.append(closeButton);
    launcher = element(
      "button",
      { type: "button", className: "aw-launcher", "aria-controls": "aw-panel", "aria-expanded": "false" },
      icon("chat"),
      element("span", {}, TEXT.open),
      unread,
    );
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "true"); // Tab stays inside until it is closed
    launcher.addEventListener("click", () => setOpen(panel.hidden));
    closeButton.addEventListener("click", () => setOpen(false));
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") setOpen(false);
      if (event.key === "Tab") trapFocus(event);
    });
    root.append(panel, launcher);
    panel.hidden = true;
  } else {
    root.append(panel);
  }
  shadow.append(stylesheet, root);

  function mount() {
    const target = options.container && document.querySelector(options.container);
    if (options.mode === "inline" && target) target.append(host);
    else if (options.mode === "inline") script.after(host);
    else document.body.append(host);
    if (options.open) setOpen(true);
  }

  function setOpen(open) {
    if (!launcher) return;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    root.classList.toggle("aw--open", open);
    if (open) {
      unread.hidden = true;
      seen.report();
      scrollToEnd();
      if (usedTouch()) panel.focus({ preventScroll: true }); // no keyboard over the answer
      else input.focus();
    } else {
      launcher.focus();
    }
  }

  // The open panel keeps Tab and Shift+Tab inside it (it is a modal dialog) until it is closed.
  function focusables() {
    const candidates = panel.querySelectorAll("button, textarea, a[href], [tabindex]");
    return [...candidates].filter(
      (node) => !node.disabled && node.tabIndex >= 0 && node.getClientRects().length > 0,
    );
  }

  function trapFocus(event) {
    const items = focusables();
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = shadow.activeElement;
    if (event.shiftKey && (active === first || active === panel || !items.includes(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !items.includes(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  // How the citizen last acted: a tap must not move focus to the text box (the phone's keyboard
  // would cover the answer). Before any pointer event, a coarse pointer means a touch screen.
  const coarsePointer = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  let lastPointer = null;
  shadow.addEventListener("pointerdown", (event) => { lastPointer = event.pointerType; }, true);
  shadow.addEventListener("keydown", () => { lastPointer = "keyboard"; }, true);

  function usedTouch() {
    return lastPointer === "touch" || lastPointer === "pen" || (lastPointer === null && coarsePointer);
  }

  // Scrolls the conversation only, never the host page.
  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  // --- Rendering ---------------------------------------------------------------------------

  // Links and images only from http(s) (never javascript: or other schemes).
  function safeUrl(value) {
    try {
      const url = new URL(value, options.gateway);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function choiceButton(choice, active, event) {
    const button = element(
      "button", { type: "button", className: "aw-choice", disabled: !active },
      element("span", { className: "aw-choice__title" }, choice.title),
    );
    if (choice.description) {
      button.append(element("span", { className: "aw-choice__description" }, choice.description));
    }
    if (isInapas(choice.payload)) {
      button.classList.add("aw-inapas");
      button.addEventListener("click", openInapas);
    } else {
      button.addEventListener("click", () => {
        if (busy) return;
        markChosen(button);
        send(event, choice.title);
      });
    }
    return button;
  }

  // The button the citizen picked stays distinct from the others once all are used.
  function markChosen(button) {
    button.classList.add("aw-choice--chosen");
    button.setAttribute("aria-pressed", "true"); // read as "pressed"; its name stays the title
  }

  // Identifiers, case and ticket numbers, dates and amounts ("TKT-2025-000123", "17-08-2025",
  // "Rp30.000") never break across lines; longer runs may, so nothing sticks out sideways.
  const IDENTIFIER = /[A-Za-z0-9*]+(?:[-/.:][A-Za-z0-9*]+)+|\d{6,}/g; // kept if it holds a digit
  const IDENTIFIER_MAX_CHARS = 24;

  function textBlock(text) {
    const block = element("div", { className: "aw-text" });
    setText(block, text);
    return block;
  }

  function setText(block, text) {
    const value = String(text ?? "");
    block.replaceChildren();
    let from = 0;
    for (const match of value.matchAll(IDENTIFIER)) {
      if (match[0].length > IDENTIFIER_MAX_CHARS || !/\d/.test(match[0])) continue;
      block.append(value.slice(from, match.index), element("span", { className: "aw-id" }, match[0]));
      from = match.index + match[0].length;
    }
    block.append(value.slice(from));
  }

  function choiceGroup(choices, active, type, label) {
    const group = element("div", { className: "aw-choices", role: "group", "aria-label": label });
    for (const choice of choices) {
      const event = { type, payload: choice.payload, title: choice.title };
      group.append(choiceButton(choice, active, event));
    }
    return group;
  }

  // The reply kinds of the internal message model (api/conversations/model.py, docs/channels.md).
  function renderContent(item, content, active) {
    switch (content.type) {
      case "attachment": // a file kept with the conversation: widget-attachments.js shows it
        if (content.caption) item.append(element("div", { className: "aw-text" }, content.caption));
        if (files.render) files.render(item, content);
        else files.waiting.push([item, content]); // shown once the module is in
        break;
      case "list":
        item.append(textBlock(content.text));
        for (const section of content.sections || []) {
          const label = section.title || content.button;
          if (section.title) item.append(element("p", { className: "aw-section" }, section.title));
          item.append(choiceGroup(section.rows || [], active, "list_choice", label));
        }
        return;
      case "image": {
        const url = safeUrl(content.url);
        const figure = element("figure", { className: "aw-figure" });
        if (url) figure.append(element("img", { src: url, alt: content.caption || TEXT.image, loading: "lazy" }));
        if (content.caption) figure.append(element("figcaption", {}, content.caption));
        item.append(figure);
        return;
      }
      case "document": {
        const url = safeUrl(content.url);
        if (content.caption) item.append(textBlock(content.caption));
        if (url) {
          const name = content.filename || TEXT.document;
          item.append(element(
            "a", { className: "aw-document", href: url, target: "_blank", rel: "noopener noreferrer" },
            icon("document"), name, element("span", { className: "aw-sr" }, ` ${TEXT.newTab}`),
          ));
        }
        return;
      }
      case "request_location": {
        item.append(textBlock(content.text));
        const button = element("button", { type: "button", className: "aw-choice", disabled: !active }, content.button);
        button.addEventListener("click", shareLocation);
        item.append(element("div", { className: "aw-choices" }, button));
        return;
      }
      default: // "text", "request_contact" (the web has no verified number: the citizen types it)
        item.append(textBlock(content.text || ""));
        if (content.buttons && content.buttons.length) {
          item.append(choiceGroup(content.buttons, active, "button", content.text));
        }
    }
  }

  // Buttons stay clickable only on the latest answer (`active`). An agent's reply carries
  // their name above the bubble ("Sari (Petugas)"); system messages are notices, or errors
  // (`kind: "error"`: the widget's own, e.g. a message that could not be sent).
  function render(message, active = true) {
    opening.hidden = true;
    const kind = message.kind === "error" ? "error" : message.author;
    const item = element("li", { className: `aw-msg aw-msg--${kind}`, tabindex: "-1" });
    let bubble = item;
    if (message.author === "agent") {
      bubble = element("div", { className: "aw-bubble" });
      item.append(element("span", { className: "aw-sender" }, message.sender_name || TEXT.agent), bubble);
    }
    const file = message.content && message.content.type === "attachment";
    if (message.content && (message.author !== "citizen" || file)) {
      renderContent(bubble, message.content, active);
    } else {
      bubble.append(textBlock(message.text));
      if (message.buttons && message.buttons.length) {
        bubble.append(choiceGroup(message.buttons, active, "button", message.text));
      }
    }
    if (message.author === "system") item.querySelector(".aw-text")?.prepend(icon(kind === "error" ? "error" : "info"));
    item.append(timestamp(message.created_at ? new Date(message.created_at) : new Date()));
    log.append(item);
    rove(item);
    scrollToEnd();
    return item;
  }

  function renderError(text) {
    return render({ author: "system", kind: "error", text });
  }

  // When a message was written: shown on hover and on focus ("21.52"; the full date as its
  // title, "7 Desember 2026 pukul 21.52"), in the citizen's own time zone. Drawn by the
  // stylesheet from `data-clock`, so it is no part of the message's text (copying, tests).
  const CLOCK = new Intl.DateTimeFormat("id-ID", { hour: "2-digit", minute: "2-digit" });
  const FULL_DATE = new Intl.DateTimeFormat("id-ID", { dateStyle: "long", timeStyle: "short" });

  function timestamp(at) {
    const valid = !Number.isNaN(at.getTime());
    const when = valid ? at : new Date();
    return element("time", {
      className: "aw-time", datetime: when.toISOString(), title: FULL_DATE.format(when),
      "data-clock": CLOCK.format(when),
    });
  }

  // The conversation is one Tab stop (the latest message); arrow keys move between messages,
  // so each message's time can be read with the keyboard too.
  function rove(item) {
    log.querySelectorAll(".aw-msg[tabindex='0']").forEach((node) => node.setAttribute("tabindex", "-1"));
    item.setAttribute("tabindex", "0");
  }

  log.addEventListener("keydown", (event) => {
    const current = event.target;
    if (!(current instanceof HTMLElement) || !current.classList.contains("aw-msg")) return;
    const items = [...log.children];
    const at = items.indexOf(current);
    const next = {
      ArrowUp: items[at - 1], ArrowDown: items[at + 1], Home: items[0], End: items[items.length - 1],
    }[event.key];
    if (!next) return;
    event.preventDefault();
    rove(next);
    next.focus();
  });

  // Each stored message is shown once: an answer, a pushed copy and a polled copy share an id.
  const shownIds = new Set();

  function show(message, active = true) {
    if (message.id != null) {
      if (shownIds.has(message.id)) return;
      shownIds.add(message.id);
    }
    if (message.author === "citizen") disableOldChoices(); // e.g. written in another tab
    if (message.author === "agent") {
      setTyping(false); // the agent's message is here
      seen.agentMessage(message.id);
    }
    render(message, active);
  }


  // A message heard while the panel is closed (an agent's reply): a dot on the launcher.
  function showHeard(message) {
    live.cursor = Math.max(live.cursor, message.id || 0);
    const before = shownIds.size;
    show(message);
    const heard = shownIds.size > before && message.author !== "citizen";
    if (heard && launcher && panel.hidden) unread.hidden = false;
  }

  function disableOldChoices() {
    log.querySelectorAll(".aw-choice").forEach((button) => { button.disabled = true; });
  }

  // --- Login with INApas ---------------------------------------------------------------------

  function isInapas(payload) {
    return typeof payload === "string" && payload.split(/[{\s]/)[0] === INAPAS_PAYLOAD;
  }

  // The login runs in a popup on the gateway's own origin; its callback page posts the
  // outcome (status only, no identity) to this window.
  function openInapas() {
    if (busy || !conversationId) return;
    const popup = window.open(api.inapas(conversationId), "asistenWargaInapas", "popup,width=480,height=720");
    if (!popup) renderError(TEXT.inapasBlocked);
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== new URL(options.gateway).origin) return;
    const data = event.data;
    if (!data || data.type !== INAPAS_MESSAGE || !conversationId) return;
    if (data.status === "ok") {
      send({ type: "button", payload: VERIFIED_PAYLOAD, title: TEXT.inapasDone }, TEXT.inapasDone);
    } else if (data.status === "failed") {
      renderError(TEXT.inapasFailed);
    }
  });

  // --- Talking to the gateway --------------------------------------------------------------

  // `status` 0: the request never got an answer (offline, the gateway unreachable).
  // `code`: the WebSocket's error code ("too_long", "rate_limited", …).
  class GatewayError extends Error {
    constructor(message, status = 0, code = null) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
  class SocketUnavailable extends Error {}

  // `inspect(response)`: a look at the response itself (its headers) before its body.
  async function request(method, url, body, inspect = null) {
    let response;
    const headers = body ? { "Content-Type": "application/json" } : {};
    if (sessionToken) headers["X-Session-Token"] = sessionToken;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch {
      throw new GatewayError(TEXT.error);
    }
    if (inspect) inspect(response);
    if (response.status === 204) return {};
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const fallback = response.status === 413 ? TEXT.tooLong : TEXT.error;
      throw new GatewayError(typeof data.detail === "string" ? data.detail : fallback, response.status);
    }
    return data;
  }

  // The conversation's WebSocket: opened on the first message, reopened when it was closed.
  // Frames are documented in docs/channels.md; each message frame gets one `result` or `error`.
  // Pushed `message` frames go to `onMessage`; `onClose(code, opened)` hears every close.
  class Socket {
    constructor(url, { onMessage, onClose }) {
      this.url = url;
      this.ws = null;
      this.opening = null;
      this.waiting = new Map(); // frame id -> {resolve, reject, timer}
      this.nextId = 1;
      this.onMessage = onMessage;
      this.onClose = onClose;
    }

    open() {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
      this.opening ??= new Promise((resolve, reject) => {
        let ws;
        try {
          ws = new WebSocket(this.url);
        } catch {
          reject(new SocketUnavailable());
          return;
        }
        const timer = setTimeout(() => { ws.close(); reject(new SocketUnavailable()); }, CONNECT_TIMEOUT_MS);
        let opened = false;
        ws.addEventListener("open", () => {
          clearTimeout(timer);
          opened = true;
          this.ws = ws;
          ws.send(JSON.stringify({ type: "auth", token: sessionToken })); // the first frame
          resolve();
        });
        ws.addEventListener("message", (event) => this.receive(event.data));
        ws.addEventListener("close", (event) => {
          clearTimeout(timer);
          if (this.ws === ws) this.ws = null;
          const error = closeError(event.code);
          reject(error); // before "open": could not connect
          this.failAll(error);
          this.onClose(event.code, opened);
        });
      }).finally(() => { this.opening = null; });
      return this.opening;
    }

    async send(event) {
      await this.open();
      const id = String(this.nextId++);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiting.delete(id);
          reject(new GatewayError(TEXT.error));
        }, ANSWER_TIMEOUT_MS);
        this.waiting.set(id, { resolve, reject, timer });
        this.ws.send(JSON.stringify({ ...event, id }));
      });
    }

    // A frame that needs no answer (typing, read), if the socket is open now: whether sent.
    notify(frame) {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
      this.ws.send(JSON.stringify(frame));
      return true;
    }

    receive(data) {
      let frame;
      try { frame = JSON.parse(data); } catch { return; }
      if (frame.type === "typing" && frame.author === "agent") showAgentTyping();
      else if (frame.type === "typing") setTyping(Boolean(frame.active));
      if (frame.session_token) renewSession(frame.session_token);
      if (frame.type === "message" && frame.message) this.onMessage(frame.message);
      const waiter = frame.id != null && this.waiting.get(String(frame.id));
      if (!waiter || (frame.type !== "result" && frame.type !== "error")) return;
      this.waiting.delete(String(frame.id));
      clearTimeout(waiter.timer);
      if (frame.type === "result") waiter.resolve(frame);
      else waiter.reject(new GatewayError(frame.detail || TEXT.error, 400, frame.code || null));
    }

    failAll(error) {
      // Sent but unanswered: `deliver` sends them again with the same message id.
      const lost = error instanceof SocketUnavailable ? new GatewayError(TEXT.error) : error;
      for (const { reject, timer } of this.waiting.values()) {
        clearTimeout(timer);
        reject(lost);
      }
      this.waiting.clear();
    }

    close() {
      if (this.ws) this.ws.close(1000);
      this.ws = null;
    }
  }

  // Close codes 4xxx mirror HTTP statuses (4404: unknown conversation, 4429: too many messages).
  function closeError(code) {
    if (code >= 4400 && code < 4600) {
      const status = code - 4000;
      return new GatewayError(status === 413 ? TEXT.tooLong : TEXT.error, status);
    }
    return new SocketUnavailable();
  }

  const saved = store.get();
  let conversationId = saved ? saved.id : null;
  let sessionToken = saved ? saved.token : null;
  let socket = null;
  let useSocket = options.webSocket;
  let busy = false;
  let sends = 0; // citizen messages sent so far: a poll that raced one is dropped

  async function startConversation() {
    stopLive();
    sessionToken = null;
    const conversation = await request("POST", api.conversations, { channel: "web" });
    conversationId = conversation.id;
    sessionToken = conversation.session_token;
    store.set(conversationId, sessionToken);
  }

  // Every answer to the citizen's message carries a fresh token (idle expiry slides).
  function renewSession(token) {
    if (!token || !conversationId) return;
    sessionToken = token;
    store.set(conversationId, token);
  }

  // The session ended (idle, or refused): nothing of it stays on screen or in storage.
  function endSession(notice) {
    stopLive();
    store.clear();
    outbox.clear();
    forgetOfflineHistory();
    conversationId = null;
    sessionToken = null;
    shownIds.clear();
    log.replaceChildren();
    opening.hidden = false;
    if (notice) render({ author: "system", text: notice });
  }

  const SESSION_GONE = [401, 403, 404];

  // The HTTP API takes a button's payload as `text` and its title as `metadata.button_title`.
  function httpBody(event) {
    const id = { client_message_id: event.client_message_id };
    if (event.type === "text") return { text: event.text, ...id };
    if (event.type === "location") {
      const { latitude, longitude } = event;
      return {
        text: `/share_location${JSON.stringify({ latitude, longitude })}`,
        metadata: { button_title: TEXT.locationShared, location: { latitude, longitude } },
        ...id,
      };
    }
    return { text: event.payload, metadata: { button_title: event.title }, ...id };
  }

  function newSocket() {
    const opened = new Socket(api.socket(conversationId), {
      onMessage: showHeard,
      onClose: (code, wasOpen) => {
        // Reopened after an unexpected drop (not ours, not refused) to keep hearing pushes.
        if (opened === socket && (code === 4401 || code === 4403)) {
          // Idle too long, or refused. A message on its way starts a new conversation itself.
          if (!busy) endSession(TEXT.expired);
          return;
        }
        if (opened !== socket || !wasOpen || code === 1000 || (code >= 4400 && code < 4600)) return;
        live.on = false;
        reconnectLater();
      },
    });
    return opened;
  }

  async function deliverOnce(event) {
    if (useSocket) {
      socket ??= newSocket();
      try {
        return await socket.send(event);
      } catch (error) {
        if (!(error instanceof SocketUnavailable)) throw error;
        if (!navigator.onLine) throw new GatewayError(TEXT.error); // offline: not the proxy's fault
        useSocket = false; // a proxy or the network refuses WebSockets: HTTP from now on
        socket = null;
      }
    }
    return request("POST", api.messages(conversationId), httpBody(event));
  }

  async function deliver(event) {
    if (!conversationId) await startConversation();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await deliverOnce(event);
      } catch (error) {
        if (SESSION_GONE.includes(error.status)) {
          await startConversation(); // the stored conversation or its session no longer exists
          return deliverOnce(event);
        }
        // Unanswered: sent again, same id, on a new socket (or HTTP) through the load balancer.
        if (!RESENDABLE.includes(error.status) || attempt >= RESEND_DELAYS_MS.length) throw error;
        await new Promise((resume) => setTimeout(resume, RESEND_DELAYS_MS[attempt]));
      }
    }
  }

  let typingTimer = null;
  function setTyping(active, text = TEXT.typing) {
    clearTimeout(typingTimer);
    typing.replaceChildren();
    if (active) {
      typing.append(
        element("span", { className: "aw-dots", "aria-hidden": "true" }, element("span"), element("span"), element("span")),
        text,
      );
    }
  }

  // An agent typing is told every few seconds while it lasts: it fades when it is not.
  function showAgentTyping() {
    if (busy) return;
    setTyping(true, TEXT.agentTyping);
    typingTimer = setTimeout(() => setTyping(false), AGENT_TYPING_MS);
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    setTyping(value);
  }

  // `shown` is what the citizen sees in the history (a button's title, "Lokasi dibagikan").
  // Each message carries a `client_message_id` (a UUID) that stays the same when it is resent,
  // so the gateway can drop a copy it already stored. Offline, or behind messages still
  // waiting, it goes to the outbox and leaves when the connection is back, in order.
  async function send(event, shown) {
    if (busy) return;
    keepPlaceAfterChoice();
    disableOldChoices();
    const message = { ...event, client_message_id: newClientMessageId() };
    const mine = render({ author: "citizen", text: shown });
    if (!navigator.onLine || outbox.items.length) {
      queueMessage(mine, message);
      flushOutbox();
      return;
    }
    setBusy(true);
    sends += 1;
    try {
      settle(mine, await deliver(message));
    } catch (error) {
      if (isOffline(error)) queueMessage(mine, message);
      else refused(mine, message, error);
    } finally {
      setBusy(false);
      if (!usedTouch()) input.focus(); // on phones, don't pop the keyboard up after a tap
    }
  }

  // The clicked button is about to be disabled: a keyboard user keeps their place in the text
  // box; after a tap the focus stays in the panel, away from the text box and its keyboard.
  function keepPlaceAfterChoice() {
    const active = shadow.activeElement;
    if (!active || !active.classList.contains("aw-choice")) return;
    if (usedTouch()) panel.focus({ preventScroll: true });
    else input.focus();
  }

  // The gateway took the message: the bubble shows it as stored, then the answers.
  function settle(mine, result) {
    renewSession(result.session_token);
    shownIds.add(result.message_id);
    // A shared phone or a warnet PC: the typed NIK or birth date leaves the screen once
    // the turn is over, as the stored history (and a reload) shows it.
    if (typeof result.text === "string") setText(mine.querySelector(".aw-text"), result.text);
    result.replies.forEach((reply) => show(reply));
    goLive();
  }

  // The gateway refused the message. Too long: it goes back into the box, with the reason.
  function refused(mine, message, error) {
    const text = error instanceof GatewayError ? error.message : TEXT.error;
    if (message.type === "text" && error instanceof GatewayError && (error.code === "too_long" || error.status === 413)) {
      mine.remove();
      if (!input.value) input.value = message.text;
      fitInput();
      checkLength(true);
      return;
    }
    renderError(text);
  }

  function isOffline(error) {
    return !navigator.onLine && error instanceof GatewayError && error.status === 0;
  }

  function shareLocation() {
    if (busy) return;
    if (!navigator.geolocation) {
      renderError(TEXT.locationFailed);
      return;
    }
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => send(
        { type: "location", latitude: coords.latitude, longitude: coords.longitude },
        TEXT.locationShared,
      ),
      () => renderError(TEXT.locationFailed),
      { timeout: 15000, maximumAge: 60000 },
    );
  }

  async function loadHistory() {
    if (conversationId) await loadStoredHistory();
    showQueued();
    flushOutbox();
  }

  async function loadStoredHistory() {
    log.setAttribute("aria-busy", "true"); // don't read the whole history aloud
    try {
      let offlineCopy = false;
      const history = await request(
        "GET", `${api.messages(conversationId)}?limit=${HISTORY_LIMIT}`, null,
        (response) => { offlineCopy = response.headers.get("X-AW-Offline") === "1"; },
      );
      // The service worker's copy, offline: the session's idle expiry still applies.
      if (offlineCopy && await idleTooLong()) {
        endSession(TEXT.expired);
        return;
      }
      const lastCitizen = history.messages.map((message) => message.author).lastIndexOf("citizen");
      history.messages.forEach((message, index) => show(message, index > lastCitizen));
      live.cursor = Math.max(0, ...history.messages.map((message) => message.id));
      goLive();
    } catch (error) {
      if (SESSION_GONE.includes(error.status)) endSession(error.status === 404 ? null : TEXT.expired);
    } finally {
      log.removeAttribute("aria-busy");
    }
  }

  // --- Hearing from agents --------------------------------------------------------------------

  // Keeps the conversation's socket open (pushes arrive on it), or polls on the HTTP fallback.
  // `cursor`: the newest message id heard from the gateway without asking (history, pushes,
  // polls); a poll asks for what came after it.
  const live = {
    on: false, cursor: 0, socketWorked: false, poller: null, retry: null, retries: 0, polling: false,
  };

  async function goLive() {
    if (live.on || !conversationId) return;
    live.on = true;
    if (!useSocket) {
      live.poller ??= setInterval(poll, POLL_MS);
      return;
    }
    socket ??= newSocket();
    const opened = socket;
    try {
      await opened.open();
      live.socketWorked = true;
      live.retries = 0;
      poll(true); // what was said while the socket was closed
      flushOutbox(); // what was written while it was closed
    } catch (error) {
      if (opened !== socket) return; // reset meanwhile
      live.on = false;
      socket = null;
      if (!(error instanceof SocketUnavailable)) return; // refused: the next message tells
      if (!navigator.onLine) return; // offline: back when the connection is ("online")
      if (live.socketWorked) {
        reconnectLater();
      } else {
        useSocket = false; // a proxy or the network refuses WebSockets: HTTP from now on
        goLive();
      }
    }
  }

  function reconnectLater() {
    const delay = Math.min(RECONNECT_MAX_MS, 1000 * 2 ** live.retries);
    live.retries += 1;
    clearTimeout(live.retry);
    live.retry = setTimeout(goLive, delay);
  }

  function stopLive() {
    if (socket) socket.close();
    socket = null;
    clearInterval(live.poller);
    clearTimeout(live.retry);
    Object.assign(live, { on: false, cursor: 0, poller: null, retry: null, retries: 0 });
  }

  async function poll(always = false) {
    if (busy || live.polling || !conversationId || (document.hidden && !always)) return;
    live.polling = true;
    const id = conversationId;
    const sendsBefore = sends;
    try {
      const page = await request("GET", `${api.messages(id)}?after=${live.cursor}`);
      // A message sent meanwhile would show twice (once as sent, once polled): ask again later.
      if (id !== conversationId || busy || sends !== sendsBefore) return;
      page.messages.forEach(showHeard);
    } catch (error) {
      if (SESSION_GONE.includes(error.status)) endSession(TEXT.expired); // otherwise ask again next time
    } finally {
      live.polling = false;
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && live.poller) poll();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (busy || !text) return; // keep the text until the previous answer is in
    if (!checkLength(true)) { // too long: it stays in the box, with the reason
      input.focus();
      return;
    }
    input.value = "";
    fitInput();
    checkLength();
    send({ type: "text", text }, text);
  });

  // Enter sends; Shift+Enter starts a new line.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  function fitInput() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 128)}px`;
  }
  input.addEventListener("input", () => {
    fitInput();
    checkLength();
    seen.typing();
  });

  resetButton.addEventListener("click", () => {
    if (busy) return; // the answer on its way belongs to this conversation
    endSession(null);
    input.focus();
  });

  // "Hapus percakapan": asks first, then deletes the conversation at the gateway and here.
  let confirming = null;
  eraseButton.addEventListener("click", () => {
    if (busy || confirming) return;
    if (!conversationId) {
      endSession(TEXT.erased);
      return;
    }
    const yes = element("button", { type: "button", className: "aw-choice aw-erase-yes" }, TEXT.eraseYes);
    const no = element("button", { type: "button", className: "aw-choice aw-erase-no" }, TEXT.eraseNo);
    confirming = element(
      "li", { className: "aw-msg aw-msg--system aw-confirm" },
      element("div", { className: "aw-text" }, TEXT.eraseAsk),
      element("div", { className: "aw-choices", role: "group", "aria-label": TEXT.erase }, yes, no),
    );
    log.append(confirming);
    scrollToEnd();
    yes.focus();
    no.addEventListener("click", () => { confirming.remove(); confirming = null; input.focus(); });
    yes.addEventListener("click", async () => {
      yes.disabled = no.disabled = true;
      try {
        await request("DELETE", `${options.gateway}/api/v1/conversations/${encodeURIComponent(conversationId)}`);
      } catch (error) {
        if (!SESSION_GONE.includes(error.status)) {
          yes.disabled = no.disabled = false;
          renderError(error.message);
          return;
        }
      }
      confirming = null;
      endSession(TEXT.erased);
    });
  });

  // --- The opening: topics, privacy note, limits --------------------------------------------

  // From the gateway (GET /api/v1/widget), never written here: the nine services as buttons,
  // the one-line privacy note, the message length limit and the session's idle expiry.
  const limits = { maxChars: null, idleMinutes: null };
  const openingLoaded = loadOpening();

  async function loadOpening() {
    let config;
    try {
      const response = await fetch(api.opening);
      if (!response.ok) return;
      config = await response.json();
    } catch {
      return; // no topics and no counter: typing still works, the gateway still checks
    }
    limits.maxChars = positiveInteger(config.max_message_chars);
    limits.idleMinutes = positiveInteger(config.idle_minutes);
    const buttons = (Array.isArray(config.topics) ? config.topics : [])
      .filter((topic) => topic && typeof topic.title === "string" && typeof topic.payload === "string")
      .map(topicButton);
    topics.replaceChildren(...buttons);
    topics.hidden = buttons.length === 0;
    const privacy = config.privacy || {};
    const url = safeUrl(privacy.url);
    if (typeof privacy.text === "string") {
      privacyNote.replaceChildren(privacy.text);
      if (url && typeof privacy.link_text === "string") {
        privacyNote.append(" ", element(
          "a", { href: url, target: "_blank", rel: "noopener noreferrer" },
          privacy.link_text, element("span", { className: "aw-sr" }, ` ${TEXT.newTab}`),
        ));
      }
      privacyNote.hidden = false;
    }
    checkLength();
  }

  function positiveInteger(value) {
    return Number.isInteger(value) && value > 0 ? value : null;
  }

  // A topic is sent as the menu's own button would be.
  function topicButton(topic) {
    const button = element(
      "button", { type: "button", className: "aw-choice aw-topic" },
      element("span", { className: "aw-choice__title" }, topic.title),
    );
    button.addEventListener("click", () => send({ type: "button", payload: topic.payload, title: topic.title }, topic.title));
    return button;
  }

  // The counter shows from 90% of the limit; over it, the text stays in the box (`strict`: the
  // citizen tried to send it) with the reason, and the box is marked invalid.
  function checkLength(strict = false) {
    const limit = limits.maxChars;
    const length = [...input.value.trim()].length; // characters, as the gateway counts them
    const over = limit !== null && length > limit;
    counter.hidden = limit === null || length < limit * 0.9;
    if (!counter.hidden) counter.textContent = TEXT.counter(length, limit);
    counter.classList.toggle("aw-counter--over", over);
    if (over) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (over && (strict || limitAlert.textContent)) limitAlert.textContent = TEXT.overLimit(limit);
    if (!over) limitAlert.textContent = "";
    return !over;
  }

  // --- Offline: the outbox ---------------------------------------------------------------------

  // Messages written offline wait here (in localStorage, so a reload keeps them) with their
  // client_message_id, shown as "Menunggu koneksi", and leave in order once back online.
  // Reset, erase and expiry empty it, as they empty the history.
  const OUTBOX_KEY = `asistenWarga.outbox:${options.gateway}`;
  const outbox = {
    items: (() => {
      try {
        const saved = JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]");
        return Array.isArray(saved) ? saved.filter((entry) => entry && entry.message && entry.message.client_message_id) : [];
      } catch { return []; }
    })(),
    add(entry) {
      this.items.push(entry);
      this.save();
    },
    drop(id) {
      this.items = this.items.filter((entry) => entry.message.client_message_id !== id);
      this.save();
    },
    clear() {
      this.items = [];
      this.save();
    },
    save() {
      try {
        if (this.items.length) localStorage.setItem(OUTBOX_KEY, JSON.stringify(this.items));
        else localStorage.removeItem(OUTBOX_KEY);
      } catch { /* page only */ }
    },
  };

  // A UUID (v4); crypto.randomUUID needs a secure context, getRandomValues does not.
  function newClientMessageId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function markPending(mine, id) {
    mine.classList.add("aw-msg--pending");
    mine.dataset.clientMessageId = id;
    mine.append(element("span", { className: "aw-pending" }, icon("clock"), TEXT.pending));
  }

  function queueMessage(mine, message) {
    markPending(mine, message.client_message_id);
    outbox.add({ message, shown: mine.querySelector(".aw-text").textContent });
  }

  // After a reload: the waiting messages below the history.
  function showQueued() {
    for (const entry of outbox.items) {
      const mine = render({ author: "citizen", text: entry.shown });
      markPending(mine, entry.message.client_message_id);
    }
  }

  let flushing = false;

  async function flushOutbox() {
    if (flushing || busy || !navigator.onLine) return;
    flushing = true;
    try {
      while (outbox.items.length && navigator.onLine) {
        const { message } = outbox.items[0];
        const id = message.client_message_id;
        const mine = [...log.querySelectorAll(".aw-msg--pending")].find((node) => node.dataset.clientMessageId === id);
        setBusy(true);
        sends += 1;
        try {
          const result = await deliver(message);
          flushRetries = 0;
          outbox.drop(id);
          if (mine) settle(unpend(mine), result);
          log.append(...log.querySelectorAll(".aw-msg--pending")); // the answers before the next
          scrollToEnd();
        } catch (error) {
          if (error instanceof GatewayError && error.status === 0) { // not reachable yet: later
            flushLater();
            break;
          }
          outbox.drop(id);
          refused(mine ? unpend(mine) : render({ author: "citizen", text: "" }), message, error);
        } finally {
          setBusy(false);
        }
      }
    } finally {
      flushing = false;
    }
  }

  // "online" can come before the gateway is reachable: try again, less and less often.
  let flushRetries = 0;
  let flushTimer = null;
  function flushLater() {
    clearTimeout(flushTimer);
    if (!navigator.onLine) return; // the "online" event starts the next try
    flushTimer = setTimeout(flushOutbox, Math.min(RECONNECT_MAX_MS, 2000 * 2 ** flushRetries));
    flushRetries += 1;
  }

  function unpend(mine) {
    mine.classList.remove("aw-msg--pending");
    mine.querySelector(".aw-pending")?.remove();
    delete mine.dataset.clientMessageId;
    return mine;
  }

  // The service worker's offline copy of the history goes with the conversation.
  function forgetOfflineHistory() {
    if (location.origin !== new URL(options.gateway).origin || !window.caches) return;
    caches.delete("aw-history").catch(() => { /* nothing cached */ });
  }

  async function idleTooLong() {
    await openingLoaded;
    const saved = store.get();
    return Boolean(limits.idleMinutes && saved && saved.at && Date.now() - saved.at > limits.idleMinutes * 60000);
  }

  function showConnection() {
    offlineBar.hidden = navigator.onLine;
  }

  window.addEventListener("offline", () => {
    showConnection();
    // The socket would look open while nothing gets through: reopened when back online.
    if (socket) socket.close();
    socket = null;
    live.on = false;
    clearTimeout(live.retry);
  });
  window.addEventListener("online", () => {
    showConnection();
    live.retries = 0;
    if (!live.on) goLive();
    flushOutbox();
  });

  showConnection();

  // Files and photos (widget-attachments.js, docs/channels.md#files-and-photos): loaded from
  // the gateway, it gets what it needs once through this hook.
  window.asistenWargaFiles = (plugin) => {
    window.asistenWargaFiles = null;
    plugin({
      gateway: options.gateway, form, sendButton, element,
      session: () => ({ conversationId, sessionToken }),
      start: async () => { if (!conversationId) await startConversation(); },
      isBusy: () => busy,
      show: (message) => { disableOldChoices(); show(message); },
      notice: (text) => render({ author: "system", text }),
      renderFile: (renderer) => {
        files.render = renderer;
        for (const [item, content] of files.waiting.splice(0)) renderer(item, content);
      },
    });
  };
  document.head.append(element("script", { src: `${options.gateway}/widget-attachments.js`, defer: true }));

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
  loadHistory();
})();
