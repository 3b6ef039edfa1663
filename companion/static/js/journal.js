// Give each journal form a client-generated id, so that sending it twice (or replaying it later) saves it once.
// Without JS, or where crypto.randomUUID is unavailable, the server makes one.
for (const form of document.querySelectorAll("form[data-client-id]")) {
  const input = form.querySelector("input[name='client_id']");
  if (input && !input.value && globalThis.crypto && typeof crypto.randomUUID === "function") {
    input.value = crypto.randomUUID();
  }
}

// The skill is one choice: tapping a chip clears the folded list, and choosing in the list clears the chips.
for (const chips of document.querySelectorAll("[data-skill-chips]")) {
  const form = chips.closest("form");
  const more = form?.querySelector("select[name='skill_more']");
  if (!more) continue;
  chips.addEventListener("change", () => { more.value = ""; });
  more.addEventListener("change", () => {
    if (!more.value) return;
    for (const chip of chips.querySelectorAll("input[type='radio']")) chip.checked = false;
  });
}
