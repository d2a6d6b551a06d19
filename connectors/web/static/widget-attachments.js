// Asisten Warga web widget: files and photos (docs/channels.md#files-and-photos). Loaded by
// widget.js from the gateway; adds a "Kirim foto atau dokumen" button next to "Kirim" and
// shows the conversation's files: photos inline, documents as downloads. A file is fetched
// with the conversation's session token (never in a URL) and shown from memory (blob: URL).
"use strict";

(() => {
  const hook = window.asistenWargaFiles;
  if (typeof hook !== "function") return;

  const ACCEPT = "image/jpeg,image/png,image/webp,application/pdf";
  const TEXT = {
    attach: "Kirim foto atau dokumen",
    photo: (name) => `Foto: ${name}`,
    download: (name, size) => `Unduh ${name} (${size})`,
    unavailable: "Berkas tidak dapat ditampilkan.",
    failed: "Mohon maaf, berkas tidak dapat dikirim. Periksa koneksi Anda lalu coba lagi.",
  };
  const CLIP =
    "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5" +
    "a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z";

  hook((widget) => {
    const { element } = widget;
    const url = (conversationId, id) =>
      `${widget.gateway}/api/v1/conversations/${encodeURIComponent(conversationId)}/attachments` +
      (id ? `/${encodeURIComponent(id)}` : "");

    function size(bytes) {
      if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(".", ",")} MB`;
      return `${Math.max(1, Math.round(bytes / 1024))} KB`;
    }

    async function fetchFile(content) {
      const { conversationId, sessionToken } = widget.session();
      if (!conversationId) throw new Error("no conversation");
      const response = await fetch(url(conversationId, content.id), {
        headers: sessionToken ? { "X-Session-Token": sessionToken } : {},
      });
      if (!response.ok) throw new Error(String(response.status));
      return URL.createObjectURL(await response.blob());
    }

    function renderFile(item, content) {
      if (content.content_type.startsWith("image/")) {
        const figure = element("figure", { className: "aw-figure aw-file" });
        item.append(figure);
        fetchFile(content)
          .then((src) => figure.append(element("img", { src, alt: TEXT.photo(content.filename) })))
          .catch(() => figure.append(element("figcaption", {}, TEXT.unavailable)));
        return;
      }
      const button = element(
        "button", { type: "button", className: "aw-document aw-file" },
        TEXT.download(content.filename, size(content.size)),
      );
      button.addEventListener("click", async () => {
        try {
          const href = await fetchFile(content);
          const link = element("a", { href, download: content.filename, hidden: true });
          item.append(link);
          link.click();
          link.remove();
          setTimeout(() => URL.revokeObjectURL(href), 60000);
        } catch {
          widget.notice(TEXT.unavailable);
        }
      });
      item.append(button);
    }
    widget.renderFile(renderFile);

    const input = element("input", { type: "file", accept: ACCEPT, hidden: true, tabindex: "-1" });
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", CLIP);
    svg.append(path);
    const button = element(
      "button", { type: "button", className: "aw-attach", "aria-label": TEXT.attach, title: TEXT.attach }, svg,
    );
    widget.form.insertBefore(button, widget.sendButton);
    widget.form.append(input);
    button.addEventListener("click", () => { if (!widget.isBusy()) input.click(); });

    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      input.value = "";
      if (!file) return;
      button.disabled = true;
      try {
        await widget.start();
        const { conversationId, sessionToken } = widget.session();
        const response = await fetch(url(conversationId), {
          method: "POST",
          headers: {
            "Content-Type": file.type || "application/octet-stream",
            "X-File-Name": encodeURIComponent(file.name),
            ...(sessionToken ? { "X-Session-Token": sessionToken } : {}),
          },
          body: file,
        });
        const data = await response.json().catch(() => ({}));
        if (!response.ok) {
          widget.notice(typeof data.detail === "string" ? data.detail : TEXT.failed);
          return;
        }
        widget.show(data.message);
        if (data.notice) widget.notice(data.notice);
      } catch {
        widget.notice(TEXT.failed);
      } finally {
        button.disabled = false;
        button.focus();
      }
    });
  });
})();
