// The page INApas sends the citizen back to (api/routes/inapas.py): tell the widget that
// opened this window how the login ended (status only: nothing about the citizen), then close.
"use strict";

(() => {
  const result = document.getElementById("inapas-result");
  const status = result ? result.dataset.status : "failed";
  if (window.opener && !window.opener.closed) {
    // Any origin may embed the widget; the message carries nothing but the status.
    window.opener.postMessage({ type: "asistenWarga.inapas", status }, "*");
    if (status === "ok") setTimeout(() => window.close(), 2000);
  }
})();
