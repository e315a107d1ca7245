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
  // The phone menu: a button that folds the navigation links below 768 px (CSS), with
  // aria-expanded telling assistive technology; Escape folds it again.
  const toggle = document.querySelector(".nav-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (toggle && menu) {
    const setOpen = (open) => {
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    };
    toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }
  // Confirmation before destructive actions: <form data-confirm="Are you sure?">.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
});
