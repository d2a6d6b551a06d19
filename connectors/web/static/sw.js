// Asisten Warga's service worker (the gateway's own page, scope "/"): the page works offline.
// - The page, the widget and its opening config: network first (a new version shows at once),
//   the last copy when offline.
// - The conversation's history (GET …/messages?limit=…): network first; offline, the last
//   copy, marked with `X-AW-Offline: 1` so the widget can apply the idle expiry itself. The
//   widget deletes this cache when the conversation ends (reset, erase, expiry).
// - Everything else (sending, polling, the WebSocket) goes to the network untouched: messages
//   typed offline wait in the widget's own queue and are resent with their client_message_id.
"use strict";

const SHELL_CACHE = "aw-shell-v1";
const HISTORY_CACHE = "aw-history";
const SHELL = [
  "/",
  "/widget.js",
  "/widget.css",
  "/static/page.css",
  "/static/pwa.js",
  "/manifest.webmanifest",
  "/favicon.svg",
  "/static/icons/icon-192.png",
  "/api/v1/widget",
];
const HISTORY_PATH = /^\/api\/v1\/conversations\/[^/]+\/messages$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("aw-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/") {
    event.respondWith(networkFirst(request, SHELL_CACHE, "/"));
  } else if (SHELL.includes(url.pathname) && !url.search) {
    event.respondWith(networkFirst(request, SHELL_CACHE, url.pathname));
  } else if (HISTORY_PATH.test(url.pathname) && url.searchParams.has("limit")) {
    event.respondWith(networkFirst(request, HISTORY_CACHE, url.pathname + url.search, true));
  }
});

async function networkFirst(request, cacheName, key, marked = false) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(cacheName);
      await cache.put(key, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await (await caches.open(cacheName)).match(key);
    if (!cached) throw error;
    if (!marked) return cached;
    const headers = new Headers(cached.headers);
    headers.set("X-AW-Offline", "1");
    return new Response(await cached.blob(), { status: cached.status, headers });
  }
}
