// Give each journal form a client-generated id, so that sending it twice (or replaying it later) saves it once.
// Without JS, or where crypto.randomUUID is unavailable, the server makes one.
for (const form of document.querySelectorAll("form[data-client-id]")) {
  const input = form.querySelector("input[name='client_id']");
  if (input && !input.value && globalThis.crypto && typeof crypto.randomUUID === "function") {
    input.value = crypto.randomUUID();
  }
}
