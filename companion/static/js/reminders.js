// Turn Web Push on or off for this phone from the settings page, after a tap (never a prompt on load).
// Without JavaScript, push or a service worker, the buttons stay hidden and e-mail and the inbox still work.

const box = document.querySelector("[data-push-setup]");
// The page's words for this script (companion/script_text.py): English is the key and what is shown otherwise.
const TEXT = JSON.parse(document.getElementById("script-text")?.content || "{}");
const t = (text, values = {}) => (TEXT[text] ?? text).replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
const FAILED = t("We could not turn on notifications. E-mail and the inbox still work.");

function urlBase64ToUint8Array(text) {
  const padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function setUp() {
  if (!box || !box.dataset.vapidKey || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  const registration = await navigator.serviceWorker.ready;
  const status = box.querySelector("[data-push-status]");
  const enable = box.querySelector("[data-push-enable]");
  const disable = box.querySelector("[data-push-disable]");
  const csrf = document.body.dataset.csrf;
  const send = (method, body) => fetch("/api/v1/push-subscriptions", {
    method, credentials: "same-origin", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
  });
  const show = (on, message) => {
    status.textContent = message ?? (on ? t("Notifications are on for this phone.")
      : t("Notifications are not turned on for this phone yet."));
    enable.hidden = on;
    disable.hidden = !on;
  };
  box.hidden = false;
  show(Boolean(await registration.pushManager.getSubscription()));

  enable.addEventListener("click", async () => {
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        show(false, t("Notifications are blocked for Companion in this browser's settings."));
        return;
      }
      const subscription = (await registration.pushManager.getSubscription()) ||
        (await registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(box.dataset.vapidKey),
        }));
      const { endpoint, keys } = subscription.toJSON();
      const response = await send("POST", { endpoint, keys });
      show(response.ok, response.ok ? undefined : FAILED);
    } catch {
      show(false, FAILED);
    }
  });

  disable.addEventListener("click", async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await send("DELETE", { endpoint: subscription.endpoint }).catch(() => null);
      await subscription.unsubscribe().catch(() => null);
    }
    show(false, t("Notifications are off for this phone."));
  });
}

setUp();
