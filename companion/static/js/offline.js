// The app on the phone: the service worker, what was logged offline and waits to be sent, the offline copies of
// the participant's plans, clearing the phone on sign-out, and the PIN lock when the installed app comes back.
// Every page works without it; queue.js (loaded before this module) holds the shared queue.

// The page's words for this script (companion/script_text.py): English is the key and what is shown otherwise.
const TEXT = JSON.parse(document.getElementById("script-text")?.content || "{}");
const t = (text, values = {}) => (TEXT[text] ?? text).replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");

const Queue = globalThis.CompanionQueue;
const body = document.body;
// Whose phone this is: the signed-in person, or on the offline page (the same for everyone) the last one seen.
const offlinePage = document.querySelector("[data-offline-page]");
let owner = body.dataset.user ? Number(body.dataset.user) : null;
const statusBox = document.querySelector("[data-queue-status]");
const PLAN_MAX_AGE = 6 * 60 * 60 * 1000;

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => null);
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "queue-changed") showQueue();
  });
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

// "N waiting to send", and each refused item with its reason until the person dismisses it.
async function showQueue() {
  if (!statusBox || !Queue) return;
  const items = (await Queue.all().catch(() => [])).filter((item) => owner === null || item.owner === owner);
  const waiting = items.filter((item) => item.state === "waiting");
  waitingCount = waiting.length;
  const refused = items.filter((item) => item.state === "refused");
  statusBox.replaceChildren();
  statusBox.hidden = !waiting.length && !refused.length;
  if (waiting.length) {
    const where = owner === null || lastReplay.signedOut ? t("They will be sent after you sign in again.")
      : !navigator.onLine || lastReplay.offline ? t("They will be sent when you're back online.") : t("Sending…");
    const count = waiting.length === 1 ? t("1 entry is waiting to send.")
      : t("{n} entries are waiting to send.", { n: waiting.length });
    const line = element("p", `${count} ${where}`, { role: "status" });
    line.className = "queue-waiting";
    statusBox.append(line);
    const list = element("ul");
    list.className = "plain-list queue-items";
    for (const item of waiting) list.append(element("li", t("{label}: waiting to send", { label: item.label })));
    statusBox.append(list);
  }
  for (const item of refused) {
    const box = element("div", undefined, { role: "alert" });
    box.className = "queue-refused";
    box.append(element("p", t("{label} could not be saved: {reason}", { label: item.label, reason: item.reason })));
    const dismiss = element("button", t("Dismiss"), { type: "button" });
    dismiss.className = "button";
    dismiss.addEventListener("click", async () => {
      await Queue.remove(item.id);
      showQueue();
    });
    box.append(dismiss);
    statusBox.append(box);
  }
}

let lastReplay = {};

async function replay() {
  if (!Queue || !navigator.onLine) return;
  lastReplay = (await Queue.replay().catch(() => null)) ?? {};
  await showQueue();
}

async function askForSync() {
  const registration = await navigator.serviceWorker?.getRegistration?.();
  await registration?.sync?.register("companion-replay").catch(() => null);
}

// A form that can wait: kept on the phone when there is no connection (or always, on the offline page).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (form.dataset.offline === undefined || !Queue) return;
  if (form.dataset.offline !== "always" && navigator.onLine) return;
  event.preventDefault();
  const item = owner ? Queue.fromForm(form.action, new FormData(form), owner) : null;
  let note = form.querySelector("[data-offline-note]");
  if (!note) {
    note = element("p", "", { "data-offline-note": "", role: "status" });
    form.append(note);
  }
  if (!item) {
    note.textContent = t("Please sign in when you're back online to save this.");
    return;
  }
  if (item.missing) {
    note.className = "error";
    note.textContent = item.missing;
    return;
  }
  delete item.missing;
  await Queue.put(item);
  note.className = "saved-offline";
  note.textContent = t("Saved on this phone. It will be sent when you're back online.");
  const toggle = form.querySelector(".step-toggle");
  if (toggle) {
    toggle.setAttribute("aria-pressed", String(item.body.done));
    toggle.classList.toggle("is-done", item.body.done);
  }
  if (form.dataset.offline === "always") form.reset();
  await showQueue();
  await askForSync();
  if (navigator.onLine) replay();
});

// Signing out deletes what waits on this phone: say so first, and try to send it.
let waitingCount = 0;
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("[data-sign-out]") || !waitingCount || form.dataset.confirmed) return;
  event.preventDefault();
  replay();
  if (form.querySelector("[data-sign-out-warning]")) return;
  const warning = element("div", undefined, { "data-sign-out-warning": "", role: "alert" });
  warning.className = "queue-refused";
  warning.append(element("p", waitingCount === 1
    ? t("1 entry has not been sent yet. Signing out deletes it from this phone. Wait until you're back online to keep it.")
    : t("{n} entries have not been sent yet. Signing out deletes them from this phone. Wait until you're back online to keep them.",
      { n: waitingCount })));
  const anyway = element("button", t("Sign out anyway"), { type: "button" });
  anyway.className = "button";
  anyway.addEventListener("click", () => {
    form.dataset.confirmed = "1";
    form.requestSubmit();
  });
  warning.append(anyway);
  form.append(warning);
});

