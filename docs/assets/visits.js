// "New since your last visit" and read marks on the entry lists (home, topic and year pages),
// and the same "Read" toggle on paper pages.
//
// Everything stays in this browser's localStorage (key STORE); nothing is sent anywhere.
// A visit is a run of list page views with no gap longer than VISIT_GAP. Each visit remembers
// when it began and the newest `added` date the list had then (data-latest, written at build
// time): at the next visit, papers added after that date are marked new. Dates come from the
// build, not the reader's clock, so time zones and wrong clocks cannot hide a paper.
// With JavaScript off, or storage blocked, the lists are simply unmarked.
// Material's `document$` emits on every page, instant navigation included.

const STORE = "rl-reading-list:v1"
const VISIT_GAP = 30 * 60 * 1000
const MAX_READ = 5000

function loadState() {
  try {
    const state = JSON.parse(localStorage.getItem(STORE) || "{}")
    return state && typeof state === "object" ? state : {}
  } catch (error) {
    return {}
  }
}

function saveState(state) {
  try {
    localStorage.setItem(STORE, JSON.stringify(state))
    return true
  } catch (error) {
    return false // storage full or blocked: marks work for this page only
  }
}

function isDay(value) {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)
}

// Record this page view; returns the state with `previous` = the visit before this one.
function recordView(state, latest, now) {
  const current = state.current
  const valid = current && typeof current.at === "number" && isDay(current.latest)
  if (!valid || typeof state.seen !== "number" || now - state.seen > VISIT_GAP || now < state.seen) {
    if (valid) state.previous = current
    state.current = { at: now, latest }
  } else if (latest > current.latest) {
    current.latest = latest
  }
  state.seen = now
  if (!state.read || typeof state.read !== "object") state.read = {}
  return state
}

// "since earlier today", "since yesterday", "since Tuesday", "since 12 November 2025"
function sinceLabel(at, now) {
  const day = date => new Date(date.getFullYear(), date.getMonth(), date.getDate())
  const then = new Date(at)
  const days = Math.round((day(new Date(now)) - day(then)) / 86400000)
  if (days <= 0) return "since earlier today"
  if (days === 1) return "since yesterday"
  if (days < 7) return "since " + then.toLocaleDateString("en-GB", { weekday: "long" })
  const sameYear = then.getFullYear() === new Date(now).getFullYear()
  return "since " + then.toLocaleDateString("en-GB", sameYear
    ? { day: "numeric", month: "long" }
    : { day: "numeric", month: "long", year: "numeric" })
}

function entryTitle(item) {
  const link = item.querySelector(".rl-entry__title")
  return link ? link.textContent.trim() : ""
}

function decorate(item, onToggle) {
  if (item.querySelector(".rl-read")) return
  const badge = document.createElement("span")
  badge.className = "rl-new-badge"
  badge.textContent = "New"
  badge.hidden = true
  item.prepend(badge)
  const button = document.createElement("button")
  button.type = "button"
  button.className = "rl-read"
  button.setAttribute("aria-pressed", "false")
  button.textContent = "Read"
  // The name says which paper (a list of twenty buttons all called "Read" would not).
  button.setAttribute("aria-label", "Read: " + entryTitle(item))
  button.addEventListener("click", () => onToggle(item))
  const meta = item.querySelector(".rl-meta") || item
  meta.append(button)
}

