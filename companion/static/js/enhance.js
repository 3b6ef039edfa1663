// Forms marked data-swap="#id" are sent in the background and the part of the page with that id is
// replaced by the same part of the answer: no reload, the scroll position and focus stay. Without
// JavaScript, or when the background request fails, the form is sent the ordinary way.

// The page's words for this script (companion/script_text.py): English is the key and what is shown otherwise.
const TEXT = JSON.parse(document.getElementById("script-text")?.content || "{}");
const t = (text, values = {}) => (TEXT[text] ?? text).replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");

async function send(form, selector) {
  const response = await fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch" },
  });
  if (!response.ok) throw new Error(`status ${response.status}`);
  const html = await response.text();
  const fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
  const current = document.querySelector(selector);
  if (!fresh || !current) throw new Error("nothing to swap");
  const focusedId = document.activeElement?.closest("[id]")?.id;
  current.replaceWith(fresh);
  const again = focusedId && document.getElementById(focusedId);
  const target = again?.querySelector("button, a") ?? again;
  if (target) target.focus({ preventScroll: true });
  const status = document.getElementById("live-status");
  if (status) status.textContent = fresh.dataset.announce ?? t("Saved.");
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  const selector = form.dataset.swap;
  // Offline, a form that can wait is kept on the phone by offline.js instead.
  if (!selector || form.dataset.sending || (form.dataset.offline !== undefined && !navigator.onLine)) return;
  event.preventDefault();
  form.dataset.sending = "1";
  send(form, selector).catch(() => {
    delete form.dataset.sending;
    form.submit();
  });
});

// A text area shows all it holds (a prefilled plan of six lines opens showing six): CSS field-sizing where the
// browser has it, otherwise sized here to its content as it opens and as the person types.
if (!globalThis.CSS?.supports?.("field-sizing", "content")) {
  const fit = (area) => {
    area.style.height = "auto";
    area.style.height = `${area.scrollHeight + 4}px`;
  };
  for (const area of document.querySelectorAll("textarea")) {
    fit(area);
    area.addEventListener("input", () => fit(area));
  }
}
