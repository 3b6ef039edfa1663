// "Copy link" on the calendar page: shown only where the clipboard can be written; without it the link
// stays in its field to select and copy by hand.
for (const button of document.querySelectorAll("[data-copy]")) {
  const field = document.querySelector(button.dataset.copy);
  const status = document.querySelector("[data-copied]");
  if (!field || !navigator.clipboard?.writeText) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = button.dataset.done ?? "Copied. Paste it into your calendar app.";
    } catch {
      field.select();
      if (status) status.textContent = "Select the link and copy it.";
    }
  });
}

// "Print" on the summary page; without JavaScript the browser's own Print does the same.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
