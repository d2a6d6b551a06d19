// Asisten Warga agent console: the history (docs/call-center.md#history-and-search). A waiting
// conversation previewed before "Ambil", the search by ticket or case number, phone or NIK,
// date, team and result, a past conversation read back, the citizen's earlier contacts beside
// the open conversation, and the supervisor's audit log (filters, pages, CSV). Loaded after
// console.js, whose helpers it uses (window.AsistenWargaConsole) and whose events it follows
// ("console:view", "console:preview", "console:detail", "console:open-conversation").
"use strict";

(() => {
  const C = window.AsistenWargaConsole;
  if (!C) return;
  const { api, element, fill, label, toast, announce, reportError } = C;
  const $ = (id) => document.getElementById(id);

  const TEXT = {
    searchFirst: "Isi nomor atau pilih tanggal, tim, atau hasil, lalu tekan Cari.",
    noResults: "Tidak ada percakapan yang cocok.",
    results: (total) => `${total} percakapan ditemukan.`,
    page: (page, pages) => `Halaman ${page} dari ${pages}`,
    previous: "Sebelumnya",
    next: "Berikutnya",
    noEarlier: "Tidak ada kontak sebelumnya.",
    sameAccount: "Akun kanal yang sama",
    samePerson: "NIK terverifikasi yang sama",
    handoffs: (count) => (count ? `${count} kali dengan petugas` : "Hanya dengan Asisten Warga"),
    preview: "Pratinjau percakapan",
    past: "Riwayat percakapan",
    claim: "Ambil percakapan",
    noMessages: "Belum ada pesan.",
    auditEntries: (total) => `${total} entri`,
    exported: "Log audit diunduh.",
    datesReversed: "Tanggal akhir tidak boleh sebelum tanggal awal.",
  };

  const dayFormat = new Intl.DateTimeFormat("id-ID", {
    day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
  });
  // "7 Desember 2026 14.05": a date an agent reads in a list of past conversations.
  const when = (value) => (value ? dayFormat.format(new Date(value)).replace(" pukul ", " ") : "—");

  const ui = {
    form: $("history-form"), q: $("history-q"), from: $("history-from"), to: $("history-to"),
    team: $("history-team"), disposition: $("history-disposition"), error: $("history-error"),
    count: $("history-count"), table: $("history-table"), pager: $("history-pager"),
    earlier: $("earlier"),
    auditForm: $("audit-form"), auditAgent: $("audit-agent"), auditCitizen: $("audit-citizen"),
    auditService: $("audit-service"), auditFrom: $("audit-from"), auditTo: $("audit-to"),
    auditExport: $("audit-export"), auditError: $("audit-error"), auditCount: $("audit-count"),
    auditTable: $("audit-table"), auditPager: $("audit-pager"),
    reader: $("reader"), readerTitle: $("reader-title"), readerMeta: $("reader-meta"),
    readerHandoffs: $("reader-handoffs"), readerTranscript: $("reader-transcript"),
    readerActions: $("reader-actions"), readerClose: $("reader-close"),
  };

  const state = { search: null, audit: { page: 1 }, auditReady: false, teamsReady: false, opener: null };

  // A JSON body from a form's named fields, the empty ones left out. Searches go in a POST
  // body: a NIK or a phone number in a URL would stay in proxies' logs.
  function fields(form, extra = {}) {
    const body = {};
    for (const field of form.elements) {
      if (field.name && field.value.trim()) body[field.name] = field.value.trim();
    }
    if (body.agent_id) body.agent_id = Number(body.agent_id);
    return { ...body, ...extra };
  }

  function datesReversed(from, to) {
    return from.value && to.value && to.value < from.value;
  }

  function pager(node, page, pages, go) {
    if (pages <= 1) {
      node.replaceChildren();
      return;
    }
    const previous = element("button", { type: "button", className: "button button--small" }, TEXT.previous);
    const next = element("button", { type: "button", className: "button button--small" }, TEXT.next);
    previous.disabled = page <= 1;
    next.disabled = page >= pages;
    previous.addEventListener("click", () => go(page - 1));
    next.addEventListener("click", () => go(page + 1));
    fill(node, previous, element("span", { "aria-live": "polite" }, TEXT.page(page, pages)), next);
  }

  // --- The read-only conversation ------------------------------------------------------------

  function openReader(title, meta, opener) {
    state.opener = opener || document.activeElement;
    ui.readerTitle.textContent = title;
    ui.readerMeta.textContent = meta;
    if (!ui.reader.open) ui.reader.showModal();
    ui.readerTitle.focus();
  }

  function renderReaderTranscript(messages) {
    ui.readerTranscript.setAttribute("aria-busy", "true");
    fill(ui.readerTranscript, ...(messages.length
      ? messages.map((message) => C.turn(message))
      : [element("li", { className: "empty" }, TEXT.noMessages)]));
    ui.readerTranscript.removeAttribute("aria-busy");
    ui.readerTranscript.scrollTop = ui.readerTranscript.scrollHeight;
  }

  function handoffLine(item) {
    const parts = [
      when(item.requested_at), item.team_name || item.team, label("state", item.state),
      item.disposition ? label("disposition", item.disposition) : null,
      item.agent ? item.agent.display_name : null, item.case_number ? `Tiket ${item.case_number}` : null,
    ];
    return element("p", {}, parts.filter(Boolean).join(" · "));
  }

  ui.readerClose.addEventListener("click", () => ui.reader.close());
  ui.reader.addEventListener("close", () => {
    ui.readerActions.replaceChildren();
    if (state.opener && document.contains(state.opener)) state.opener.focus();
  });

  async function showPreview(id) {
    try {
      const preview = await api("GET", `/handoffs/${id}/preview`);
      const claim = element("button", { type: "button", className: "button button--primary" }, TEXT.claim);
      claim.addEventListener("click", async () => {
        ui.reader.close();
        await C.claimHandoff(id, claim);
      });
      const meta = [label("reason", preview.reason), `diminta ${when(preview.requested_at)}`];
      if (preview.case_number) meta.push(`tiket ${preview.case_number}`);
      fill(ui.readerHandoffs);
      renderReaderTranscript(preview.transcript || []);
      fill(ui.readerActions, claim);
      openReader(`${TEXT.preview} · ${label("channel", preview.channel)} · ${preview.team_name}`, meta.join(" · "));
    } catch (error) {
      reportError(error);
    }
  }

  async function showConversation(conversationId, via, opener) {
    const query = via ? `?via=${encodeURIComponent(via)}` : "";
    try {
      const record = await api("GET", `/history/conversations/${encodeURIComponent(conversationId)}${query}`);
      fill(ui.readerHandoffs, ...record.handoffs.map(handoffLine),
        ...record.cases.map((item) => element("p", {}, `Kasus ${item.case_number}`)));
      renderReaderTranscript(record.transcript || []);
      fill(ui.readerActions);
      openReader(`${TEXT.past} · ${label("channel", record.channel)}`, `dimulai ${when(record.started_at)}`, opener);
    } catch (error) {
      reportError(error);
    }
  }

  // --- Search ---------------------------------------------------------------------------------

  async function loadTeams() {
    if (state.teamsReady) return;
    const teams = C.teams().length ? C.teams() : await api("GET", "/teams");
    ui.team.append(...teams.map((team) => element("option", { value: team.key }, team.name)));
    state.teamsReady = true;
  }

  function renderResults(result) {
    ui.count.textContent = String(result.total);
    C.fillTable(ui.table, ["Diminta", "Kanal", "Tim", "Status", "Petugas", "Hasil", "Tiket"],
      result.items.map((item) => {
        const open = element("button", { type: "button", className: "link-button" }, when(item.requested_at),
          element("span", { className: "sr-only" }, " — buka percakapan"));
        open.addEventListener("click", () => showConversation(item.conversation_id, null, open));
        return [
          open, label("channel", item.channel), item.team_name, C.stateTag(item.state),
          item.agent ? item.agent.display_name : "—",
          item.disposition ? label("disposition", item.disposition) : "—", item.case_number || "—",
        ];
      }), "Riwayat percakapan ditemukan");
    pager(ui.pager, result.page, result.pages, (page) => search(page));
  }

  async function search(page = 1) {
    ui.error.textContent = "";
    if (datesReversed(ui.from, ui.to)) {
      ui.error.textContent = TEXT.datesReversed;
      ui.to.focus();
      return;
    }
    const button = ui.form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const result = await api("POST", "/history/search", fields(ui.form, { page }));
      renderResults(result);
      announce(result.total ? TEXT.results(result.total) : TEXT.noResults);
    } catch (error) {
      if (error.status && error.status !== 401) ui.error.textContent = error.message;
      else reportError(error);
    } finally {
      button.disabled = false;
    }
  }

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    search(1);
  });

  // --- Earlier contacts --------------------------------------------------------------------------

  async function showEarlier(handoffId) {
    ui.earlier.replaceChildren();
    let contacts;
    try {
      contacts = await api("GET", `/handoffs/${handoffId}/earlier`);
    } catch (error) {
      if (error.status !== 404) reportError(error);
      return;
    }
    if (C.detailId() !== handoffId) return; // another conversation was opened meanwhile
    if (!contacts.length) {
      fill(ui.earlier, element("li", { className: "empty" }, TEXT.noEarlier));
      return;
    }
    fill(ui.earlier, ...contacts.map((contact) => {
      const open = element("button", { type: "button", className: "link-button" },
        `${when(contact.started_at)} · ${label("channel", contact.channel)}`);
      open.addEventListener("click", () => showConversation(contact.conversation_id, handoffId, open));
      const meta = [
        contact.link === "person" ? TEXT.samePerson : TEXT.sameAccount, TEXT.handoffs(contact.handoffs),
        contact.disposition ? label("disposition", contact.disposition) : null,
        ...contact.case_numbers,
      ];
      return element("li", { className: "earlier__item" }, open,
        element("span", { className: "earlier__meta" }, meta.filter(Boolean).join(" · ")),
        contact.preview ? element("span", { className: "earlier__preview" }, contact.preview) : null);
    }));
  }

  // --- Audit log (supervisors) ---------------------------------------------------------------

  async function loadAuditFilters() {
    if (state.auditReady) return;
    const filters = await api("GET", "/supervisor/audit/filters");
    ui.auditAgent.append(...filters.agents.map((agent) =>
      element("option", { value: String(agent.id) }, agent.display_name)));
    ui.auditService.append(...filters.services.map((service) =>
      element("option", { value: service.key }, service.name)));
    state.auditReady = true;
  }

  async function loadAudit(page = 1) {
    state.audit.page = page;
    ui.auditError.textContent = "";
    if (datesReversed(ui.auditFrom, ui.auditTo)) {
      ui.auditError.textContent = TEXT.datesReversed;
      return;
    }
    try {
      const result = await api("POST", "/supervisor/audit/entries", fields(ui.auditForm, { page }));
      ui.auditCount.textContent = TEXT.auditEntries(result.total);
      C.fillTable(ui.auditTable, ["Waktu", "Petugas", "Tindakan", "Kode warga", "Layanan", "Alasan", "Hasil"],
        result.items.map((entry) => [
          when(entry.at), entry.agent,
          element("span", {}, entry.action, element("span", { className: "cell-note" }, entry.target)),
          entry.citizen || "—", entry.service, entry.reason, entry.outcome,
        ]), "Log audit");
      pager(ui.auditPager, result.page, result.pages, (next) => loadAudit(next));
    } catch (error) {
      if (error.status && error.status !== 401) ui.auditError.textContent = error.message;
      else reportError(error);
    }
  }

  $("supervisor-refresh").addEventListener("click", () => {
    if (state.auditReady) loadAudit(state.audit.page);
  });

  ui.auditForm.addEventListener("submit", (event) => {
    event.preventDefault();
    loadAudit(1);
  });

  ui.auditExport.addEventListener("click", async () => {
    ui.auditError.textContent = "";
    ui.auditExport.disabled = true;
    try {
      const response = await fetch(C.apiUrl("/supervisor/audit/export"), {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(fields(ui.auditForm)),
      });
      if (!response.ok) {
        const data = await response.json().catch(() => null);
        ui.auditError.textContent = data && typeof data.detail === "string" ? data.detail : "Unduhan gagal.";
        return;
      }
      const disposition = response.headers.get("Content-Disposition") || "";
      const name = /filename="([^"]+)"/.exec(disposition)?.[1] || "log-audit.csv";
      const link = element("a", { href: URL.createObjectURL(await response.blob()), download: name });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      toast(TEXT.exported, "success");
    } catch (error) {
      reportError(error);
    } finally {
      ui.auditExport.disabled = false;
    }
  });

  // --- console.js's events -------------------------------------------------------------------------

  document.addEventListener("console:view", (event) => {
    const me = C.me();
    if (event.detail.view === "history") {
      loadTeams().catch(reportError);
      if (!state.search) {
        state.search = true;
        C.fillTable(ui.table, ["Hasil"], [[TEXT.searchFirst]], "Riwayat percakapan ditemukan");
      }
    } else if (event.detail.view === "supervisor" && me && me.role === "supervisor") {
      loadAuditFilters().then(() => loadAudit(1)).catch(reportError);
    }
  });
  document.addEventListener("console:preview", (event) => showPreview(event.detail.id));
  document.addEventListener("console:detail", (event) => showEarlier(event.detail.id));
  document.addEventListener("console:open-conversation", (event) =>
    showConversation(event.detail.conversationId, null, document.activeElement));
})();
