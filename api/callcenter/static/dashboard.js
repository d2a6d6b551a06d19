// The supervisor's analytics dashboard (docs/analytics.md): renders into the console's
// #analytics section when the supervisor view is shown, from
// /console/api/supervisor/analytics. Charts are drawn by the vendored Chart.js (window.Chart,
// vendor/chart.js/); every chart also has its figures as a table for screen readers.
// Everything the supervisor reads is in Bahasa Indonesia.
(() => {
  "use strict";

  const API = "/console/api/supervisor/analytics";
  const COLORS = ["#1d5c96", "#c2571a", "#2e7d4f", "#8e44ad", "#b3261e", "#00838f", "#6d4c41", "#5a6676", "#ad1457", "#827717"];
  const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];
  const TEXT = {
    title: "Analitik layanan",
    from: "Dari tanggal", to: "Sampai tanggal", channel: "Kanal", service: "Layanan", all: "Semua",
    apply: "Terapkan", csv: "Unduh CSV", loading: "Memuat analitik…",
    failed: "Analitik tidak dapat dimuat. Silakan coba lagi.",
    noData: "Belum ada data.",
    conversations: "Percakapan", containment: "Selesai tanpa petugas", fallback: "Pesan tidak dipahami",
    handoffs: "Dialihkan ke petugas", wait: "Waktu tunggu (rata-rata · p90)", handling: "Waktu penanganan (rata-rata · p90)",
    byChannel: "Percakapan per hari menurut kanal", byService: "Percakapan per hari menurut layanan",
    byReason: "Pengalihan ke petugas menurut alasan", times: "Waktu tunggu dan penanganan (menit)",
    satisfaction: "Kepuasan warga menurut tim (skor 1–5)", unanswered: "Pertanyaan yang belum terjawab",
    unansweredHint: "Dikelompokkan menurut kemiripan. Angka dan nama sudah disamarkan. Tandai satu kelompok untuk dijadikan kandidat data latih (ditinjau dulu, tidak langsung dipakai).",
    question: "Pertanyaan", count: "Jumlah", examples: "Contoh", intent: "Intent", action: "Tindakan",
    chooseIntent: "Pilih intent…", mark: "Tambahkan ke data latih", marked: (n) => `${n} contoh ditambahkan sebagai kandidat data latih.`,
    markedNone: "Contoh ini sudah menjadi kandidat.", pickIntent: "Pilih intent terlebih dahulu.",
    average: "Rata-rata", p90: "p90", responses: "jawaban", day: "Tanggal", reason: "Alasan", team: "Tim",
    score: "Skor rata-rata", showData: "Lihat angka", minutes: "menit", seconds: "detik",
    outOfScope: (n, total) => `${n} dari ${total} di luar layanan`,
  };

  const $ = (id) => document.getElementById(id);
  const root = $("analytics");
  const view = $("view-supervisor");
  if (!root || !view) return;

  const state = { options: null, board: null, charts: [], loading: false, loaded: false };

  // --- Formatting ---------------------------------------------------------------------------

  const number = (value) => Number(value).toLocaleString("id-ID");
  const percent = (ratio) => (ratio === null || ratio === undefined ? "–" : `${(ratio * 100).toLocaleString("id-ID", { maximumFractionDigits: 1 })}%`);
  function isoToday(offsetDays = 0) {
    const day = new Date(Date.now() + offsetDays * 86400000);
    return new Date(day.getTime() - day.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }
  const shortDate = (iso) => `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}`;
  const longDate = (iso) => `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    if (seconds < 60) return `${Math.round(seconds)} ${TEXT.seconds}`;
    return `${(seconds / 60).toLocaleString("id-ID", { maximumFractionDigits: 1 })} ${TEXT.minutes}`;
  }
  const nameOf = (list, key) => (list.find((item) => item.key === key) || { name: key }).name;

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  // --- Requests -------------------------------------------------------------------------------

  async function request(method, path, body) {
    const response = await fetch(`${API}${path}`, {
      method,
      credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error(data && typeof data.detail === "string" ? data.detail : TEXT.failed);
    return data;
  }

  function query() {
    const params = new URLSearchParams();
    for (const name of ["start", "end", "channel", "service"]) {
      const value = $(`analytics-${name}`).value;
      if (value) params.set(name, value);
    }
    return params.toString();
  }

  // --- Layout -----------------------------------------------------------------------------------

  function select(id, label, options) {
    return el("div", { class: "analytics__field" },
      el("label", { for: id, text: label }),
      el("select", { id }, el("option", { value: "", text: TEXT.all }),
        options.map((option) => el("option", { value: option.key, text: option.name }))));
  }

  function layout(options) {
    const form = el("form", { class: "analytics__filters", id: "analytics-filters", "aria-label": "Filter analitik" },
      el("div", { class: "analytics__field" }, el("label", { for: "analytics-start", text: TEXT.from }),
        el("input", { type: "date", id: "analytics-start", value: isoToday(-29), required: true })),
      el("div", { class: "analytics__field" }, el("label", { for: "analytics-end", text: TEXT.to }),
        el("input", { type: "date", id: "analytics-end", value: isoToday(), required: true })),
      select("analytics-channel", TEXT.channel, options.channels),
      select("analytics-service", TEXT.service, options.services),
      el("div", { class: "analytics__actions" },
        el("button", { type: "submit", class: "button button--primary button--small", text: TEXT.apply }),
        el("a", { id: "analytics-csv", class: "button button--small", href: `${API}/export.csv`, download: "", text: TEXT.csv })));
    form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
    root.replaceChildren(
      el("h3", { id: "analytics-title", class: "panel__title", text: TEXT.title }),
      form,
      el("p", { id: "analytics-status", class: "hint", role: "status", "aria-live": "polite" }),
      el("p", { id: "analytics-error", class: "form-error", role: "alert" }),
      el("ul", { id: "analytics-counters", class: "counters analytics__counters", "aria-label": "Angka rentang ini" }),
      el("div", { class: "analytics__grid" },
        chartBox("channel", TEXT.byChannel), chartBox("service", TEXT.byService),
        chartBox("reason", TEXT.byReason), chartBox("times", TEXT.times),
        chartBox("satisfaction", TEXT.satisfaction)),
      el("section", { class: "analytics__unanswered", "aria-labelledby": "analytics-unanswered-title" },
        el("h4", { id: "analytics-unanswered-title", text: TEXT.unanswered }),
        el("p", { class: "hint", text: TEXT.unansweredHint }),
        el("div", { class: "table-wrap" }, el("table", { id: "analytics-unanswered" }))),
    );
  }

  function chartBox(key, title) {
    return el("figure", { class: "analytics__chart", id: `analytics-chart-${key}` },
      el("figcaption", { text: title }),
      el("div", { class: "analytics__canvas" }, el("canvas", { role: "img", "aria-label": title })),
      el("p", { class: "analytics__empty hint", hidden: true, text: TEXT.noData }),
      el("details", { class: "analytics__data" }, el("summary", { text: TEXT.showData }), el("div", { class: "table-wrap" })));
  }

  // --- Rendering ----------------------------------------------------------------------------------

  function counters(board) {
    const totals = board.totals;
    const items = [
      [TEXT.conversations, number(totals.conversations)],
      [TEXT.containment, percent(totals.containment)],
      [TEXT.fallback, percent(totals.fallback_rate)],
      [TEXT.handoffs, number(totals.handoffs)],
      [TEXT.wait, `${duration(board.wait.average_seconds)} · ${duration(board.wait.p90_seconds)}`],
      [TEXT.handling, `${duration(board.handling.average_seconds)} · ${duration(board.handling.p90_seconds)}`],
    ];
    $("analytics-counters").replaceChildren(...items.map(([name, value]) =>
      el("li", { class: "counter" }, el("span", { class: "counter__value", text: value }), el("span", { class: "counter__name", text: name }))));
  }

  function dataTable(head, rows) {
    return el("table", {},
      el("thead", {}, el("tr", {}, head.map((cell) => el("th", { scope: "col", text: cell })))),
      el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell) => el("td", { text: String(cell) }))))));
  }

  function draw(key, config, head, rows) {
    const box = $(`analytics-chart-${key}`);
    const empty = rows.length === 0;
    box.querySelector(".analytics__canvas").hidden = empty;
    box.querySelector(".analytics__empty").hidden = !empty;
    box.querySelector(".analytics__data").hidden = empty;
    box.querySelector(".analytics__data .table-wrap").replaceChildren(dataTable(head, rows));
    if (empty || typeof window.Chart !== "function") return;
    const canvas = box.querySelector("canvas");
    const summary = rows.slice(0, 8).map((row) => row.join(": ")).join("; ");
    canvas.setAttribute("aria-label", `${box.querySelector("figcaption").textContent}. ${summary}`);
    state.charts.push(new window.Chart(canvas, {
      ...config,
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        ...config.options,
      },
    }));
  }

  function series(byKey, names, days) {
    const keys = Object.keys(byKey);
    return {
      datasets: keys.map((key, n) => ({ label: names(key), data: byKey[key], backgroundColor: COLORS[n % COLORS.length] })),
      rows: days.flatMap((day, d) => keys.filter((key) => byKey[key][d] > 0).map((key) => [shortDate(day), names(key), byKey[key][d]])),
    };
  }

  function charts(board, options) {
    for (const chart of state.charts) chart.destroy();
    state.charts = [];
    const labels = board.days.map(shortDate);
    const stacked = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } };
    const channel = series(board.conversations_by_channel, (key) => nameOf(options.channels, key), board.days);
    draw("channel", { type: "bar", data: { labels, datasets: channel.datasets }, options: stacked },
      [TEXT.day, TEXT.channel, TEXT.count], channel.rows);
    const service = series(board.conversations_by_service, (key) => nameOf(options.services, key), board.days);
    draw("service", { type: "bar", data: { labels, datasets: service.datasets }, options: stacked },
      [TEXT.day, TEXT.service, TEXT.count], service.rows);

    const reasons = Object.entries(board.handoffs_by_reason);
    draw("reason", {
      type: "bar",
      data: { labels: reasons.map(([key]) => nameOf(options.reasons, key)),
              datasets: [{ label: TEXT.handoffs, data: reasons.map(([, count]) => count), backgroundColor: COLORS[1] }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    }, [TEXT.reason, TEXT.count], reasons.map(([key, count]) => [nameOf(options.reasons, key), count]));

    const minutes = (seconds) => (seconds === null ? null : Math.round((seconds / 60) * 10) / 10);
    const times = [[TEXT.wait, board.wait], [TEXT.handling, board.handling]].filter(([, d]) => d.count > 0);
    draw("times", {
      type: "bar",
      data: { labels: times.map(([name]) => name.split(" (")[0]),
              datasets: [{ label: TEXT.average, data: times.map(([, d]) => minutes(d.average_seconds)), backgroundColor: COLORS[0] },
                         { label: TEXT.p90, data: times.map(([, d]) => minutes(d.p90_seconds)), backgroundColor: COLORS[2] }] },
      options: { scales: { y: { beginAtZero: true } } },
    }, ["", TEXT.average, TEXT.p90, TEXT.count], times.map(([name, d]) => [name.split(" (")[0], duration(d.average_seconds), duration(d.p90_seconds), d.count]));

    const teams = board.satisfaction || [];
    draw("satisfaction", {
      type: "bar",
      data: { labels: teams.map((t) => nameOf(options.services, t.team)),
              datasets: [{ label: TEXT.score, data: teams.map((t) => t.average), backgroundColor: COLORS[3] }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 5, ticks: { stepSize: 1 } } } },
    }, [TEXT.team, TEXT.score, TEXT.responses], teams.map((t) => [nameOf(options.services, t.team), t.average.toLocaleString("id-ID"), t.responses]));
  }

  function unanswered(board, options) {
    const table = $("analytics-unanswered");
    if (board.unanswered.length === 0) {
      table.replaceChildren(el("tbody", {}, el("tr", {}, el("td", { text: TEXT.noData }))));
      return;
    }
    const rows = board.unanswered.map((group, n) => {
      const id = `analytics-intent-${n}`;
      const picker = el("select", { id, "aria-label": `${TEXT.intent}: ${group.label}` },
        el("option", { value: "", text: TEXT.chooseIntent }),
        options.intents.map((intent) => el("option", { value: intent, text: intent })));
      const button = el("button", { type: "button", class: "button button--small", text: TEXT.mark });
      button.addEventListener("click", () => mark(group, picker, button));
      return el("tr", {},
        el("td", {}, el("strong", { text: group.label }),
          el("ul", { class: "analytics__examples", "aria-label": TEXT.examples },
            group.examples.filter((text) => text !== group.label).map((text) => el("li", { text }))),
          group.out_of_scope ? el("span", { class: "cell-note", text: TEXT.outOfScope(group.out_of_scope, group.count) }) : null),
        el("td", { class: "analytics__count", text: number(group.count) }),
        el("td", {}, el("div", { class: "analytics__mark" }, picker, button)));
    });
    table.replaceChildren(
      el("thead", {}, el("tr", {}, [TEXT.question, TEXT.count, TEXT.action].map((cell) => el("th", { scope: "col", text: cell })))),
      el("tbody", {}, rows));
  }

  async function mark(group, picker, button) {
    const status = $("analytics-status");
    if (!picker.value) { status.textContent = TEXT.pickIntent; picker.focus(); return; }
    button.disabled = true;
    try {
      const result = await request("POST", "/candidates", { intent: picker.value, texts: group.texts });
      status.textContent = result.added ? TEXT.marked(result.added) : TEXT.markedNone;
    } catch (error) {
      $("analytics-error").textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }

  async function load() {
    if (state.loading) return;
    state.loading = true;
    const status = $("analytics-status");
    $("analytics-error").textContent = "";
    status.textContent = TEXT.loading;
    try {
      const params = query();
      const board = await request("GET", params ? `?${params}` : "");
      if (!root.contains(status)) return; // logged out meanwhile
      state.board = board;
      $("analytics-csv").setAttribute("href", `${API}/export.csv${params ? `?${params}` : ""}`);
      counters(board);
      charts(board, state.options);
      unanswered(board, state.options);
      status.textContent = `${longDate(board.start)} – ${longDate(board.end)}`;
      root.dataset.loaded = "true";
    } catch (error) {
      if (!root.contains(status)) return;
      status.textContent = "";
      $("analytics-error").textContent = error.message || TEXT.failed;
    } finally {
      state.loading = false;
    }
  }

  async function open() {
    if (view.hidden || state.loaded) return;
    state.loaded = true;
    try {
      state.options = await request("GET", "/options");
    } catch {
      state.loaded = false;
      return; // not a supervisor (403) or logged out: the console says so
    }
    if (!state.loaded) return; // logged out meanwhile
    layout(state.options);
    await load();
  }

  // Logging out hides the app: the figures go with the session (the next account loads its own).
  function reset() {
    for (const chart of state.charts) chart.destroy();
    Object.assign(state, { options: null, board: null, charts: [], loaded: false });
    root.replaceChildren();
    delete root.dataset.loaded;
  }

  // The console shows and hides its views and the app by their `hidden` attribute (console.js).
  const app = $("app");
  new MutationObserver(() => { open(); }).observe(view, { attributes: true, attributeFilter: ["hidden"] });
  if (app) new MutationObserver(() => { if (app.hidden) reset(); }).observe(app, { attributes: true, attributeFilter: ["hidden"] });
  open();
})();
