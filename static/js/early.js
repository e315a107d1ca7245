// Runs before the page is drawn: styles that depend on script (the folded phone menu)
// apply only when script runs, so without it everything stays in view.
document.documentElement.classList.add("js");
