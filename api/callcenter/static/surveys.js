// Asisten Warga agent console: the citizens' satisfaction in the supervisor's view. The 1-5
// survey each citizen gets when an agent closes (api/callcenter/survey.py), per agent and per
// team over the last 7 days, and the latest comments. Loaded after console.js; refreshed
// whenever the supervisor's view is ("console:supervisor-refresh").
"use strict";

(() => {
  const { api, element, fill, fillTable, formatTime, ApiError } = window.AwConsole;
  const DAYS = 7;
  const ui = {
    summary: document.getElementById("surveys-summary"),
    agents: document.getElementById("surveys-agents"),
    teams: document.getElementById("surveys-teams"),
    comments: document.getElementById("surveys-comments"),
  };

  const average = (value) => (value == null ? "—" : value.toLocaleString("id-ID", {
    minimumFractionDigits: 1, maximumFractionDigits: 1,
  }));
  const rate = (row) => (row.asked ? `${Math.round((row.answered / row.asked) * 100)}%` : "—");
  const rows = (scores) => scores.map((row) => [row.name, average(row.average), String(row.answered), rate(row)]);
  const HEADINGS = ["Nilai rata-rata (1–5)", "Penilaian", "Tingkat jawaban"];

  async function refresh() {
    const data = await api("GET", `/supervisor/surveys?days=${DAYS}`);
    ui.summary.textContent = data.answered
      ? `Rata-rata ${average(data.average)} dari 5, dari ${data.answered} penilaian (${data.asked} survei dikirim).`
      : `Belum ada penilaian dalam ${DAYS} hari terakhir (${data.asked} survei dikirim).`;
    fillTable(ui.agents, ["Petugas", ...HEADINGS], rows(data.by_agent), "Kepuasan per petugas");
    fillTable(ui.teams, ["Tim", ...HEADINGS], rows(data.by_team), "Kepuasan per tim");
    fill(ui.comments, ...(data.comments.length
      ? data.comments.map((item) => element("li", { className: "comment" },
        element("p", { className: "comment__meta" },
          `Nilai ${item.score} · ${item.agent || "Petugas"} · ${item.team_name} · ${formatTime(item.at)}`),
        element("p", { className: "comment__text" }, item.comment)))
      : [element("li", { className: "empty" }, "Belum ada komentar.")]));
  }

  document.addEventListener("console:supervisor-refresh", () => {
    refresh().catch((error) => {
      if (!(error instanceof ApiError)) console.error(error);
    });
  });
})();
