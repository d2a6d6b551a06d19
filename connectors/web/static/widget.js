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
    welcome:
      "Halo! Silakan tanyakan layanan publik kepada Asisten Warga, misalnya cara membuat KTP, " +
      "cek bansos, atau perpanjang SIM.",
    error: "Mohon maaf, pesan tidak dapat dikirim. Periksa koneksi Anda lalu coba lagi.",
    tooLong: "Mohon maaf, pesan Anda terlalu panjang. Silakan persingkat pesan Anda.",
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
  const HISTORY_LIMIT = 200;
  const POLL_MS = 3000;
  const RECONNECT_MAX_MS = 30000;

  const options = readOptions(script);
  // Files and photos: how widget-attachments.js shows them (see the hook at the end).
  const files = { render: null, waiting: [] };
  const api = {
    conversations: `${options.gateway}/api/v1/conversations`,
    messages: (id) => `${options.gateway}/api/v1/conversations/${encodeURIComponent(id)}/messages`,
    socket: (id) =>
      `${options.gateway.replace(/^http/, "ws")}/api/v1/conversations/${encodeURIComponent(id)}/ws`,
    stylesheet: `${options.gateway}/widget.css`,
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
      try { localStorage.setItem(STORAGE_KEY, JSON.stringify({ id, token })); } catch { /* page only */ }
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

  const log = element("ol", {
    className: "aw-log", role: "log", "aria-live": "polite", "aria-label": TEXT.log,
  });
  const welcome = element("p", { className: "aw-welcome" }, TEXT.welcome);
  const scroller = element("div", { className: "aw-body" }, welcome, log);
  const typing = element("p", { className: "aw-typing", role: "status", "aria-live": "polite" });
  const input = element("textarea", {
    id: "aw-text", rows: "1", placeholder: TEXT.placeholder, autocomplete: "off", enterkeyhint: "send",
  });
  const sendButton = element("button", { type: "submit", className: "aw-send" }, TEXT.send);
  const form = element(
    "form", { className: "aw-composer" },
    element("label", { for: "aw-text", className: "aw-sr" }, TEXT.label), input, sendButton,
  );
  const resetButton = element("button", { type: "button", className: "aw-reset" }, TEXT.reset);
  const eraseButton = element(
    "button", { type: "button", className: "aw-reset aw-erase", "aria-label": TEXT.erase, title: TEXT.erase },
    TEXT.eraseShort,
  );
  const heading = element("h2", { id: "aw-title" }, options.title);
  const header = element("header", { className: "aw-header" }, heading, eraseButton, resetButton);
  const panel = element(
    "section", { id: "aw-panel", className: "aw-panel", "aria-labelledby": "aw-title" },
    header, scroller, typing, form,
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
    launcher.addEventListener("click", () => setOpen(panel.hidden));
    closeButton.addEventListener("click", () => setOpen(false));
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") setOpen(false);
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
      scrollToEnd();
      input.focus();
    } else {
      launcher.focus();
    }
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
      button.addEventListener("click", () => send(event, choice.title));
    }
    return button;
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
        item.append(element("div", { className: "aw-text" }, content.text));
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
        if (content.caption) item.append(element("div", { className: "aw-text" }, content.caption));
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
        item.append(element("div", { className: "aw-text" }, content.text));
        const button = element("button", { type: "button", className: "aw-choice", disabled: !active }, content.button);
        button.addEventListener("click", shareLocation);
        item.append(element("div", { className: "aw-choices" }, button));
        return;
      }
      default: // "text", "request_contact" (the web has no verified number: the citizen types it)
        item.append(element("div", { className: "aw-text" }, content.text || ""));
        if (content.buttons && content.buttons.length) {
          item.append(choiceGroup(content.buttons, active, "button", content.text));
        }
    }
  }

  // Buttons stay clickable only on the latest answer (`active`). An agent's reply carries
  // their name above the bubble ("Sari (Petugas)"); system messages are notices.
  function render(message, active = true) {
    welcome.hidden = true;
    const item = element("li", { className: `aw-msg aw-msg--${message.author}` });
    let bubble = item;
    if (message.author === "agent") {
      bubble = element("div", { className: "aw-bubble" });
      item.append(element("span", { className: "aw-sender" }, message.sender_name || TEXT.agent), bubble);
    }
    const file = message.content && message.content.type === "attachment";
    if (message.content && (message.author !== "citizen" || file)) {
      renderContent(bubble, message.content, active);
    } else {
      bubble.append(element("div", { className: "aw-text" }, message.text));
      if (message.buttons && message.buttons.length) {
        bubble.append(choiceGroup(message.buttons, active, "button", message.text));
      }
    }
    if (message.author === "system") item.querySelector(".aw-text")?.prepend(icon("info"));
    log.append(item);
    scrollToEnd();
    return item;
  }

  // Each stored message is shown once: an answer, a pushed copy and a polled copy share an id.
  const shownIds = new Set();

  function show(message, active = true) {
    if (message.id != null) {
      if (shownIds.has(message.id)) return;
      shownIds.add(message.id);
    }
    if (message.author === "citizen") disableOldChoices(); // e.g. written in another tab
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
    if (!popup) render({ author: "system", text: TEXT.inapasBlocked });
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== new URL(options.gateway).origin) return;
    const data = event.data;
    if (!data || data.type !== INAPAS_MESSAGE || !conversationId) return;
    if (data.status === "ok") {
      send({ type: "button", payload: VERIFIED_PAYLOAD, title: TEXT.inapasDone }, TEXT.inapasDone);
    } else if (data.status === "failed") {
      render({ author: "system", text: TEXT.inapasFailed });
    }
  });

  // --- Talking to the gateway --------------------------------------------------------------

  class GatewayError extends Error {
    constructor(message, status = 0) {
      super(message);
      this.status = status;
    }
  }
  class SocketUnavailable extends Error {}

  async function request(method, url, body) {
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

    receive(data) {
      let frame;
      try { frame = JSON.parse(data); } catch { return; }
      if (frame.type === "typing") setTyping(Boolean(frame.active));
      if (frame.session_token) renewSession(frame.session_token);
      if (frame.type === "message" && frame.message) this.onMessage(frame.message);
      const waiter = frame.id != null && this.waiting.get(String(frame.id));
      if (!waiter || (frame.type !== "result" && frame.type !== "error")) return;
      this.waiting.delete(String(frame.id));
      clearTimeout(waiter.timer);
      if (frame.type === "result") waiter.resolve(frame);
      else waiter.reject(new GatewayError(frame.detail || TEXT.error, 400));
    }

    failAll(error) {
      // Sent but unanswered: the gateway may have stored them, so never resend.
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
    conversationId = null;
    sessionToken = null;
    shownIds.clear();
    log.replaceChildren();
    welcome.hidden = false;
    if (notice) render({ author: "system", text: notice });
  }

  const SESSION_GONE = [401, 403, 404];

  // The HTTP API takes a button's payload as `text` and its title as `metadata.button_title`.
  function httpBody(event) {
    if (event.type === "text") return { text: event.text };
    if (event.type === "location") {
      const { latitude, longitude } = event;
      return {
        text: `/share_location${JSON.stringify({ latitude, longitude })}`,
        metadata: { button_title: TEXT.locationShared, location: { latitude, longitude } },
      };
    }
    return { text: event.payload, metadata: { button_title: event.title } };
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
        useSocket = false; // a proxy or the network refuses WebSockets: HTTP from now on
        socket = null;
      }
    }
    return request("POST", api.messages(conversationId), httpBody(event));
  }

  async function deliver(event) {
    if (!conversationId) await startConversation();
    try {
      return await deliverOnce(event);
    } catch (error) {
      if (!SESSION_GONE.includes(error.status)) throw error;
      await startConversation(); // the stored conversation or its session no longer exists
      return deliverOnce(event);
    }
  }

  function setTyping(active) {
    typing.replaceChildren();
    if (active) {
      typing.append(
        element("span", { className: "aw-dots", "aria-hidden": "true" }, element("span"), element("span"), element("span")),
        TEXT.typing,
      );
    }
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    setTyping(value);
  }

  const coarsePointer = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;

  // `shown` is what the citizen sees in the history (a button's title, "Lokasi dibagikan").
  async function send(event, shown) {
    if (busy) return;
    setBusy(true);
    sends += 1;
    if (shadow.activeElement && shadow.activeElement.classList.contains("aw-choice")) {
      input.focus(); // the clicked button is about to be disabled: keep the keyboard user's place
    }
    disableOldChoices();
    const mine = render({ author: "citizen", text: shown });
    try {
      const result = await deliver(event);
      renewSession(result.session_token);
      shownIds.add(result.message_id);
      // A shared phone or a warnet PC: the typed NIK or birth date leaves the screen once
      // the turn is over, as the stored history (and a reload) shows it.
      if (typeof result.text === "string") mine.querySelector(".aw-text").textContent = result.text;
      result.replies.forEach((reply) => show(reply));
      goLive();
    } catch (error) {
      render({ author: "system", text: error instanceof GatewayError ? error.message : TEXT.error });
    } finally {
      setBusy(false);
      if (!coarsePointer) input.focus(); // on phones, don't pop the keyboard up after a tap
    }
  }

  function shareLocation() {
    if (busy) return;
    if (!navigator.geolocation) {
      render({ author: "system", text: TEXT.locationFailed });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => send(
        { type: "location", latitude: coords.latitude, longitude: coords.longitude },
        TEXT.locationShared,
      ),
      () => render({ author: "system", text: TEXT.locationFailed }),
      { timeout: 15000, maximumAge: 60000 },
    );
  }

  async function loadHistory() {
    if (!conversationId) return;
    log.setAttribute("aria-busy", "true"); // don't read the whole history aloud
    try {
      const history = await request("GET", `${api.messages(conversationId)}?limit=${HISTORY_LIMIT}`);
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
    const opening = socket;
    try {
      await opening.open();
      live.socketWorked = true;
      live.retries = 0;
      poll(true); // what was said while the socket was closed
    } catch (error) {
      if (opening !== socket) return; // reset meanwhile
      live.on = false;
      socket = null;
      if (!(error instanceof SocketUnavailable)) return; // refused: the next message tells
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
    input.value = "";
    fitInput();
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
  input.addEventListener("input", fitInput);

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
          render({ author: "system", text: error.message });
          return;
        }
      }
      confirming = null;
      endSession(TEXT.erased);
    });
  });

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