function enableVisits(root) {
  const bar = root.querySelector(".rl-visits")
  if (!bar || bar.dataset.ready) return
  const latest = bar.dataset.latest
  if (!isDay(latest)) return
  const now = Date.now()
  const state = recordView(loadState(), latest, now)
  if (!saveState(state)) return
  bar.dataset.ready = "true"
  const items = [...root.querySelectorAll("li.rl-entry[data-id][data-added]")]
  const summary = bar.querySelector(".rl-visits__summary")
  const status = bar.querySelector(".rl-visits__status")
  const clear = bar.querySelector("[data-visits='clear']")
  const hideRead = bar.querySelector("[data-visits='hide-read']")
  // The page's own element (Material may keep .md-content across instant navigation).
  const scope = bar.closest("article") || root

  function render() {
    const baseline = state.previous && isDay(state.previous.latest) ? state.previous : null
    const fresh = new Set()
    for (const item of items) {
      const id = item.dataset.id
      const read = Boolean(state.read[id])
      const isNew = Boolean(baseline) && item.dataset.added > baseline.latest && !read
      if (isNew) fresh.add(id)
      item.classList.toggle("rl-entry--new", isNew)
      item.classList.toggle("rl-entry--read", read)
      item.querySelector(".rl-new-badge").hidden = !isNew
      item.querySelector(".rl-read").setAttribute("aria-pressed", String(read))
    }
    if (!baseline) {
      summary.textContent = "Papers added after today will be marked new at your next visit."
    } else if (fresh.size) {
      summary.textContent = `${fresh.size} new ${sinceLabel(baseline.at, now)}`
    } else {
      summary.textContent = `Nothing new here ${sinceLabel(baseline.at, now)}`
    }
    clear.hidden = fresh.size === 0
    const hiding = Boolean(state.hideRead)
    hideRead.setAttribute("aria-pressed", String(hiding))
    scope.classList.toggle("rl-hide-read", hiding)
  }

  function announce(text) {
    status.textContent = text
  }

  clear.addEventListener("click", () => {
    // The reader has seen everything: this visit becomes the baseline.
    const stored = loadState()
    stored.previous = { at: Date.now(), latest: (stored.current && stored.current.latest) || latest }
    Object.assign(state, stored)
    saveState(state)
    render()
    announce("New marks cleared")
    hideRead.focus() // the clear button is now hidden: keep focus in the bar
  })
  hideRead.addEventListener("click", () => {
    Object.assign(state, loadState(), { hideRead: !state.hideRead })
    saveState(state)
    render()
    announce(state.hideRead ? "Read papers hidden" : "Read papers shown")
  })
  function toggleRead(item) {
    const id = item.dataset.id
    Object.assign(state, loadState())
    if (!state.read || typeof state.read !== "object") state.read = {}
    const read = !state.read[id]
    if (read) state.read[id] = 1
    else delete state.read[id]
    const ids = Object.keys(state.read)
    for (const old of ids.slice(0, Math.max(0, ids.length - MAX_READ))) delete state.read[old]
    saveState(state)
    render()
    announce((read ? "Marked as read: " : "Marked as unread: ") + entryTitle(item))
    if (read && state.hideRead) {
      // The entry disappears: move focus to the next visible control in the list.
      const next = items.slice(items.indexOf(item) + 1).find(other => !other.classList.contains("rl-entry--read"))
      ;(next ? next.querySelector(".rl-entry__title") : hideRead).focus()
    }
  }
  items.forEach(item => decorate(item, toggleRead))
  render()
  bar.hidden = false
}

// A paper page: the same "Read" toggle after its metadata line. Its id comes from the URL
// (papers/<year>/<slug>/, as in the lists' data-id), so the page template needs nothing.
function enablePaperRead(root) {
  const meta = root.querySelector(".rl-paper__meta")
  const match = location.pathname.match(/\/papers\/(\d{4}\/[^/]+)\/(index\.html)?$/)
  if (!meta || !match || meta.querySelector(".rl-read")) return
  const id = decodeURIComponent(match[1])
  const state = loadState()
  if (!saveState(state)) return
  const title = (root.querySelector("h1.rl-paper__title") || meta).textContent.trim()
  const button = document.createElement("button")
  button.type = "button"
  button.className = "rl-read"
  button.textContent = "Read"
  button.setAttribute("aria-label", "Read: " + title)
  const status = document.createElement("span")
  status.className = "rl-visits__status md-visually-hidden"
  status.setAttribute("aria-live", "polite")
  const show = read => button.setAttribute("aria-pressed", String(read))
  show(Boolean(state.read && state.read[id]))
  button.addEventListener("click", () => {
    const stored = loadState()
    if (!stored.read || typeof stored.read !== "object") stored.read = {}
    const read = !stored.read[id]
    if (read) stored.read[id] = 1
    else delete stored.read[id]
    saveState(stored)
    show(read)
    status.textContent = read ? "Marked as read" : "Marked as unread"
  })
  meta.append(button, status)
}

document$.subscribe(() => {
  const root = document.querySelector(".md-content") || document.body
  enableVisits(root)
  enablePaperRead(root)
})
