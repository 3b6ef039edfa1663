// Companion's service worker. /sw.js prepends SHELL: {version, precache, offline, queue, icon}.
// The app shell (static files and the generic offline page) is kept, versioned; pages are fetched from the
// network first and the offline page answers when there is none; personal pages and API answers are never
// stored. Forms sent without a connection are kept in the offline queue (queue.js) and replayed later.
/* global SHELL, CompanionQueue */
importScripts(SHELL.queue);
// Its words in the phone's language (SHELL.text: every language but English; English is the key).
const TEXT = (SHELL.text ?? {})[(self.navigator?.language ?? "en").slice(0, 2)] ?? {};
const t = (text) => TEXT[text] ?? text;

const CACHE = `companion-shell-${SHELL.version}`;

// The shell is the same for everyone, so it is fetched without the cookie: its answers then cannot carry a
// session that lands after a sign-in's and signs the person out again (the install runs while they register).
const shellRequests = () => SHELL.precache.map((url) => new Request(url, { credentials: "omit" }));

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(shellRequests())).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

async function tellPages(message) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage(message);
}

// A form sent while the connection dropped: kept in the queue for the account this phone last showed.
async function keepForm(request) {
  try {
    const owner = await CompanionQueue.kept("user");
    const item = owner ? CompanionQueue.fromForm(request.url, await request.formData(), owner) : null;
    if (!item || item.missing) return false;
    delete item.missing;
    await CompanionQueue.put(item);
    await self.registration.sync?.register("companion-replay").catch(() => null);
    return true;
  } catch {
    return false;
  }
}

async function offlinePage() {
  return (await caches.match(SHELL.offline, { ignoreSearch: true })) ||
    new Response(t("You're offline. Companion will open again when your phone is back online."),
      { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

// The shell again after something cleared it (the quick exit does); a signed-in page asks for it.
async function keepShell() {
  if (!(await caches.has(CACHE))) await (await caches.open(CACHE)).addAll(shellRequests());
}

async function navigate(request) {
  const copy = request.method === "POST" ? request.clone() : null;
  try {
    return await fetch(request);
  } catch {
    if (copy && (await keepForm(copy))) return Response.redirect(`${SHELL.offline}?saved=1`, 303);
    // The crisis lines are on the offline page too.
    if (new URL(request.url).pathname === SHELL.help) return Response.redirect(`${SHELL.offline}#crisis`, 303);
    return offlinePage();
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
    return;
  }
  if (request.method !== "GET" || !SHELL.precache.includes(url.pathname + url.search)) return;
  event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "companion-replay") return;
  event.waitUntil(CompanionQueue.replay().then((result) => {
    tellPages({ type: "queue-changed" });
    if (result.offline) throw new Error("still offline"); // the browser tries the sync again later
  }));
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "keep-shell") event.waitUntil(keepShell().catch(() => null));
});

// A reminder: a discreet one says only "Companion: you have a reminder"; the details are inside the app.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const options = { icon: SHELL.icon, badge: SHELL.icon, tag: "companion-reminder", data: { url: data.url || "/" } };
  if (data.body) options.body = data.body;
  event.waitUntil(self.registration.showNotification(data.title || t("Companion: you have a reminder"), options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const wanted = new URL(event.notification.data?.url || "/", self.location.origin);
  const target = wanted.origin === self.location.origin ? wanted.href : new URL("/", self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((client) => client.url === target) || windows[0];
    if (open) {
      await open.focus().catch(() => null);
      if (open.url !== target) await open.navigate(target);
      return;
    }
    await self.clients.openWindow(target);
  })());
});
