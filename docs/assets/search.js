// Search bootstrap, loaded on every page: small on purpose. It wires the header box once
// (the header survives Material's instant navigation), answers the `/` key, and loads the
// search code (search-ui.js, then Pagefind's files under /pagefind/) only on first use:
// a page where nobody searches downloads nothing more.
(function () {
  const script = document.currentScript
  const uiUrl = new URL("search-ui.js", script ? script.src : location.href).href
  let ui = null

  function loadUi() {
    ui = ui || import(uiUrl)
    return ui
  }

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  }

  function wireHeader() {
    const root = document.querySelector("[data-rl-search]")
    if (!root || root.dataset.wired) return
    root.dataset.wired = "true"
    // The header is kept across instant navigation while the address changes: resolve its
    // relative site root now, against the page it was rendered for.
    const relative = root.dataset.root || "."
    root.dataset.site = new URL(relative.endsWith("/") ? relative : relative + "/", location.href).href
    const input = root.querySelector("input")
    const start = () => loadUi().then(module => module.attachHeader(root))
    // Focusing the box is the first use: load while the reader types the first letters.
    input.addEventListener("focus", start, { once: true })
    input.addEventListener("pointerenter", () => loadUi(), { once: true })
  }

  // `/` focuses the box from anywhere except a form field. Captured on window so that
  // Material's own keyboard handler (which would open its absent search) never sees it.
  window.addEventListener("keydown", event => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return
    // On the /search/ page, its own box; elsewhere the header's.
    const input = document.querySelector("[data-rl-search-page] input[type=search]") ||
      document.querySelector("[data-rl-search] input")
    if (!input) return
    event.preventDefault()
    event.stopImmediatePropagation()
    input.focus()
    input.select()
  }, true)

  function onPage() {
    wireHeader()
    const page = document.querySelector("[data-rl-search-page]")
    if (page) loadUi().then(module => module.attachPage(page))
    else if (ui) ui.then(module => module.closeHeader())
  }

  if (typeof document$ !== "undefined") document$.subscribe(onPage)
  else document.addEventListener("DOMContentLoaded", onPage)
})()
