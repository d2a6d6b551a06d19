// Asisten Warga agent console: the confirmation asked before an action the agent cannot undo
// ("Kembalikan ke bot", "Tutup"). A modal <dialog>: focus stays inside, Escape or "Batal"
// cancels, and focus returns to the button that asked. Loaded after console.js.
"use strict";

(() => {
  const dialog = document.getElementById("confirm-dialog");
  const title = document.getElementById("confirm-title");
  const text = document.getElementById("confirm-text");
  const ok = document.getElementById("confirm-ok");
  const cancel = document.getElementById("confirm-cancel");

  // Resolves true when the agent confirms `{title, text, confirm}`; `opener` gets focus back.
  window.awConfirm = ({ title: heading, text: body, confirm }, opener) => new Promise((resolve) => {
    title.textContent = heading;
    text.textContent = body;
    ok.textContent = confirm;
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      if (opener && document.contains(opener)) opener.focus({ preventScroll: true });
    }, { once: true });
    dialog.showModal();
    cancel.focus(); // the safe choice first
  });
})();
