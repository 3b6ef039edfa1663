// Turn on Web Push for this phone from the settings page, when a service worker is installed.
// Without JavaScript, push, or a service worker, the button stays hidden and e-mail and the inbox still work.

const box = document.querySelector("[data-push-setup]");

function urlBase64ToUint8Array(text) {
  const padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function setUp() {
  if (!box || !box.dataset.vapidKey || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration) return;
  const status = box.querySelector("[data-push-status]");
  const button = box.querySelector("[data-push-enable]");
  const csrf = box.closest("form").querySelector("input[name$='csrf_token']").value;
  box.hidden = false;
  if (await registration.pushManager.getSubscription()) {
    status.textContent = "Notifications are on for this phone.";
  }
  button.addEventListener("click", async () => {
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        status.textContent = "Notifications are blocked for Companion in this browser's settings.";
        return;
      }
      const subscription = (await registration.pushManager.getSubscription()) ||
        (await registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(box.dataset.vapidKey),
        }));
      const body = subscription.toJSON();
      const response = await fetch("/api/v1/push-subscriptions", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ endpoint: body.endpoint, keys: body.keys }),
      });
      status.textContent = response.ok ? "Notifications are on for this phone."
        : "We could not turn on notifications. E-mail and the inbox still work.";
    } catch {
      status.textContent = "We could not turn on notifications. E-mail and the inbox still work.";
    }
  });
}

setUp();
