/* The stale-list note (issue 14). Every page's footer carries the build time in data-built
   (overrides/partials/copyright.html). A page viewed more than 3 days after its build gets a
   visible note at the top of its content, so a dead pipeline shows itself to readers even when
   nothing runs. Material's instant navigation swaps the content without re-running scripts:
   the note is (re)made on each of Material's document$ emissions. Text only, no markup. */
(function () {
  "use strict";
  var DAY = 24 * 60 * 60 * 1000;
  var LIMIT_DAYS = 3;  // readinglist/status.py NOTE_AFTER_DAYS

  function update() {
    var old = document.getElementById("rl-stale-note");
    if (old) old.parentNode.removeChild(old);
    var holder = document.querySelector(".md-footer [data-built]") || document.querySelector("[data-built]");
    var content = document.querySelector(".md-content__inner") || document.querySelector("main");
    if (!holder || !content) return;
    var stamp = holder.getAttribute("data-built") || "";
    var built = Date.parse(stamp);
    if (isNaN(built)) return;
    var age = Date.now() - built;
    if (age <= LIMIT_DAYS * DAY) return;
    var days = Math.floor(age / DAY);
    var note = document.createElement("div");
    note.id = "rl-stale-note";
    note.className = "admonition warning rl-stale-note";
    note.setAttribute("role", "status");
    var title = document.createElement("p");
    title.className = "admonition-title";
    title.textContent = "This list may be out of date";
    var text = document.createElement("p");
    text.textContent = "This list was last rebuilt " + days + " days ago (" + stamp.slice(0, 10) +
      "), so it may be missing recent papers.";
    note.appendChild(title);
    note.appendChild(text);
    content.insertBefore(note, content.firstChild);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(update);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
