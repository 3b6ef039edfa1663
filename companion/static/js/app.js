// Progressive enhancements; every page works without them.

// Quick exit: leave for a neutral site without leaving this page in the back history, clearing the app's
// cache on the way (for at most a moment: leaving fast matters more).
async function clearCaches() {
  if (!("caches" in window)) return;
  for (const key of await caches.keys()) await caches.delete(key);
}

for (const link of document.querySelectorAll("[data-quick-exit]")) {
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    await Promise.race([clearCaches().catch(() => null), new Promise((resolve) => setTimeout(resolve, 300))]);
    window.location.replace(link.href);
  });
}

// Pre-select the phone's own time zone on forms that ask for one, when nothing is chosen yet.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
for (const select of document.querySelectorAll("select[name$='timezone'][data-guess]")) {
  if (zone && [...select.options].some((option) => option.value === zone)) {
    select.value = zone;
  }
}
