// The medication form: show only the schedule fields the chosen frequency uses (days of the week, or every so
// many days). Without JS every field shows and the server says which ones do not apply.
const form = document.querySelector("form[data-medication-form]");
if (form) {
  const weekdays = form.querySelector("#weekdays");
  const every = form.querySelector("#every_days")?.closest(".field");
  const show = () => {
    const chosen = form.querySelector("input[name='frequency']:checked")?.value ?? "daily";
    if (weekdays) weekdays.hidden = chosen !== "weekdays";
    if (every) every.hidden = chosen !== "every";
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "frequency") show();
  });
  show();
}
