// Asisten Warga agent console (issue 5): the queue, conversations handed off by the bot,
// agent-assist for phone callers and the supervisor's overview. It talks to the gateway's
// /console/api (cookie session) and listens on /console/ws for changes; the API contract is
// in docs/call-center.md. Plain JS: no build step, no dependencies, no external resources.
"use strict";

(() => {
  // The console's base path, from where this script came from (…/console/static/console.js).
  const BASE = new URL(document.currentScript.src).pathname.replace(/\/static\/console\.js$/, "");
  const API = `${BASE}/api`;
  const SOCKET_URL = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${BASE}/ws`;
  const PING_MS = 20000;
  const SAFETY_REFETCH_MS = 15000;
  const TICK_MS = 10000;
  const REFETCH_DEBOUNCE_MS = 200;
  const MAX_BACKOFF_MS = 30000;
  const ASSIST_KEY = "asistenWarga.console.assist";
  const TITLE = document.title;

  const TEXT = {
    network: "Tidak dapat terhubung ke server. Periksa koneksi Anda lalu coba lagi.",
    failed: "Permintaan gagal. Silakan coba lagi.",
    loginMissing: "Isi nama pengguna dan kata sandi.",
    sessionEnded: "Sesi Anda telah berakhir. Silakan masuk kembali.",
    taken: "Percakapan ini sudah diambil petugas lain.",
    claimed: "Percakapan diambil. Silakan sapa warga.",
    newInQueue: (count) => `${count} warga baru menunggu di antrean.`,
    handedBack: "Percakapan dikembalikan ke Asisten Warga.",
    closed: "Percakapan ditutup.",
    transferred: (target) => `Percakapan dialihkan ke ${target}.`,
    noteSaved: "Catatan disimpan.",
    statusSaved: (status) => `Status Anda: ${status}.`,
    reasonTooShort: "Tuliskan alasan minimal 5 karakter.",
    assistEnded: "Sesi bantuan diakhiri.",
    chooseDisposition: "Pilih hasil percakapan sebelum menutup.",
    confirmHandBack: {
      title: "Kembalikan ke Asisten Warga?",
      text: "Warga akan kembali dilayani bot dan percakapan ini keluar dari daftar Anda.",
      confirm: "Ya, kembalikan",
    },
    confirmClose: (disposition) => ({
      title: "Tutup percakapan?",
      text: `Hasil: ${disposition}. Warga menerima pesan penutup sesuai hasil ini dan diminta menilai layanan.`,
      confirm: "Ya, tutup",
    }),
    chooseTransfer: "Pilih petugas atau tim tujuan.",
    notYours: {
      queued: "Percakapan ini masih menunggu di antrean.",
      callback: "Warga ini meminta ditelepon kembali.",
      ticket: "Warga ini menunggu tindak lanjut tiketnya.",
      offered: "Warga ini ditawari telepon balik atau tiket.",
      closed: "Percakapan ini sudah ditutup.",
      returned: "Percakapan ini sudah dikembalikan ke Asisten Warga.",
      active: (name) => `Percakapan ini sedang dilayani ${name}.`,
    },
    connection: { online: "Terhubung", connecting: "Menyambungkan…", offline: "Terputus, menyambung ulang…" },
    noIdentity: "Identitas warga belum diverifikasi dalam percakapan ini.",
    noCases: "Tidak ada kasus.",
    noNotes: "Belum ada catatan.",
    noEntities: "Tidak ada keterangan yang dikenali.",
    noUnderstanding: "Pemahaman asisten tidak tersedia untuk ucapan ini. Jawabannya tetap ditampilkan.",
    agentsGroup: "Petugas",
    teamsGroup: "Tim",
    chooseTarget: "Pilih tujuan…",
    offlineAgent: "luring",
    activeCount: (count) => `${count} aktif`,
    buttonsShown: "Tombol yang ditampilkan kepada warga",
    choicesLabel: "Pilihan untuk penelepon",
    empty: "Tidak ada data.",
  };

  const LABELS = {
    state: {
      queued: "Menunggu", active: "Dilayani", offered: "Ditawari alternatif", callback: "Minta ditelepon",
      ticket: "Tiket", closed: "Ditutup", returned: "Kembali ke bot",
    },
    reason: { citizen_request: "Permintaan warga", repeated_miss: "Bot tidak memahami", escalation: "Eskalasi", undelivered: "Pesan tidak terkirim", bot_unavailable: "Bot tidak dapat menjawab" },
    channel: { web: "Web", telegram: "Telegram", whatsapp: "WhatsApp", assist: "Telepon" },
    disposition: {
      resolved: "Selesai", unresolved: "Belum terselesaikan", follow_up: "Perlu tindak lanjut",
      abusive: "Kasar / penyalahgunaan", abandoned: "Ditinggalkan warga",
    },
    status: { available: "Tersedia", away: "Istirahat" },
    role: { agent: "Petugas", supervisor: "Supervisor" },
    author: { citizen: "Warga", bot: "Asisten Warga", agent: "Petugas", system: "Sistem" },
    caseKind: {
      population_application: "Permohonan kependudukan", complaint: "Pengaduan", skck: "SKCK",
      billing: "Tagihan", contact_request: "Permintaan dihubungi",
    },
  };

  // --- DOM -----------------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value == null) continue;
      if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    node.append(...children.filter((child) => child != null)); // text nodes: never innerHTML
    return node;
  }

  // replaceChildren, skipping what is absent (null would be written as "null").
  function fill(node, ...children) {
    node.replaceChildren(...children.filter((child) => child != null));
  }

  const ui = {
    loginView: $("login-view"), loginForm: $("login-form"), loginError: $("login-error"),
    username: $("login-username"), password: $("login-password"),
    app: $("app"), main: $("main"), tabs: document.querySelectorAll(".tabs__item"),
    supervisorTab: document.querySelector('.tabs__item[data-view="supervisor"]'),
    queueBadge: $("queue-badge"), connection: $("connection"),
    statusInputs: document.querySelectorAll('input[name="agent-status"]'),
    meName: $("me-name"), meRole: $("me-role"), logout: $("logout"),
    views: {
      conversations: $("view-conversations"), assist: $("view-assist"), history: $("view-history"),
      supervisor: $("view-supervisor"),
    },
    queueList: $("queue-list"), queueEmpty: $("queue-empty"), queueCount: $("queue-count"),
    mineList: $("mine-list"), mineEmpty: $("mine-empty"), mineCount: $("mine-count"),
    conversationEmpty: $("conversation-empty"), conversationBody: $("conversation-body"),
    conversationTitle: $("conversation-title"), conversationMeta: $("conversation-meta"),
    conversationState: $("conversation-state"), banner: $("conversation-banner"),
    handBack: $("hand-back"), closeForm: $("close-form"), disposition: $("close-disposition"),
    closeError: $("close-error"),
    transcript: $("transcript"), replyForm: $("reply-form"), replyText: $("reply-text"),
    cannedSelect: $("canned-select"), cannedInsert: $("canned-insert"),
    details: $("details"), identity: $("identity"), cases: $("cases"), notes: $("notes"),
    noteForm: $("note-form"), noteText: $("note-text"), transferForm: $("transfer-form"),
    transferTarget: $("transfer-target"), events: $("events"),
    assistStart: $("assist-start"), assistStartForm: $("assist-start-form"), assistReason: $("assist-reason"),
    assistStartError: $("assist-start-error"), assistSession: $("assist-session"),
    assistSessionTitle: $("assist-session-title"), assistReasonShown: $("assist-reason-shown"),
    assistEnd: $("assist-end"), assistTranscript: $("assist-transcript"), assistForm: $("assist-form"),
    assistText: $("assist-text"), understood: $("understood"),
    supervisorRefresh: $("supervisor-refresh"), supervisorError: $("supervisor-error"),
    counters: $("counters"), loadTable: $("load-table"), todayTable: $("today-table"),
    announcer: $("announcer"), toasts: $("toasts"),
  };

  // Polite announcements for screen readers (the live region must change to be read).
  function announce(text) {
    ui.announcer.textContent = "";
    setTimeout(() => { ui.announcer.textContent = text; }, 50);
  }

  function toast(text, kind = "info") {
    const item = element("p", { className: `toast toast--${kind}`, role: kind === "error" ? "alert" : null }, text);
    if (kind !== "error") announce(text);
    ui.toasts.append(item);
    setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
  }

  // --- Formatting ----------------------------------------------------------------------------

  const timeFormat = new Intl.DateTimeFormat("id-ID", { hour: "2-digit", minute: "2-digit" });
  // Dates as citizens and agents write them: "17 Agustus 2025 14.05".
  const dateTimeFormat = new Intl.DateTimeFormat("id-ID", {
    day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
  });

  function formatTime(value) {
    if (!value) return "";
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return "";
    const today = new Date().toDateString() === date.toDateString();
    return (today ? timeFormat : dateTimeFormat).format(date);
  }

  function formatDuration(seconds, { precise = false } = {}) {
    const total = Math.max(0, Math.round(seconds || 0));
    if (total < 60) return `${total} dtk`;
    const minutes = Math.floor(total / 60);
    if (minutes < 60) return precise && total % 60 ? `${minutes} mnt ${total % 60} dtk` : `${minutes} mnt`;
    return `${Math.floor(minutes / 60)} j ${minutes % 60} mnt`;
  }

  const label = (group, value) => (value == null ? "—" : LABELS[group]?.[value] || value);
  const percent = (value) => (typeof value === "number" ? `${Math.round(value * 100)}%` : "—");

  // --- Talking to the gateway ----------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    let response;
    try {
      response = await fetch(`${API}${path}`, {
        method,
        credentials: "same-origin",
        headers: body ? { "Content-Type": "application/json" } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch {
      throw new ApiError(TEXT.network, 0);
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401 && state.me) leave(TEXT.sessionEnded);
      const detail = data && typeof data.detail === "string" ? data.detail : TEXT.failed;
      throw new ApiError(detail, response.status);
    }
    return data;
  }

  // Runs `task` once after a short pause however often it is asked for meanwhile.
  const pending = new Map();
  function soon(key, task) {
    if (pending.has(key)) return;
    pending.set(key, setTimeout(() => {
      pending.delete(key);
      task().catch(reportQuietly);
    }, REFETCH_DEBOUNCE_MS));
  }

  // Background refreshes fail quietly (the connection indicator and the next refresh tell).
  function reportQuietly(error) {
    if (!(error instanceof ApiError)) console.error(error);
  }

  function reportError(error) {
    if (error instanceof ApiError && error.status === 401) return; // back at the login form
    toast(error instanceof ApiError ? error.message : TEXT.failed, "error");
    if (!(error instanceof ApiError)) console.error(error);
  }

  // --- State ---------------------------------------------------------------------------------

  const state = {
    me: null,
    view: "conversations",
    queue: [],
    mine: [],
    knownQueue: null, // ids seen in the queue, to announce newcomers
    fetchedAt: 0,
    detail: null,
    rendered: new Set(), // message ids in the transcript shown
    drafts: new Map(), // hand-off id -> unsent reply
    teams: [],
    canned: [],
    assist: null,
    assistBusy: false,
    timers: [],
  };

  // --- Login, session ------------------------------------------------------------------------

  function showLogin(message = "") {
    ui.app.hidden = true;
    ui.loginView.hidden = false;
    ui.loginError.textContent = message;
    ui.password.value = "";
    document.title = TITLE;
    (ui.username.value ? ui.password : ui.username).focus();
  }

  ui.loginForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const username = ui.username.value.trim();
    const password = ui.password.value;
    if (!username || !password) {
      ui.loginError.textContent = TEXT.loginMissing;
      return;
    }
    const button = ui.loginForm.querySelector("button");
    button.disabled = true;
    ui.loginError.textContent = "";
    try {
      const result = await api("POST", "/login", { username, password });
      ui.password.value = "";
      await enter(result.agent);
    } catch (error) {
      ui.loginError.textContent = error.message;
      ui.password.select();
    } finally {
      button.disabled = false;
    }
  });

  async function enter(agent) {
    state.me = agent;
    document.dispatchEvent(new CustomEvent("console:enter", { detail: { agent } }));
    ui.loginView.hidden = true;
    ui.app.hidden = false;
    renderMe();
    ui.supervisorTab.hidden = agent.role !== "supervisor";
    showView(viewFromHash(), { focus: false });
    ui.main.focus();
    connect();
    state.timers.push(setInterval(safetyRefetch, SAFETY_REFETCH_MS), setInterval(tick, TICK_MS));
    await Promise.all([
      refreshLists(),
      loadReferenceData(),
      restoreAssist(),
    ].map((task) => task.catch(reportError)));
  }

  // Back to the login form: logged out, or the session ended (401, or the socket's 4401).
  function leave(message = "") {
    if (!state.me) return;
    state.me = null;
    document.dispatchEvent(new CustomEvent("console:leave"));
    disconnect();
    state.timers.forEach(clearInterval);
    state.timers = [];
    pending.forEach(clearTimeout);
    pending.clear();
    state.queue = [];
    state.mine = [];
    state.knownQueue = null;
    state.drafts.clear();
    clearConversation();
    renderLists();
    showLogin(message);
  }

  ui.logout.addEventListener("click", async () => {
    try {
      await api("POST", "/logout");
    } catch (error) {
      if (error.status !== 401) {
        reportError(error);
        return;
      }
    }
    forgetAssist();
    leave();
  });

  function renderMe() {
    const me = state.me;
    ui.meName.textContent = me.display_name;
    ui.meRole.textContent = label("role", me.role);
    for (const input of ui.statusInputs) input.checked = input.value === me.status;
  }

  for (const input of ui.statusInputs) {
    input.addEventListener("change", async () => {
      if (!input.checked || !state.me) return;
      try {
        state.me = await api("PUT", "/me/status", { status: input.value });
        toast(TEXT.statusSaved(label("status", state.me.status)));
      } catch (error) {
        reportError(error);
      }
      if (state.me) renderMe();
    });
  }

  async function loadReferenceData() {
    const [teams, canned] = await Promise.all([api("GET", "/teams"), api("GET", "/canned-replies")]);
    state.teams = teams;
    state.canned = canned;
    ui.cannedSelect.replaceChildren(
      element("option", { value: "" }, "Pilih balasan…"),
      ...canned.map((reply) => element("option", { value: String(reply.id), title: reply.text }, reply.title)),
    );
  }

  // --- Views ---------------------------------------------------------------------------------

  const HASHES = {
    "#percakapan": "conversations", "#bantu": "assist", "#riwayat": "history", "#supervisor": "supervisor",
  };

  function viewFromHash() {
    const view = HASHES[location.hash] || "conversations";
    return view === "supervisor" && state.me?.role !== "supervisor" ? "conversations" : view;
  }

  function showView(view, { focus = true } = {}) {
    state.view = view;
    for (const [name, section] of Object.entries(ui.views)) section.hidden = name !== view;
    for (const tab of ui.tabs) {
      if (tab.dataset.view === view) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    }
    if (view === "supervisor") refreshSupervisor().catch(showSupervisorError);
    emit("view", { view }); // history.js: the history search and the audit log
    if (focus) ui.main.focus();
  }

  window.addEventListener("hashchange", () => {
    if (state.me) showView(viewFromHash());
  });

  // --- Live updates: the console WebSocket, with a slow refetch as a safety net ------------

  const live = { socket: null, attempts: 0, ping: null, retry: null };

  function connect() {
    if (!state.me || live.socket) return;
    setConnection("connecting");
    let ws;
    try {
      ws = new WebSocket(SOCKET_URL);
    } catch {
      reconnectLater();
      return;
    }
    live.socket = ws;
    ws.addEventListener("open", () => {
      live.attempts = 0;
      setConnection("online");
      live.ping = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ping" }));
      }, PING_MS);
      refreshAll(); // whatever changed while we were away
    });
    ws.addEventListener("message", (event) => receive(event.data));
    ws.addEventListener("close", (event) => {
      clearInterval(live.ping);
      if (live.socket !== ws) return; // closed on purpose
      live.socket = null;
      if (event.code === 4401) {
        leave(TEXT.sessionEnded);
        return;
      }
      reconnectLater();
    });
  }

  function reconnectLater() {
    setConnection("offline");
    // Exponential backoff with jitter: 1 s, 2 s, 4 s … up to 30 s.
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** live.attempts) * (0.5 + Math.random() / 2);
    live.attempts += 1;
    clearTimeout(live.retry);
    live.retry = setTimeout(connect, delay);
  }

  function disconnect() {
    clearTimeout(live.retry);
    clearInterval(live.ping);
    const ws = live.socket;
    live.socket = null;
    if (ws) ws.close(1000);
    setConnection("connecting");
  }

  function setConnection(value) {
    ui.connection.dataset.state = value;
    ui.connection.textContent = TEXT.connection[value];
  }

  function receive(data) {
    let frame;
    try { frame = JSON.parse(data); } catch { return; }
    if (frame.type === "queue") {
      soon("lists", refreshLists);
    } else if (frame.type === "handoff") {
      soon("lists", refreshLists);
      if (state.detail && state.detail.id === frame.id) soon("detail", refreshDetail);
    } else if (frame.type === "read") {
      if (state.detail && state.detail.id === frame.id) soon("detail", refreshDetail);
      return;
    } else {
      document.dispatchEvent(new CustomEvent("console:frame", { detail: frame })); // typing.js
      return;
    }
    if (state.view === "supervisor") soon("supervisor", refreshSupervisor);
  }

  function refreshAll() {
    soon("lists", refreshLists);
    if (state.detail) soon("detail", refreshDetail);
    if (state.view === "supervisor") soon("supervisor", refreshSupervisor);
  }

  function safetyRefetch() {
    if (!state.me) return;
    refreshLists().catch(reportQuietly);
    if (state.view === "supervisor") refreshSupervisor().catch(reportQuietly);
    // With the socket up, the open conversation is refetched on its events only: every
    // fetch of it may show the citizen's identity, which is written to the audit log.
    if (state.detail && !(live.socket && live.socket.readyState === WebSocket.OPEN)) {
      refreshDetail().catch(reportQuietly);
    }
  }

  // Waiting times move on between fetches.
  function tick() {
    const elapsed = (Date.now() - state.fetchedAt) / 1000;
    document.querySelectorAll("[data-waiting]").forEach((node) => {
      node.textContent = formatDuration(Number(node.dataset.waiting) + elapsed);
    });
  }

  // --- Queue and my conversations ------------------------------------------------------------

  async function refreshLists() {
    if (!state.me) return;
    const [queue, mine] = await Promise.all([
      api("GET", "/handoffs?scope=queue"),
      api("GET", "/handoffs?scope=mine"),
    ]);
    if (!state.me) return;
    const newcomers = state.knownQueue ? queue.filter((item) => !state.knownQueue.has(item.id)) : [];
    state.knownQueue = new Set(queue.map((item) => item.id));
    state.queue = queue;
    state.mine = mine;
    state.fetchedAt = Date.now();
    renderLists();
    if (newcomers.length) {
      announce(TEXT.newInQueue(newcomers.length));
      document.dispatchEvent(new CustomEvent("console:newcomers", { detail: { handoffs: newcomers } }));
    }
  }

  function renderLists() {
    keepFocus(ui.queueList, () => {
      ui.queueList.replaceChildren(...state.queue.map(queueCard));
    });
    keepFocus(ui.mineList, () => {
      ui.mineList.replaceChildren(...state.mine.map(mineCard));
    });
    ui.queueEmpty.hidden = state.queue.length > 0;
    ui.mineEmpty.hidden = state.mine.length > 0;
    ui.queueCount.textContent = String(state.queue.length);
    ui.mineCount.textContent = String(state.mine.length);
    ui.queueBadge.hidden = state.queue.length === 0;
    ui.queueBadge.textContent = String(state.queue.length);
    document.title = state.queue.length && state.me ? `(${state.queue.length}) ${TITLE}` : TITLE;
  }

  // Lists are redrawn on every change: the keyboard user stays on the same control.
  function keepFocus(list, redraw) {
    const active = document.activeElement;
    const key = list.contains(active) ? active.dataset.focusKey : null;
    redraw();
    if (key) {
      const again = list.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
      (again || list.closest("section")).focus?.();
    }
  }

  // The channel first: long team names are cut at the end.
  const teamLine = (handoff) => `${label("channel", handoff.channel)} · ${handoff.team_name || handoff.team}`;

  function waiting(handoff) {
    return element("span", { className: "card__wait", "data-waiting": String(handoff.waiting_seconds || 0) },
      formatDuration(handoff.waiting_seconds));
  }

  function queueCard(handoff) {
    const titleId = `queue-${handoff.id}-title`;
    const extra = [];
    if (handoff.state === "callback" && handoff.callback_phone) {
      extra.push(element("p", { className: "card__extra" }, `Telepon balik: ${handoff.callback_phone}`));
    }
    if (handoff.case_number) extra.push(element("p", { className: "card__extra" }, `Tiket: ${handoff.case_number}`));
    const claim = element("button", {
      type: "button", className: "button button--primary button--small",
      "aria-describedby": titleId, "data-focus-key": `claim-${handoff.id}`,
    }, "Ambil");
    claim.addEventListener("click", () => claimHandoff(handoff.id, claim));
    const preview = element("button", {
      type: "button", className: "button button--small", "aria-describedby": titleId,
      "data-focus-key": `preview-${handoff.id}`,
    }, "Lihat");
    preview.addEventListener("click", () => emit("preview", { id: handoff.id }));
    return element("li", { className: "card" },
      element("div", { className: "card__top" },
        element("p", { className: "card__title", id: titleId, title: handoff.team_name },
          handoff.position ? element("span", { className: "card__position" }, `#${handoff.position}`) : null,
          teamLine(handoff)),
        waiting(handoff)),
      handoff.preview ? element("p", { className: "card__preview" }, handoff.preview) : null,
      ...extra,
      element("div", { className: "card__bottom" },
        element("p", { className: "card__tags" },
          element("span", { className: "tag" }, label("reason", handoff.reason)),
          handoff.state !== "queued"
            ? element("span", { className: "tag tag--warn" }, label("state", handoff.state)) : null),
        element("span", { className: "card__actions" }, preview, claim)),
    );
  }

  function mineCard(handoff) {
    const selected = state.detail && state.detail.id === handoff.id;
    const button = element("button", {
      type: "button", className: "card__select", "aria-current": selected ? "true" : null,
      "data-focus-key": `open-${handoff.id}`,
    },
    element("span", { className: "card__top" },
      element("span", { className: "card__title" }, teamLine(handoff)),
      element("span", { className: "card__wait" }, formatTime(handoff.claimed_at))),
    handoff.preview ? element("span", { className: "card__preview" }, handoff.preview) : null);
    button.addEventListener("click", () => openHandoff(handoff.id).catch(reportError));
    return element("li", { className: `card card--mine${selected ? " card--selected" : ""}` }, button);
  }

  async function claimHandoff(id, button) {
    button.disabled = true;
    try {
      const detail = await api("POST", `/handoffs/${id}/claim`);
      showDetail(detail);
      toast(TEXT.claimed, "success");
      ui.replyText.focus({ preventScroll: true });
      bringIntoView();
    } catch (error) {
      if (error.status === 409) toast(error.message || TEXT.taken, "error");
      else reportError(error);
      button.disabled = false;
    } finally {
      await refreshLists().catch(reportQuietly);
    }
  }

  // --- The selected conversation -------------------------------------------------------------

  async function openHandoff(id) {
    const detail = await api("GET", `/handoffs/${id}`);
    showDetail(detail);
    ui.conversationTitle.focus({ preventScroll: true });
    bringIntoView();
  }

  // The opened conversation at the top of the screen: on a phone the columns are stacked.
  function bringIntoView() {
    $("conversation").scrollIntoView({ block: "start" });
  }

  async function refreshDetail() {
    if (!state.detail) return;
    const id = state.detail.id;
    try {
      const detail = await api("GET", `/handoffs/${id}`);
      if (state.detail && state.detail.id === id) showDetail(detail);
    } catch (error) {
      if (error.status === 403 || error.status === 404) {
        if (state.detail && state.detail.id === id) clearConversation();
        return;
      }
      throw error;
    }
  }

  const isMine = (handoff) =>
    handoff.state === "active" && handoff.agent != null && state.me != null && handoff.agent.id === state.me.id;

  function showDetail(detail) {
    const switching = !state.detail || state.detail.id !== detail.id;
    if (switching) {
      saveDraft();
      ui.transcript.replaceChildren();
      state.rendered.clear();
      ui.replyText.value = state.drafts.get(detail.id) || "";
      ui.noteText.value = "";
      ui.disposition.value = "";
      ui.disposition.removeAttribute("aria-invalid");
      ui.closeError.textContent = "";
      loadTransferTargets().catch(reportQuietly);
    }
    state.detail = detail;
    const mine = isMine(detail);

    ui.conversationEmpty.hidden = true;
    ui.conversationBody.hidden = false;
    ui.details.hidden = false;
    ui.conversationTitle.textContent = `Warga · ${teamLine(detail)}`;
    const meta = [label("reason", detail.reason), `diminta ${formatTime(detail.requested_at)}`];
    if (detail.claimed_at) meta.push(`diambil ${formatTime(detail.claimed_at)}`);
    if (detail.callback_phone) meta.push(`telepon balik ${detail.callback_phone}`);
    if (detail.case_number) meta.push(`tiket ${detail.case_number}`);
    ui.conversationMeta.textContent = meta.join(" · ");
    ui.conversationState.textContent = label("state", detail.state);
    ui.conversationState.className = `tag tag--state-${detail.state}`;

    const notice = mine ? "" : bannerText(detail);
    ui.banner.hidden = !notice;
    ui.banner.textContent = notice;
    for (const control of [
      ...ui.replyForm.elements, ...ui.closeForm.elements, ...ui.transferForm.elements, ui.handBack,
    ]) control.disabled = !mine;

    renderTranscript(ui.transcript, detail.transcript || [], state.rendered, switching);
    renderIdentity(detail.identity);
    renderCases(detail.cases || []);
    renderNotes(detail.notes || []);
    renderEvents(detail.events || []);
    if (switching) emit("detail", { id: detail.id }); // history.js: earlier contacts
    renderLists(); // the selected card
  }

  function bannerText(detail) {
    if (detail.state === "active") {
      return TEXT.notYours.active(detail.agent ? detail.agent.display_name : "petugas lain");
    }
    return TEXT.notYours[detail.state] || "";
  }

  function clearConversation() {
    saveDraft();
    state.detail = null;
    state.rendered.clear();
    ui.transcript.replaceChildren();
    ui.conversationBody.hidden = true;
    ui.details.hidden = true;
    ui.conversationEmpty.hidden = false;
  }

  function saveDraft() {
    if (!state.detail) return;
    const text = ui.replyText.value;
    if (text.trim()) state.drafts.set(state.detail.id, text);
    else state.drafts.delete(state.detail.id);
  }

  // After hand-back, close or transfer the conversation is no longer ours.
  async function finish(text) {
    state.drafts.delete(state.detail.id);
    ui.replyText.value = "";
    clearConversation();
    toast(text, "success");
    ui.conversationEmpty.focus();
    await refreshLists().catch(reportQuietly);
  }

  // --- Transcript ----------------------------------------------------------------------------

  // A message's choices: its buttons, or a list's rows.
  function choicesOf(message) {
    const content = message.content || {};
    if (message.buttons && message.buttons.length) return message.buttons;
    if (content.buttons && content.buttons.length) return content.buttons;
    if (content.type === "list") return (content.sections || []).flatMap((section) => section.rows || []);
    return [];
  }

  function messageText(message) {
    const content = message.content || {};
    if (message.text) return message.text;
    if (content.text) return content.text;
    if (content.caption) return content.caption;
    if (content.type === "document") return `[Dokumen] ${content.filename || ""}`.trim();
    if (content.type === "image") return "[Gambar]";
    return "";
  }

  function authorName(message, citizenName) {
    if (message.author === "agent") return message.sender_name || LABELS.author.agent;
    if (message.author === "citizen") return citizenName;
    return LABELS.author[message.author] || message.author;
  }

  // `choices`: how a message's choices render; static chips unless a function makes buttons.
  function turn(message, { citizenName = LABELS.author.citizen, choiceButton = null } = {}) {
    const item = element("li", { className: `turn turn--${message.author}`, "data-id": message.id ?? null });
    item.append(element("p", { className: "turn__meta" },
      element("span", { className: "turn__who" }, authorName(message, citizenName)),
      message.created_at ? element("time", { datetime: message.created_at }, formatTime(message.created_at)) : null));
    const text = element("p", { className: "turn__text" }, messageText(message));
    const bubble = element("div", { className: "turn__bubble" }, text);
    const files = window.asistenWargaConsoleFiles; // console-attachments.js
    if (files && (message.content || {}).type === "attachment" && state.detail) {
      bubble.append(files.view(message.content, state.detail.id));
    }
    const choices = choicesOf(message);
    if (choices.length) {
      const list = choiceButton
        ? element("div", { className: "turn__choices", role: "group", "aria-label": TEXT.choicesLabel },
          ...choices.map(choiceButton))
        : element("ul", { className: "turn__choices", "aria-label": TEXT.buttonsShown },
          ...choices.map((choice) => element("li", { className: "chip" }, choice.title)));
      bubble.append(list);
    }
    item.append(bubble);
    if (message.author === "agent") item.append(element("p", { className: "turn__status" }, deliveryText(message)));
    return item;
  }

  // Whether the citizen has read an agent's message (web widget, WhatsApp), where known.
  const deliveryText = (message) => (message.delivery_status === "read" ? "✓✓ Dibaca" : "");

  // Appends the messages not shown yet; keeps the reader's place unless they were at the end.
  function renderTranscript(list, messages, rendered, reset, options = {}) {
    const atEnd = reset || list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    if (reset) list.setAttribute("aria-busy", "true"); // don't read the whole history aloud
    for (const message of messages) {
      if (message.id != null && rendered.has(message.id)) {
        const shown = list.querySelector(`[data-id="${CSS.escape(String(message.id))}"] .turn__status`);
        if (shown) shown.textContent = deliveryText(message);
        continue;
      }
      if (message.id != null) rendered.add(message.id);
      list.append(turn(message, options));
    }
    if (reset) list.removeAttribute("aria-busy");
    if (atEnd) list.scrollTop = list.scrollHeight;
  }

  ui.replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const detail = state.detail;
    const text = ui.replyText.value.trim();
    if (!detail || !text || !isMine(detail)) return;
    const button = ui.replyForm.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const message = await api("POST", `/handoffs/${detail.id}/messages`, { text });
      if (state.detail && state.detail.id === detail.id) {
        ui.replyText.value = "";
        state.drafts.delete(detail.id);
        renderTranscript(ui.transcript, [message], state.rendered, false);
        ui.transcript.scrollTop = ui.transcript.scrollHeight;
      }
    } catch (error) {
      reportError(error);
      if (error.status === 409) refreshDetail().catch(reportQuietly);
    } finally {
      button.disabled = !(state.detail && isMine(state.detail));
      ui.replyText.focus();
    }
  });

  // What console-attachments.js needs: the hand-off the agent may attach to, and the transcript.
  window.asistenWargaConsole = {
    api: API,
    handoff: () => (state.detail && isMine(state.detail) ? state.detail.id : null),
    append(message) {
      renderTranscript(ui.transcript, [message], state.rendered, false);
      ui.transcript.scrollTop = ui.transcript.scrollHeight;
    },
    announce,
    fail(detail, status) {
      if (status === 401 && state.me) leave(TEXT.sessionEnded);
      reportError(new ApiError(detail || TEXT.failed, status));
    },
  };

  // Enter sends; Shift+Enter starts a new line (the chat convention).
  function sendOnEnter(textarea, form) {
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }
  sendOnEnter(ui.replyText, ui.replyForm);

  // A canned reply goes where the cursor is (replacing a selection); the agent may edit it.
  ui.cannedInsert.addEventListener("click", () => {
    const reply = state.canned.find((item) => String(item.id) === ui.cannedSelect.value);
    if (!reply) {
      ui.cannedSelect.focus();
      return;
    }
    const input = ui.replyText;
    input.focus();
    input.setRangeText(reply.text, input.selectionStart, input.selectionEnd, "end");
    ui.cannedSelect.value = "";
  });

  ui.handBack.addEventListener("click", async () => {
    const detail = state.detail;
    if (!detail) return;
    if (!(await window.awConfirm(TEXT.confirmHandBack, ui.handBack))) return;
    ui.handBack.disabled = true;
    try {
      await api("POST", `/handoffs/${detail.id}/hand-back`);
      await finish(TEXT.handedBack);
    } catch (error) {
      reportError(error);
      ui.handBack.disabled = false;
    }
  });

  ui.disposition.addEventListener("change", () => {
    ui.disposition.removeAttribute("aria-invalid");
    ui.closeError.textContent = "";
  });

  ui.closeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const detail = state.detail;
    if (!detail) return;
    if (!ui.disposition.value) {
      ui.disposition.setAttribute("aria-invalid", "true");
      ui.closeError.textContent = TEXT.chooseDisposition;
      ui.disposition.focus();
      return;
    }
    const button = ui.closeForm.querySelector('button[type="submit"]');
    const chosen = label("disposition", ui.disposition.value);
    if (!(await window.awConfirm(TEXT.confirmClose(chosen), button))) return;
    button.disabled = true;
    try {
      await api("POST", `/handoffs/${detail.id}/close`, { disposition: ui.disposition.value });
      await finish(TEXT.closed);
    } catch (error) {
      reportError(error);
      button.disabled = false;
    }
  });

  // --- Citizen details, notes, transfer ------------------------------------------------------

  function definitions(pairs) {
    return element("dl", { className: "facts" }, ...pairs.flatMap(([term, value]) => [
      element("dt", {}, term), element("dd", {}, value),
    ]));
  }

  function renderIdentity(identity) {
    if (!identity) {
      ui.identity.replaceChildren(element("p", { className: "empty" }, TEXT.noIdentity));
      return;
    }
    const facts = [
      ["Nama", identity.name],
      ["NIK", identity.nik],
      ["Tanggal lahir", identity.birth_date],
      ["Wilayah", identity.region],
      ["Diverifikasi", [identity.verified_by, formatTime(identity.verified_at)].filter(Boolean).join(", ")],
    ].filter(([, value]) => value);
    ui.identity.replaceChildren(element("p", { className: "verified" }, "✓ Terverifikasi"), definitions(facts));
  }

  function renderCases(cases) {
    if (!cases.length) {
      ui.cases.replaceChildren(element("li", { className: "empty" }, TEXT.noCases));
      return;
    }
    ui.cases.replaceChildren(...cases.map((item) => element("li", { className: "case" },
      element("span", { className: "case__number" }, item.case_number),
      element("span", { className: "case__meta" },
        [label("caseKind", item.kind), item.status_label || item.status, formatTime(item.created_at)]
          .join(" · ")))));
  }

  function renderNotes(notes) {
    if (!notes.length) {
      ui.notes.replaceChildren(element("li", { className: "empty" }, TEXT.noNotes));
      return;
    }
    ui.notes.replaceChildren(...notes.map((note) => element("li", { className: "note" },
      element("p", { className: "note__meta" }, `${note.author || "Petugas"} · ${formatTime(note.created_at)}`),
      element("p", { className: "note__text" }, note.text))));
  }

  function renderEvents(events) {
    ui.events.replaceChildren(...events.map((item) => element("li", {},
      element("span", { className: "events__state" }, label("state", item.state)),
      ` ${formatTime(item.at)}`,
      item.agent ? ` · ${typeof item.agent === "string" ? item.agent : item.agent.display_name}` : "",
      item.detail ? ` · ${item.detail_label || eventDetail(item.detail)}` : "")));
  }

  // A transition's detail: a disposition, a reason, or a short word of the gateway's.
  function eventDetail(detail) {
    return LABELS.disposition[detail] || LABELS.reason[detail] || detail.replaceAll("_", " ");
  }

  ui.noteForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const detail = state.detail;
    const text = ui.noteText.value.trim();
    if (!detail || !text) return;
    const button = ui.noteForm.querySelector("button");
    button.disabled = true;
    try {
      const note = await api("POST", `/handoffs/${detail.id}/notes`, { text });
      if (state.detail && state.detail.id === detail.id) {
        state.detail.notes = [...(state.detail.notes || []), note];
        renderNotes(state.detail.notes);
        ui.noteText.value = "";
        announce(TEXT.noteSaved);
      }
    } catch (error) {
      reportError(error);
    } finally {
      button.disabled = !(state.detail && isMine(state.detail));
    }
  });

  async function loadTransferTargets() {
    const agents = await api("GET", "/agents");
    const others = agents.filter((agent) => !state.me || agent.id !== state.me.id);
    ui.transferTarget.replaceChildren(
      element("option", { value: "" }, TEXT.chooseTarget),
      element("optgroup", { label: TEXT.agentsGroup }, ...others.map((agent) => {
        const facts = [label("status", agent.status)];
        if (!agent.online) facts.push(TEXT.offlineAgent);
        facts.push(TEXT.activeCount(agent.active ?? 0));
        return element("option", { value: `agent:${agent.id}` }, `${agent.display_name} (${facts.join(", ")})`);
      })),
      element("optgroup", { label: TEXT.teamsGroup },
        ...state.teams.map((team) => element("option", { value: `team:${team.key}` }, team.name))),
    );
  }

  ui.transferForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const detail = state.detail;
    const value = ui.transferTarget.value;
    if (!detail) return;
    if (!value) {
      toast(TEXT.chooseTransfer, "error");
      ui.transferTarget.focus();
      return;
    }
    const [kind, key] = value.split(/:(.*)/s);
    const body = kind === "agent" ? { agent_id: Number(key) } : { team: key };
    const target = ui.transferTarget.selectedOptions[0].textContent.replace(/ \(.*\)$/, "");
    const button = ui.transferForm.querySelector("button");
    button.disabled = true;
    try {
      await api("POST", `/handoffs/${detail.id}/transfer`, body);
      await finish(TEXT.transferred(target));
    } catch (error) {
      reportError(error);
      button.disabled = false;
    }
  });

  // --- Agent-assist --------------------------------------------------------------------------

  function forgetAssist() {
    try { sessionStorage.removeItem(ASSIST_KEY); } catch { /* storage unavailable */ }
    state.assist = null;
    ui.assistTranscript.replaceChildren();
    ui.understood.replaceChildren(element("p", { className: "empty" }, "Belum ada ucapan yang diproses."));
    ui.assistSession.hidden = true;
    ui.assistStart.hidden = false;
  }

  function showAssist(session, transcript = []) {
    state.assist = session;
    try { sessionStorage.setItem(ASSIST_KEY, session.id); } catch { /* storage unavailable */ }
    ui.assistStart.hidden = true;
    ui.assistSession.hidden = false;
    ui.assistReasonShown.textContent = session.reason;
    ui.assistTranscript.replaceChildren();
    const lastCaller = transcript.map((message) => message.author).lastIndexOf("citizen");
    ui.assistTranscript.setAttribute("aria-busy", "true");
    transcript.forEach((message, index) => appendAssist(message, index > lastCaller));
    ui.assistTranscript.removeAttribute("aria-busy");
  }

  // The assist session survives a reload of the page (same tab).
  async function restoreAssist() {
    let id = null;
    try { id = sessionStorage.getItem(ASSIST_KEY); } catch { /* storage unavailable */ }
    if (!id) return;
    try {
      const session = await api("GET", `/assist/${encodeURIComponent(id)}`);
      showAssist(session, session.transcript || []);
    } catch (error) {
      if (error.status === 401) return;
      forgetAssist();
    }
  }

  ui.assistStartForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = ui.assistReason.value.trim();
    if (reason.length < 5) {
      ui.assistStartError.textContent = TEXT.reasonTooShort;
      ui.assistReason.setAttribute("aria-invalid", "true");
      ui.assistReason.focus();
      return;
    }
    ui.assistReason.removeAttribute("aria-invalid");
    ui.assistStartError.textContent = "";
    const button = ui.assistStartForm.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const session = await api("POST", "/assist", { reason });
      ui.assistReason.value = "";
      showAssist(session);
      ui.assistText.focus();
    } catch (error) {
      ui.assistStartError.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });

  ui.assistEnd.addEventListener("click", () => {
    forgetAssist();
    announce(TEXT.assistEnded);
    ui.assistReason.focus();
  });

  // The caller's choice: sent like the widget sends a button, its title with its payload.
  function assistChoice(choice) {
    const button = element("button", { type: "button", className: "button button--small choice" }, choice.title);
    button.addEventListener("click", () => sendAssist({ text: choice.title, payload: choice.payload }, choice.title));
    return button;
  }

  function appendAssist(message, active) {
    const item = turn(message, { citizenName: "Penelepon", choiceButton: assistChoice });
    if (!active) item.querySelectorAll("button").forEach((button) => { button.disabled = true; });
    ui.assistTranscript.append(item);
    ui.assistTranscript.scrollTop = ui.assistTranscript.scrollHeight;
  }

  async function sendAssist(body, shown) {
    if (!state.assist || state.assistBusy) return;
    state.assistBusy = true;
    const submit = ui.assistForm.querySelector('button[type="submit"]');
    submit.disabled = true;
    if (document.activeElement && ui.assistTranscript.contains(document.activeElement)) ui.assistText.focus();
    ui.assistTranscript.querySelectorAll("button").forEach((button) => { button.disabled = true; });
    appendAssist({ author: "citizen", text: shown, created_at: new Date().toISOString() }, false);
    try {
      const result = await api("POST", `/assist/${encodeURIComponent(state.assist.id)}/messages`, body);
      renderUnderstood(result.understood);
      for (const reply of result.replies || []) appendAssist(reply, true);
    } catch (error) {
      reportError(error);
      appendAssist({ author: "system", text: error.message || TEXT.failed }, false);
    } finally {
      state.assistBusy = false;
      submit.disabled = false;
    }
  }

  ui.assistForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.assistText.value.trim();
    if (!text || state.assistBusy) return;
    ui.assistText.value = "";
    sendAssist({ text }, text);
  });
  sendOnEnter(ui.assistText, ui.assistForm);

  function confidenceBar(value) {
    const fillBar = element("span", { className: "meter__fill" });
    const bar = element("span", { className: "meter", "aria-hidden": "true" }, fillBar);
    fillBar.style.width = typeof value === "number" ? percent(value) : "0%"; // CSSOM: allowed by a strict CSP
    if (typeof value === "number" && value < 0.5) bar.classList.add("meter--low");
    return bar;
  }

  function renderUnderstood(understood) {
    if (!understood) {
      ui.understood.replaceChildren(element("p", { className: "empty" }, TEXT.noUnderstanding));
      return;
    }
    const entities = understood.entities || [];
    const others = (understood.ranking || []).filter((item) => item.name !== understood.intent).slice(0, 4);
    fill(ui.understood,
      definitions([
        ["Layanan", understood.service || "—"],
        ["Pertanyaan", element("span", { className: "intent", title: understood.intent || null },
          understood.question || "—")],
        ["Keyakinan", element("span", { className: "confidence" },
          confidenceBar(understood.confidence), percent(understood.confidence))],
      ]),
      element("h4", { className: "subheading" }, "Keterangan"),
      entities.length
        ? table(["Keterangan", "Nilai"],
          entities.map((item) => [item.label || item.entity, item.value_label ?? String(item.value)]),
          "Keterangan yang dikenali")
        : element("p", { className: "empty" }, TEXT.noEntities),
      others.length ? element("h4", { className: "subheading" }, "Kemungkinan lain") : null,
      others.length ? element("ol", { className: "ranking" }, ...others.map((item) =>
        element("li", {}, item.label || item.name, ` ${percent(item.confidence)}`))) : null,
    );
  }

  // --- Supervisor ----------------------------------------------------------------------------

  function table(headings, rows, caption) {
    const node = element("table", {});
    fillTable(node, headings, rows, caption);
    return node;
  }

  function fillTable(node, headings, rows, caption) {
    fill(node,
      caption ? element("caption", { className: "sr-only" }, caption) : null,
      element("thead", {}, element("tr", {}, ...headings.map((heading) => element("th", { scope: "col" }, heading)))),
      element("tbody", {}, ...(rows.length
        ? rows.map((cells) => element("tr", {}, ...cells.map((cell) => element("td", {}, cell ?? "—"))))
        : [element("tr", {}, element("td", { colspan: String(headings.length), className: "empty" }, TEXT.empty))])),
    );
  }

  function stateTag(value) {
    return element("span", { className: `tag tag--state-${value}` }, label("state", value));
  }

  function onlineTag(online) {
    return element("span", { className: `presence presence--${online ? "on" : "off"}` }, online ? "Daring" : "Luring");
  }

  async function refreshSupervisor() {
    if (!state.me || state.me.role !== "supervisor") return;
    const overview = await api("GET", "/supervisor/overview");
    ui.supervisorError.textContent = "";
    document.dispatchEvent(new CustomEvent("console:supervisor-refresh"));
    ui.counters.replaceChildren(
      counter("Menunggu", String(overview.waiting)),
      counter("Sedang dilayani", String(overview.active)),
      counter("Ditutup hari ini", String(overview.closed_today)),
      counter("Rata-rata menunggu", overview.average_wait_seconds == null
        ? "—" : formatDuration(overview.average_wait_seconds, { precise: true })),
    );
    fillTable(ui.loadTable, ["Petugas", "Peran", "Status", "Koneksi", "Aktif", "Ditutup hari ini"],
      overview.agents.map((agent) => [
        agent.display_name, label("role", agent.role), label("status", agent.status), onlineTag(agent.online),
        String(agent.active), String(agent.closed_today),
      ]), "Beban petugas");
    fillTable(ui.todayTable, ["Diminta", "Kanal", "Tim", "Alasan", "Status", "Petugas", "Menunggu", "Hasil"],
      overview.conversations.map((item) => [
        openButton(item), label("channel", item.channel), item.team_name || item.team,
        label("reason", item.reason), stateTag(item.state), item.agent ? item.agent.display_name : "—",
        formatDuration(item.waiting_seconds), item.disposition ? label("disposition", item.disposition) : "—",
      ]), "Percakapan hari ini");
  }

  // A row of today's conversations opens the conversation (history.js reads it back).
  function openButton(item) {
    const button = element("button", { type: "button", className: "link-button" },
      formatTime(item.requested_at), element("span", { className: "sr-only" }, " — buka percakapan"));
    button.addEventListener("click", () => emit("open-conversation", { conversationId: item.conversation_id }));
    return button;
  }

  function counter(name, value) {
    return element("li", { className: "counter" },
      element("span", { className: "counter__value" }, value),
      element("span", { className: "counter__name" }, name));
  }

  function showSupervisorError(error) {
    if (error instanceof ApiError && error.status !== 401) ui.supervisorError.textContent = error.message;
    else reportQuietly(error);
  }

  ui.supervisorRefresh.addEventListener("click", () => {
    refreshSupervisor().then(() => announce("Ringkasan diperbarui."), showSupervisorError);
  });

  // --- For history.js ------------------------------------------------------------------------

  // Events history.js listens to: "console:view", "console:preview", "console:detail",
  // "console:open-conversation"; and what it shares of this console.
  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(`console:${name}`, { detail }));
  }

  window.AsistenWargaConsole = Object.freeze({
    api, element, fill, label, formatTime, formatDuration, toast, announce, reportError, fillTable, stateTag,
    turn, LABELS, apiUrl: (path) => `${API}${path}`, me: () => state.me, teams: () => state.teams, claimHandoff,
    detailId: () => (state.detail ? state.detail.id : null),
  });

  // --- Start ---------------------------------------------------------------------------------

  async function boot() {
    try {
      const me = await api("GET", "/me");
      await enter(me);
    } catch (error) {
      showLogin(error instanceof ApiError && error.status === 401 ? "" : error.message);
    }
  }

  // For the console's other files (alerts.js, confirm.js, surveys.js): no globals otherwise.
  window.AwConsole = {
    api, element, fill, fillTable, formatTime, label, announce, ApiError,
    detail: () => state.detail, isMine: (handoff) => isMine(handoff),
  };

  boot();
})();