// The page after signing out: clear the phone here too, for browsers that ignore Clear-Site-Data.
async function clearDevice() {
  await Queue?.clearAll();
  if ("caches" in self) for (const key of await caches.keys()) await caches.delete(key);
}

// The participant's plans, kept for the offline page (in IndexedDB, never in the service worker's cache).
async function keepPlans() {
  if (!Queue || owner === null) return;
  await Queue.keep("user", owner);
  if (body.dataset.role !== "participant" || !navigator.onLine) return;
  const stamp = await Queue.kept("plans-at");
  if (stamp?.owner === owner && Date.now() - stamp.at < PLAN_MAX_AGE && !location.pathname.startsWith("/support/")) return;
  const get = (path) => fetch(path, { credentials: "same-origin", cache: "no-store" })
    .then((response) => (response.ok ? response.json() : null));
  const [safety, aftercare] = await Promise.all([get("/api/v1/safety-plan"), get("/api/v1/aftercare")]);
  if (safety) await Queue.keep("safety-plan", safety);
  if (aftercare) await Queue.keep("aftercare", aftercare);
  await Queue.keep("plans-at", { owner, at: Date.now() });
}

async function drawOfflinePage() {
  const page = offlinePage;
  if (new URLSearchParams(location.search).has("saved")) page.querySelector("[data-offline-saved]").hidden = false;
  for (const input of page.querySelectorAll("[data-today]")) input.value = Queue.localDate(new Date());
  if (!owner) {
    for (const part of page.querySelectorAll("[data-needs-account]")) part.hidden = true;
    page.querySelector("[data-no-account]").hidden = false;
    return;
  }
  const safety = await Queue.kept("safety-plan");
  if (safety) {
    page.querySelector("[data-plan-missing]").hidden = true;
    page.querySelector("[data-plan]").hidden = false;
    for (const step of page.querySelectorAll("[data-plan-step]")) {
      const entries = safety[step.dataset.planStep] ?? [];
      const list = step.querySelector("ul");
      step.querySelector(".hint").hidden = entries.length > 0;
      for (const entry of entries) {
        const row = element("li");
        if (typeof entry === "string") {
          row.textContent = entry;
        } else {
          row.append(element("span", entry.name));
          // The routes the server gave (a crisis line's own: Crisis Text Line is texted, never called).
          const links = safety.links?.[entry.phone] ?? (entry.phone ? [{ href: `tel:${entry.phone.replace(/[^\d+*#]/g, "")}`, label: t("Call {phone}", { phone: entry.phone }), kind: "call" }] : []);
          for (const link of links) {
            const route = element("a", link.label, { href: link.href, "data-route": link.kind });
            route.className = "button";
            row.append(" ", route);
          }
        }
        list.append(row);
      }
    }
  }
  const aftercare = await Queue.kept("aftercare");
  if (aftercare?.updated_at) {
    const box = page.querySelector("[data-aftercare]");
    const list = box.querySelector("dl");
    const add = (term, text) => {
      if (!text) return;
      list.append(element("dt", term), element("dd", text));
    };
    add(t("Follow-up care"), aftercare.follow_up);
    add(t("Meetings"), aftercare.meetings);
    add(t("Sponsor or mentor"), [aftercare.sponsor?.name, aftercare.sponsor?.phone].filter(Boolean).join(", "));
    add(t("People to call"), (aftercare.contacts ?? []).map((c) => [c.name, c.phone].filter(Boolean).join(" ")).join("; "));
    add(t("Next steps"), (aftercare.steps ?? []).join("; "));
    box.hidden = false;
  }
}

// The PIN lock: the installed app, back on screen after a minute away, asks for the PIN again.
const LOCK_AFTER = 60 * 1000;
if (body.dataset.pinLock !== undefined && matchMedia("(display-mode: standalone)").matches) {
  document.addEventListener("visibilitychange", async () => {
    if (document.visibilityState === "hidden") {
      sessionStorage.setItem("companion-hidden-at", String(Date.now()));
      return;
    }
    const hiddenAt = Number(sessionStorage.getItem("companion-hidden-at") || Date.now());
    if (Date.now() - hiddenAt < LOCK_AFTER) return;
    document.documentElement.classList.add("locking"); // nothing of the page shows while it locks
    await fetch("/lock", { method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": body.dataset.csrf, "X-Requested-With": "fetch" } }).catch(() => null);
    location.replace(`/unlock?next=${encodeURIComponent(location.pathname + location.search)}`);
  });
}

async function start() {
  if (!Queue) return;
  if (body.dataset.clearDevice !== undefined) {
    await clearDevice().catch(() => null);
    return;
  }
  if (offlinePage && owner === null) owner = (await Queue.kept("user").catch(() => null)) ?? null;
  window.addEventListener("online", replay);
  await showQueue();
  if (offlinePage) await drawOfflinePage();
  keepPlans().catch(() => null);
  if (owner !== null) navigator.serviceWorker?.controller?.postMessage({ type: "keep-shell" });
  replay();
}

start();
