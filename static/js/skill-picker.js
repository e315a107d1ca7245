// The skill picker (core.widgets.SkillPicker, templates/widgets/skill_picker.html): a
// combobox that searches skills on the server through htmx, with the chosen skills as
// removable chips. The hidden <select> stays the form's source of truth: every chip is
// one of its selected options, so the form submits exactly what the chips show.
// Keyboard: ArrowDown/ArrowUp move through the options (ArrowDown also opens the list),
// Enter picks, Escape closes (or clears the text), Backspace on an empty box removes the
// last chip. Set up once per picker, also on content htmx swaps in (htmx:load).
(() => {
  "use strict";

  const setUp = (root) => {
    if (root.dataset.skillPickerReady) return;
    const select = root.querySelector("select");
    const ui = root.querySelector(".skill-picker-ui");
    const input = ui && ui.querySelector("[role=combobox]");
    const listbox = ui && ui.querySelector("[role=listbox]");
    const chips = ui && ui.querySelector(".skill-picker-chips");
    const status = ui && ui.querySelector("[role=status]");
    if (!select || !input || !listbox || !chips || !status) return;
    root.dataset.skillPickerReady = "true";
    const multiple = select.multiple;
    let browsing = false; // an ArrowDown asked for the list with nothing typed

    // --- from the plain select to the combobox ----------------------------------
    const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    if (label) {
      if (!label.id) label.id = `${select.id}-label`;
      label.htmlFor = input.id;
      input.setAttribute("aria-labelledby", `${label.id}`);
    }
    const hint = root.querySelector(".skill-picker-hint");
    const described = (select.getAttribute("aria-describedby") || "")
      .split(/\s+/)
      .filter((id) => id && (!hint || id !== hint.id));
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    if (select.required) {
      // The server checks it; a hidden required control would block the browser's submit.
      input.setAttribute("aria-required", "true");
      select.required = false;
    }
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    if (hint) hint.hidden = true;
    ui.hidden = false;

    // --- state helpers -------------------------------------------------------------
    const optionFor = (value) => select.querySelector(`option[value="${CSS.escape(value)}"]`);
    // The chips in the order they were picked (the select keeps its own order).
    let order = Array.from(select.selectedOptions).map((option) => option.value);
    const chosen = () => {
      const selected = Array.from(select.selectedOptions).filter((option) => option.value);
      const values = selected.map((option) => option.value);
      order = order.filter((value) => values.includes(value));
      values.forEach((value) => { if (!order.includes(value)) order.push(value); });
      return order.map((value) => selected.find((option) => option.value === value));
    };
    const nameOf = (option) => option.dataset.name || option.textContent.trim();
    const announce = (text) => {
      // A fresh text node each time, so the same words are announced again.
      status.textContent = "";
      window.setTimeout(() => { status.textContent = text; }, 50);
    };
    const countText = () => {
      const count = chosen().length;
      return `${count} skill${count === 1 ? "" : "s"} chosen.`;
    };
    const changed = () => select.dispatchEvent(new Event("change", { bubbles: true }));

    const renderChips = () => {
      chips.replaceChildren(
        ...chosen().map((option) => {
          const item = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.className = "skill-picker-chip";
          button.dataset.value = option.value;
          button.setAttribute("aria-label", `Remove ${nameOf(option)}`);
          const text = document.createElement("span");
          text.textContent = nameOf(option);
          const cross = document.createElement("span");
          cross.setAttribute("aria-hidden", "true");
          cross.className = "skill-picker-chip-x";
          cross.textContent = "×";
          button.append(text, cross);
          item.append(button);
          return item;
        }),
      );
      chips.hidden = chips.children.length === 0;
    };

    // --- the list ------------------------------------------------------------------
    const options = () => Array.from(listbox.querySelectorAll("[role=option]:not([aria-disabled=true])"));
    const active = () => listbox.querySelector("[role=option].is-active");
    const setActive = (option) => {
      options().forEach((item) => {
        item.classList.toggle("is-active", item === option);
        item.setAttribute("aria-selected", String(item === option));
      });
      if (option) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };
    const isOpen = () => !listbox.hidden;
    const open = () => {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    };
    const close = () => {
      setActive(null);
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
    };
    const search = () => {
      browsing = true;
      if (window.htmx) window.htmx.trigger(input, "skill-picker-search");
    };
    const move = (step) => {
      const items = options();
      if (!items.length) return;
      const index = items.indexOf(active());
      const next = index < 0 ? (step > 0 ? 0 : items.length - 1) : (index + step + items.length) % items.length;
      setActive(items[next]);
    };

    const pick = (item) => {
      const option = item && optionFor(item.dataset.value || "");
      if (!option) return;
      if (!multiple) Array.from(select.options).forEach((other) => { other.selected = false; });
      option.selected = true;
      renderChips();
      changed();
      input.value = "";
      close();
      announce(`Added ${nameOf(option)}. ${countText()}`);
    };
    const remove = (option, { refocus = true } = {}) => {
      option.selected = false;
      renderChips();
      changed();
      announce(`Removed ${nameOf(option)}. ${countText()}`);
      if (refocus) input.focus();
    };

    // --- events --------------------------------------------------------------------
    input.addEventListener("htmx:configRequest", (event) => {
      const query = input.value.trim();
      if (!query && !browsing) {
        event.preventDefault(); // the box was emptied: nothing to search
        return;
      }
      browsing = false;
      event.detail.parameters.q = query;
      event.detail.parameters.exclude = chosen().map((option) => option.value).join(",");
    });
    ui.addEventListener("htmx:afterSwap", (event) => {
      if (event.detail.target !== listbox) return;
      // Only skills this field offers (e.g. feedback leaves out the project's own),
      // and none already chosen.
      listbox.querySelectorAll("[role=option][data-value]").forEach((item) => {
        const option = optionFor(item.dataset.value);
        if (!option || option.selected || option.disabled) item.remove();
        else item.id = `${listbox.id}-${item.dataset.value}`;
      });
      const count = options().length;
      if (!count && !listbox.querySelector("[aria-disabled=true]")) {
        const empty = document.createElement("li");
        empty.setAttribute("role", "option");
        empty.setAttribute("aria-disabled", "true");
        empty.setAttribute("aria-selected", "false");
        empty.className = "skill-picker-empty";
        empty.textContent = "No other skill matches.";
        listbox.append(empty);
      }
      if (document.activeElement !== input) return;
      open();
      setActive(null);
      announce(count ? `${count} skill${count === 1 ? "" : "s"} found. Use the arrow keys to choose.` : "No skill matches.");
    });
    input.addEventListener("input", () => {
      if (!input.value.trim()) close();
    });
    // The text typed is no filter of the surrounding form (the browse page submits on change).
    input.addEventListener("change", (event) => event.stopPropagation());
    input.addEventListener("keydown", (event) => {
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!isOpen()) {
            if (options().length && input.value.trim()) open();
            else search();
          } else {
            move(1);
          }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (isOpen()) move(-1);
          break;
        case "Enter":
          if (isOpen()) {
            event.preventDefault(); // pick, do not submit the form
            if (active()) pick(active());
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            event.stopPropagation();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
          }
          break;
        case "Backspace":
          if (!input.value && chosen().length) {
            event.preventDefault();
            const last = chosen().at(-1);
            remove(last);
          }
          break;
        default:
      }
    });
    // A pointer pick keeps the focus in the box (mousedown would move it away first).
    listbox.addEventListener("mousedown", (event) => event.preventDefault());
    listbox.addEventListener("click", (event) => {
      const item = event.target.closest("[role=option]:not([aria-disabled=true])");
      if (item) pick(item);
      input.focus();
    });
    chips.addEventListener("click", (event) => {
      const button = event.target.closest(".skill-picker-chip");
      const option = button && optionFor(button.dataset.value);
      if (option) remove(option);
    });
    root.addEventListener("focusout", (event) => {
      if (!root.contains(event.relatedTarget)) close();
    });

    renderChips();
  };

  const setUpWithin = (element) => {
    if (!element || !element.querySelectorAll) return;
    if (element.matches("[data-skill-picker]")) setUp(element);
    element.querySelectorAll("[data-skill-picker]").forEach(setUp);
  };
  document.addEventListener("htmx:load", (event) => setUpWithin(event.detail.elt));
  document.addEventListener("DOMContentLoaded", () => setUpWithin(document.body));
})();
