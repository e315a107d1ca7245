// Small progressive enhancements. Everything works without this file.

// "page-visible" on <body> when the tab comes back into view: the unread badge refreshes
// then (templates/base.html). htmx's trigger filter for it needs eval, which the CSP
// refuses, and a bare visibilitychange also fired as the tab was hidden or closed,
// asking the server for a badge nobody would see.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") {
    document.body.dispatchEvent(new CustomEvent("page-visible"));
  }
});
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
  // Filter panels (<details data-open-from="768">) are rendered closed, so a phone shows the
  // results first; where the screen is at least that wide, open them as the page loads. An
  // htmx history restore that missed its cache swaps in a fresh, closed page body: again.
  const openWidePanels = () => {
    document.querySelectorAll("details[data-open-from]").forEach((panel) => {
      const width = parseInt(panel.dataset.openFrom, 10);
      if (width && window.matchMedia(`(min-width: ${width}px)`).matches) panel.open = true;
    });
  };
  openWidePanels();
  document.addEventListener("htmx:historyRestore", (event) => {
    if (event.detail && event.detail.cacheMiss) openWidePanels();
  });
  // Confirmation before destructive actions: <form data-confirm="Are you sure?">.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
});
