// Small progressive enhancements. Everything works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Character counters: <textarea data-maxlength-counter="id-of-output">.
  document.querySelectorAll("[data-counter]").forEach((field) => {
    const output = document.getElementById(field.dataset.counter);
    const max = parseInt(field.getAttribute("maxlength") || "0", 10);
    if (!output || !max) return;
    const update = () => { output.textContent = `${field.value.length} / ${max}`; };
    field.addEventListener("input", update);
    update();
  });
  // Confirmation before destructive actions: <form data-confirm="Are you sure?">.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
});
