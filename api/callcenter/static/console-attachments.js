// Asisten Warga console: files and photos in a hand-off (docs/call-center.md, "Files and
// photos"). Adds "Lampirkan berkas" to the reply form (a photo or PDF, e.g. a requirements
// sheet, sent on the citizen's channel) and shows the files of the transcript: photos inline,
// documents as downloads. Files are served by the gateway only to agents who may see the
// hand-off (the console's session cookie), so plain links work here.
"use strict";

(() => {
  const console_ = window.asistenWargaConsole;
  if (!console_) return;
  const ACCEPT = "image/jpeg,image/png,image/webp,application/pdf";
  const TEXT = {
    attach: "Lampirkan berkas",
    hint: "Foto (JPG, PNG, WebP) atau PDF, paling besar 10 MB.",
    sending: (name) => `Mengirim ${name}…`,
    sent: (name) => `${name} terkirim.`,
    photo: (name) => `Foto dari percakapan: ${name}`,
    download: (name, size) => `Unduh ${name} (${size})`,
  };

  const base = `${console_.api}/handoffs`;
  const fileUrl = (handoffId, id) =>
    `${base}/${encodeURIComponent(handoffId)}/attachments/${encodeURIComponent(id)}`;

  function size(bytes) {
    if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(".", ",")} MB`;
    return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  }

  // The file of a transcript turn (`content.type` "attachment").
  function view(content, handoffId) {
    const url = fileUrl(handoffId, content.id);
    if (content.content_type.startsWith("image/")) {
      const image = document.createElement("img");
      image.className = "turn__photo";
      image.src = url;
      image.alt = TEXT.photo(content.filename);
      image.loading = "lazy";
      const link = document.createElement("a");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
      link.append(image);
      return link;
    }
    const link = document.createElement("a");
    link.className = "turn__file";
    link.href = url;
    link.download = content.filename;
    link.textContent = TEXT.download(content.filename, size(content.size));
    return link;
  }

  const form = document.getElementById("reply-form");
  const tools = form.querySelector(".composer__tools");
  const input = document.createElement("input");
  input.type = "file";
  input.id = "reply-file";
  input.accept = ACCEPT;
  input.className = "sr-only";
  input.setAttribute("aria-describedby", "reply-file-hint");
  const label = document.createElement("label");
  label.htmlFor = "reply-file";
  label.className = "button button--small";
  label.textContent = TEXT.attach;
  const hint = document.createElement("span");
  hint.id = "reply-file-hint";
  hint.className = "sr-only";
  hint.textContent = TEXT.hint;
  tools.append(input, label, hint);

  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    const handoffId = console_.handoff();
    input.value = "";
    if (!file || handoffId == null) return;
    const caption = document.getElementById("reply-text").value.trim();
    console_.announce(TEXT.sending(file.name));
    try {
      const response = await fetch(`${base}/${encodeURIComponent(handoffId)}/attachments`, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": file.type || "application/octet-stream",
          "X-File-Name": encodeURIComponent(file.name),
          ...(caption ? { "X-Caption": encodeURIComponent(caption) } : {}),
        },
        body: file,
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        console_.fail(typeof data.detail === "string" ? data.detail : null, response.status);
        return;
      }
      if (caption) document.getElementById("reply-text").value = "";
      console_.append(data);
      console_.announce(TEXT.sent(file.name));
    } catch {
      console_.fail(null, 0);
    }
  });

  window.asistenWargaConsoleFiles = { view };
})();
