// The offline queue, shared by the pages and the service worker (a classic script, so that both can load it).
// A craving, trigger or coping entry, a check-in or a step ticked off without a connection is kept in IndexedDB
// with its client-generated id, and sent to the API when the connection returns. The API is idempotent on that id,
// so an item sent twice (a page and the service worker at once, or a reply lost on the way) is saved once.
// Also kept here: which account this phone last showed, and the participant's own plans for the offline page.
// Signing out deletes it all (Clear-Site-Data, and the page deletes the database itself first).
(() => {
  // Its words: on a page, the page's (companion/script_text.py); in the service worker, the phone's language's.
  const TEXT = typeof document !== "undefined"
    ? JSON.parse(document.getElementById("script-text")?.content || "{}")
    : ((typeof SHELL !== "undefined" && SHELL.text) || {})[(self.navigator?.language ?? "en").slice(0, 2)] ?? {};
  const t = (text, values = {}) => (TEXT[text] ?? text).replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
  const NAME = "companion";
  const VERSION = 1;

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("queue", { keyPath: "id" });
        request.result.createObjectStore("kept");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(store, mode, work) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const transaction = db.transaction(store, mode);
        const request = work(transaction.objectStore(store));
        transaction.oncomplete = () => resolve(request ? request.result : undefined);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
    } finally {
      db.close();
    }
  }

  // Reading never creates the database: after signing out there is none, and none should appear.
  async function exists() {
    if (!indexedDB.databases) return true;
    return (await indexedDB.databases()).some((db) => db.name === NAME);
  }

  const all = async () => ((await exists()) ? run("queue", "readonly", (store) => store.getAll()) : []);
  const put = (item) => run("queue", "readwrite", (store) => store.put(item));
  const remove = (id) => run("queue", "readwrite", (store) => store.delete(id));
  const keep = (key, value) => run("kept", "readwrite", (store) => store.put(value, key));
  const kept = async (key) => ((await exists()) ? run("kept", "readonly", (store) => store.get(key)) : undefined);

  function clearAll() {
    return new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }

  function uuid() {
    if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  // A moment as ISO 8601 with the phone's own offset, as the API wants it.
  function isoLocal(date) {
    const pad = (n) => String(Math.abs(Math.trunc(n))).padStart(2, "0");
    const offset = -date.getTimezoneOffset();
    const sign = offset >= 0 ? "+" : "-";
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:` +
      `${pad(date.getMinutes())}:${pad(date.getSeconds())}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
  }

  function localDate(date) {
    return isoLocal(date).slice(0, 10);
  }

  // Leave out what was not filled in, so that the API's defaults apply.
  function compact(body) {
    return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== ""));
  }

  // The queue item for a form of the app's (craving, trigger, coping, check-in, step, dose), or null for any other form.
  function fromForm(action, data, owner) {
    const path = new URL(action, self.location.href).pathname;
    const text = (name) => String(data.get(name) ?? "").trim();
    const number = (name) => (text(name) === "" ? undefined : Number(text(name).replace(",", ".")));
    const id = UUID.test(text("client_id")) ? text("client_id") : uuid();
    const base = { id, owner, state: "waiting", created: Date.now(), method: "POST", url: "/api/v1/logs" };
    let match;
    if (path === "/log/craving") {
      const intensity = number("intensity");
      return { ...base, label: t("A craving, {intensity} out of 10", { intensity: intensity ?? "?" }),
        missing: intensity === undefined ? t("Choose how strong the craving is, from 0 to 10.") : null,
        body: compact({ id, kind: "craving", occurred_at: isoLocal(new Date()), intensity }) };
    }
    if ((match = path.match(/^\/log\/(trigger|coping)$/))) {
      const when = text("occurred_at") ? new Date(text("occurred_at")) : new Date();
      return { ...base, label: match[1] === "trigger" ? t("A trigger") : t("A coping skill you used"), missing: null,
        body: compact({ id, kind: match[1], occurred_at: isoLocal(Number.isNaN(when.getTime()) ? new Date() : when),
          intensity: number("intensity"), triggers: data.getAll("triggers"), halt: data.getAll("halt"),
          emotion: text("emotion"), skill: text("skill"), helped: number("helped"), outcome: text("outcome"),
          note: text("note") }) };
    }
    if (path === "/journal/checkin") {
      const day = text("day") || localDate(new Date());
      const used = { yes: true, no: false }[text("used")];
      const body = compact({ id, date: day, mood: number("mood"), craving: number("craving"), used,
        sleep_hours: number("sleep_hours"), note: text("note") });
      const missing = body.mood === undefined ? t("Choose your mood.")
        : body.craving === undefined ? t("Choose how strong cravings were today, from 0 to 10.")
          : used === undefined ? t("Choose whether you used today.") : null;
      return { ...base, url: "/api/v1/checkins", label: t("Your check-in for {day}", { day }), missing, body };
    }
    if (path === "/medications/doses") {
      // A dose marked taken or skipped: its id was made with the page, so the same tap sent twice marks it once.
      const status = text("status");
      return { ...base, url: "/api/v1/doses", label: status === "taken" ? "A dose you marked taken" : "A dose you skipped",
        missing: ["taken", "skipped"].includes(status) ? null : "Choose taken or skipped.",
        body: compact({ id, medication_id: number("medication_id"), scheduled_for: text("scheduled_for"), status,
          reason: text("reason") }) };
    }
    if ((match = path.match(/^\/steps\/(\d+)\/done$/))) {
      const done = text("done") === "1";
      const clientId = uuid();
      return { ...base, id: clientId, method: "PATCH", url: `/api/v1/steps/${match[1]}`,
        label: done ? t("A step you ticked off") : t("A step you unticked"), missing: null,
        body: { done, client_id: clientId } };
    }
    return null;
  }

  // The reason a refused item gives, in the API's own words.
  function reason(problem, status) {
    const fields = Object.values(problem?.errors ?? {}).flat();
    if (fields.length) return fields.join(" ");
    if (problem?.detail) return problem.detail;
    return t("The server answered {status}.", { status });
  }

  // One replay at a time per phone (a page and the service worker may both try).
  function exclusively(work) {
    if (self.navigator?.locks?.request) return navigator.locks.request("companion-replay", work);
    return work();
  }

  // Send what waits, oldest first. Returns {sent, signedOut, offline, refused}.
  function replay() {
    return exclusively(async () => {
      const result = { sent: 0, refused: 0, signedOut: false, offline: false };
      const waiting = (await all()).filter((item) => item.state === "waiting").sort((a, b) => a.created - b.created);
      if (!waiting.length) return result;
      let session;
      try {
        session = await fetch("/api/v1/session", { credentials: "same-origin", cache: "no-store" });
      } catch {
        return { ...result, offline: true };
      }
      if (session.status === 401) return { ...result, signedOut: true };
      if (!session.ok) return result;
      const { user, csrf_token: csrf } = await session.json();
      for (const item of waiting) {
        if (item.owner !== user.id) continue; // another person's, from before a session ended: never theirs to send
        let response;
        try {
          response = await fetch(item.url, {
            method: item.method, credentials: "same-origin", cache: "no-store", body: JSON.stringify(item.body),
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          });
        } catch {
          return { ...result, offline: true };
        }
        if (response.ok) {
          await remove(item.id);
          result.sent += 1;
        } else if (response.status === 401) {
          return { ...result, signedOut: true };
        } else if (response.status >= 500 || response.status === 429) {
          return result; // the server's trouble, not the entry's: try again later
        } else {
          const problem = await response.json().catch(() => null);
          await put({ ...item, state: "refused", status: response.status, reason: reason(problem, response.status) });
          result.refused += 1;
        }
      }
      return result;
    });
  }

  self.CompanionQueue = { all, put, remove, keep, kept, clearAll, fromForm, replay, localDate };
})();
