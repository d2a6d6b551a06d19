// Asisten Warga web chat: talks to the gateway's REST API. No build step, no dependencies.
"use strict";

(() => {
  const API = "/api/v1/conversations";
  const STORAGE_KEY = "asistenWarga.conversationId";
  const ERROR_TEXT = "Mohon maaf, pesan tidak dapat dikirim. Periksa koneksi Anda lalu coba lagi.";
  const TOO_LONG_TEXT = "Mohon maaf, pesan Anda terlalu panjang. Silakan persingkat pesan Anda.";

  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const sendButton = document.getElementById("send");
  const statusLine = document.getElementById("status");
  const resetButton = document.getElementById("reset");

  // localStorage can be unavailable (privacy modes, sandboxed frames): then per page only.
  const store = {
    get() { try { return localStorage.getItem(STORAGE_KEY); } catch { return null; } },
    set(id) { try { localStorage.setItem(STORAGE_KEY, id); } catch { /* page only */ } },
    clear() { try { localStorage.removeItem(STORAGE_KEY); } catch { /* page only */ } },
  };

  let conversationId = store.get();
  let busy = false;

  async function request(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const fallback = response.status === 413 ? TOO_LONG_TEXT : ERROR_TEXT;
      const error = new Error(typeof data.detail === "string" ? data.detail : fallback);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  async function startConversation() {
    const conversation = await request("POST", API, { channel: "web" });
    conversationId = conversation.id;
    store.set(conversationId);
  }

  function disableOldButtons() {
    log.querySelectorAll(".msg__buttons button").forEach((button) => { button.disabled = true; });
  }

  // Buttons stay clickable only on the bot's latest answer (`active`).
  function render(message, active = true) {
    const item = document.createElement("li");
    item.className = `msg msg--${message.author}`;
    const text = document.createElement("div");
    text.textContent = message.text; // never innerHTML: the text is not trusted
    item.appendChild(text);
    if (message.buttons && message.buttons.length) {
      const group = document.createElement("div");
      group.className = "msg__buttons";
      for (const { title, payload } of message.buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = title;
        button.disabled = !active;
        button.addEventListener("click", () => send(payload, title));
        group.appendChild(button);
      }
      item.appendChild(group);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    statusLine.textContent = value ? "Asisten sedang mengetik…" : "";
  }

  // `text` is sent to the bot; `title` (a clicked button) is what the citizen sees.
  async function send(text, title) {
    if (busy || !text.trim()) return;
    setBusy(true);
    disableOldButtons();
    render({ author: "citizen", text: title || text });
    try {
      if (!conversationId) await startConversation();
      const body = title ? { text, metadata: { button_title: title } } : { text };
      let result;
      try {
        result = await request("POST", `${API}/${conversationId}/messages`, body);
      } catch (error) {
        if (error.status !== 404) throw error;
        await startConversation(); // the stored conversation no longer exists
        result = await request("POST", `${API}/${conversationId}/messages`, body);
      }
      result.replies.forEach((reply) => render(reply));
    } catch (error) {
      // Our own errors carry the gateway's Indonesian message; network errors do not.
      render({ author: "system", text: error.status ? error.message : ERROR_TEXT });
    } finally {
      setBusy(false);
      input.focus();
    }
  }

  async function loadHistory() {
    if (!conversationId) return;
    try {
      const history = await request("GET", `${API}/${conversationId}/messages`);
      const lastCitizen = history.messages.map((message) => message.author).lastIndexOf("citizen");
      history.messages.forEach((message, index) => render(message, index > lastCitizen));
    } catch (error) {
      if (error.status === 404) {
        store.clear();
        conversationId = null;
      }
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return; // keep the text until the previous answer is in
    const text = input.value;
    input.value = "";
    send(text);
  });

  // Enter sends; Shift+Enter starts a new line.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  resetButton.addEventListener("click", () => {
    store.clear();
    conversationId = null;
    log.replaceChildren();
    input.focus();
  });

  loadHistory();
})();
