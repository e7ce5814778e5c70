// Paper search with Pagefind: the header's drop-down and the /search/ page share one view.
// Loaded by search.js on first use. Pagefind's own files come from /pagefind/ on this site
// (built by hooks/reading_list.py from the catalog); nothing is loaded from other hosts.
//
// State: a query, selected topics and years (any of them), "with code", and a sort
// (relevance, date or upvotes). The /search/ page keeps it in its URL (?q=&topic=&year=
// &code=&sort=), so a search can be shared and is restored on load.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const SORTS = [["relevance", "Relevance"], ["date", "Date"], ["upvotes", "Upvotes"]]
const HEADER_RESULTS = 8
const PAGE_RESULTS = 20
const HEADER_FACETS = 6
const TYPING_PAUSE = 200 // ms

let pagefind = null
let facetsLoaded = null // Pagefind's filter chunks being fetched (once, shared by every search)
let facetsReady = false // fetched: a search started now gets the facet counts

function siteRoot(element) {
  if (element.dataset.site) return new URL(element.dataset.site)
  const relative = element.dataset.root || "."
  return new URL(relative.endsWith("/") ? relative : relative + "/", location.href)
}

function loadPagefind(root) {
  pagefind = pagefind || import(new URL("pagefind/pagefind.js", root).href).then(async module => {
    await module.options({ baseUrl: root.pathname, excerptLength: 28 })
    await module.init()
    return module
  })
  return pagefind
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue
    if (key === "class") node.className = value
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value)
    else node.setAttribute(key, value === true ? "" : value)
  }
  node.append(...children.filter(child => child !== null && child !== undefined && child !== false))
  return node
}

function shortDate(iso) {
  const [year, month, day] = (iso || "").split("-").map(Number)
  return year ? `${day} ${MONTHS[month - 1]} ${year}` : ""
}

// The excerpt is cut from the abstract only: it comes first in the indexed text and
// meta.abstract_words says where it ends (readinglist/pages/search.py), so an excerpt never
// repeats the title shown above it. Pagefind's locations are indexes into the text split on
// white space; the window of EXCERPT words holding most hits is shown, hits marked. Every
// word is a text node: the indexed text is not HTML-escaped (a title may hold "<script>").
const EXCERPT = 30

function excerptOf(data) {
  const words = (data.content || "").split(/[\r\n\s]+/g)
  const end = Math.min(words.length, Number((data.meta || {}).abstract_words) || words.length)
  const hits = new Set((data.locations || []).filter(at => at < end))
  let start = 0
  let best = 0
  for (const at of hits) {
    const from = Math.max(0, Math.min(at - Math.floor(EXCERPT / 3), end - EXCERPT))
    let count = 0
    for (const other of hits) if (other >= from && other < from + EXCERPT) count++
    if (count > best) [best, start] = [count, from]
  }
  const stop = Math.min(end, start + EXCERPT)
  const nodes = start > 0 ? ["… "] : []
  for (let i = start; i < stop; i++) {
    if (i > start) nodes.push(" ")
    nodes.push(hits.has(i) ? el("mark", {}, words[i]) : words[i])
  }
  if (stop < end) nodes.push(" …")
  return nodes
}

// The title as the build rendered it (readinglist/render.py: escaped text, math marked up),
// parsed in an inert document and copied over element by element: only what the renderer
// makes (text, spans, MathML) is kept, never scripts, handlers or links.
const TITLE_TAGS = /^(span|math|semantics|annotation|mrow|mi|mo|mn|ms|mtext|msup|msub|msubsup|mfrac|msqrt|mroot|mover|munder|munderover|mspace|mstyle|mtable|mtr|mtd|mpadded|mphantom|menclose)$/i
const TITLE_ATTRIBUTES = /^(class|title|display|mathvariant|encoding|stretchy|fence|separator|lspace|rspace|accent|accentunder|columnalign|displaystyle|scriptlevel|width|height|depth|aria-hidden|aria-label)$/i

function copySafe(source, target) {
  for (const child of source.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) target.append(child.textContent)
    else if (child.nodeType === Node.ELEMENT_NODE && TITLE_TAGS.test(child.localName)) {
      const copy = document.createElementNS(child.namespaceURI, child.localName)
      for (const attribute of child.attributes) {
        if (TITLE_ATTRIBUTES.test(attribute.name)) copy.setAttribute(attribute.name, attribute.value)
      }
      copySafe(child, copy)
      target.append(copy)
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      copySafe(child, target)
    }
  }
}

function titleInto(target, meta) {
  if (meta.title_html) {
    const parsed = new DOMParser().parseFromString(`<body>${meta.title_html}</body>`, "text/html")
    copySafe(parsed.body, target)
  } else {
    target.textContent = meta.title || ""
  }
  if (typeof window.renderMath === "function") window.renderMath(target)
}

class SearchView {
  // root: the element holding the view; input: the query box; panel: where chips and
  // results go; mode: "header" (drop-down) or "page" (/search/, state in the URL).
  constructor({ root, input, panel, mode, site, topics }) {
    Object.assign(this, { root, input, panel, mode, site, topics })
    this.state = { q: "", topic: new Set(), year: new Set(), code: false, sort: "relevance" }
    this.shown = mode === "page" ? PAGE_RESULTS : HEADER_RESULTS
    this.active = -1
    this.serial = 0
    this.listId = `${mode}-results`
    // One live region for the whole life of the view, so screen readers announce each count.
    this.status = el("p", { class: "rl-search__status", role: "status" })
    this.body = el("div", { class: "rl-search__body" })
    panel.replaceChildren(this.status, this.body)
    input.setAttribute("aria-controls", this.listId)
    // Searching waits for a pause in typing: every search of a prefix ("m", "mo", ...) would
    // fetch index chunks of its own.
    this.typing = 0 // the search waiting for the pause (close() cancels it)
    input.addEventListener("input", () => {
      this.state.q = input.value
      this.shown = mode === "page" ? PAGE_RESULTS : HEADER_RESULTS
      clearTimeout(this.typing)
      this.typing = setTimeout(() => this.run(), TYPING_PAUSE)
    })
    input.addEventListener("keydown", event => this.key(event))
  }

  hasQuery() {
    const s = this.state
    return Boolean(s.q.trim() || s.topic.size || s.year.size || s.code)
  }

  options() {
    const s = this.state
    const filters = {}
    if (s.topic.size) filters.topic = { any: [...s.topic] }
    if (s.year.size) filters.year = { any: [...s.year] }
    if (s.code) filters.has_code = "yes"
    // With no words there is no relevance: list by date.
    const by = s.sort === "relevance" && !s.q.trim() ? "date" : s.sort
    return { filters, sort: by === "relevance" ? undefined : { [by]: "desc" } }
  }

  query() {
    const s = this.state
    const params = new URLSearchParams()
    if (s.q.trim()) params.set("q", s.q.trim())
    for (const topic of s.topic) params.append("topic", topic)
    for (const year of s.year) params.append("year", year)
    if (s.code) params.set("code", "yes")
    if (s.sort !== "relevance") params.set("sort", s.sort)
    return params.toString()
  }

  restore(search) {
    const params = new URLSearchParams(search)
    this.state.q = params.get("q") || ""
    this.state.topic = new Set(params.getAll("topic"))
    this.state.year = new Set(params.getAll("year"))
    this.state.code = params.get("code") === "yes"
    const sort = params.get("sort")
    this.state.sort = SORTS.some(([id]) => id === sort) ? sort : "relevance"
    this.input.value = this.state.q
  }

  async run() {
    const serial = ++this.serial
    const counted = facetsReady // whether this search's results can carry the facet counts
    if (this.mode === "page") {
      const query = this.query()
      const url = location.pathname + (query ? "?" + query : "")
      if (url !== location.pathname + location.search) history.replaceState(history.state, "", url)
    }
    if (!this.hasQuery() && this.mode === "header") return this.close()
    let engine, search, data
    try {
      engine = await loadPagefind(this.site)
      search = await engine.search(this.state.q.trim() || null, this.options())
      if (serial !== this.serial || !search) return // a newer keystroke won
      data = await Promise.all(search.results.slice(0, this.shown).map(result => result.data()))
    } catch (error) {
      pagefind = null // try again on the next search
      this.status.textContent = "Search is not available right now (its index could not be loaded)."
      this.body.replaceChildren()
      this.open()
      return
    }
    if (serial !== this.serial) return
    this.render(search, data)
    // Facet counts need Pagefind's filter chunks: fetched once, after the first results are
    // shown (they are a good part of a first search's bytes), then the chips appear.
    // Every search drawn without them waits for the same fetch: the newest one is drawn again
    // (a reader who kept typing meanwhile still gets the chips).
    if (!counted) {
      facetsLoaded = facetsLoaded || engine.filters().then(() => { facetsReady = true })
      try {
        await facetsLoaded
      } catch (error) {
        facetsLoaded = null // fetched again by the next search
        return
      }
      if (serial === this.serial) this.run()
    }
  }

  chip(group, value, label, count) {
    const selected = group === "code" ? this.state.code : this.state[group].has(value)
    if (!selected && !count) return null
    return el("button", {
      type: "button", class: "rl-facet", "aria-pressed": String(selected), "data-facet": group, "data-value": value,
      onclick: () => {
        if (group === "code") this.state.code = !this.state.code
        else if (selected) this.state[group].delete(value)
        else this.state[group].add(value)
        this.shown = this.mode === "page" ? PAGE_RESULTS : HEADER_RESULTS
        this.run()
      },
    }, label, " ", el("span", { class: "rl-facet__count" }, String(count || 0)))
  }

  facets(search) {
    const counts = search.filters || {}
    const topics = Object.entries(counts.topic || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    const years = Object.entries(counts.year || {}).sort((a, b) => b[0].localeCompare(a[0]))
    // The drop-down shows the largest facets (and any selected one); the page shows them all.
    const few = (entries, group) => this.mode === "page" ? entries
      : entries.filter(([value], i) => i < HEADER_FACETS || this.state[group].has(value))
    const topicChips = few(topics, "topic").map(([id, n]) => this.chip("topic", id, this.topics[id] || id, n)).filter(Boolean)
    const yearChips = few(years, "year").map(([year, n]) => this.chip("year", year, year, n)).filter(Boolean)
    const code = this.chip("code", "yes", "With code", (counts.has_code || {}).yes)
    const group = (label, chips) => chips.length ? el("div", { class: "rl-facets", role: "group", "aria-label": label },
      el("span", { class: "rl-facets__label" }, label), ...chips) : null
    const sorts = el("div", { class: "rl-sortby", role: "group", "aria-label": "Sort by" },
      el("span", { class: "rl-facets__label" }, "Sort"),
      ...SORTS.map(([id, label]) => el("button", {
        type: "button", class: "rl-facet", "data-sort": id, "aria-pressed": String(this.state.sort === id),
        onclick: () => { this.state.sort = id; this.run() },
      }, label)))
    return el("div", { class: "rl-search__facets" }, group("Topic", topicChips), group("Year", yearChips),
      group("Code", code ? [code] : []), sorts)
  }

  hit(data, index) {
    const meta = data.meta || {}
    const title = el("a", { class: "rl-hit__title", href: data.url, tabindex: "-1" })
    titleInto(title, meta)
    const topics = (meta.topics || "").split(" ").filter(Boolean)
      .map(id => el("span", { class: "rl-chip" }, this.topics[id] || id))
    const line = el("div", { class: "rl-hit__meta" },
      meta.withdrawn ? el("strong", { class: "rl-hit__withdrawn" }, "Withdrawn") : null,
      meta.date ? el("time", { datetime: meta.date }, shortDate(meta.date)) : null,
      meta.authors ? el("span", { class: "rl-hit__authors" }, meta.authors) : null,
      Number(meta.upvotes) ? el("span", { class: "rl-hit__upvotes", title: "Hugging Face upvotes" }, `▲ ${meta.upvotes}`) : null,
      topics.length ? el("span", { class: "rl-topics" }, ...topics) : null)
    const item = el("li", { class: "rl-hit", role: "option", id: `${this.listId}-${index}`, "aria-selected": "false" },
      title, line, el("p", { class: "rl-hit__excerpt" }, ...excerptOf(data)))
    item.addEventListener("click", event => {
      if (event.target.closest("a")) return
      title.click()
    })
    return item
  }

  render(search, data) {
    const total = search.results.length
    const words = this.state.q.trim()
    const status = total ? `${total} paper${total === 1 ? "" : "s"}${words ? ` for “${words}”` : ""}`
      : `No papers${words ? ` for “${words}”` : ""}${this.state.topic.size || this.state.year.size || this.state.code ? " with these filters" : ""}`
    const list = el("ol", { class: "rl-hits", id: this.listId, role: "listbox", "aria-label": "Search results" },
      ...data.map((d, i) => this.hit(d, i)))
    const more = []
    if (total > data.length) {
      if (this.mode === "page") {
        more.push(el("button", { type: "button", class: "md-button rl-search__more",
          onclick: () => { this.shown += PAGE_RESULTS; this.run() } }, `Show more (${total - data.length} left)`))
      } else {
        more.push(el("a", { class: "rl-search__all", href: new URL("search/?" + this.query(), this.site).href },
          `See all ${total} results, with filters`))
      }
    } else if (this.mode === "header" && total) {
      more.push(el("a", { class: "rl-search__all", href: new URL("search/?" + this.query(), this.site).href },
        "Open as a page (filters, link to share)"))
    }
    // The same query drawn again (the facet counts arrived, more results were asked for) keeps
    // the keyboard's choice: a reader who pressed ArrowDown early must not lose it.
    const query = this.query()
    const chosen = query === this.drawn && this.active >= 0 ? this.items[this.active].querySelector("a").href : null
    this.drawn = query
    this.status.textContent = status
    this.body.replaceChildren(this.facets(search), list, ...more)
    this.items = [...list.children]
    this.active = -1
    this.input.removeAttribute("aria-activedescendant")
    const again = chosen === null ? -1 : this.items.findIndex(item => item.querySelector("a").href === chosen)
    if (again >= 0) this.move(again + 1)
    this.open()
  }

  open() {
    this.panel.hidden = false
    this.input.setAttribute("aria-expanded", "true")
  }

  close() {
    if (this.mode !== "header") return
    // A search still on its way (or waiting for the facet counts, to be drawn again with
    // them, or for a pause in typing) must not open the drop-down again once the reader
    // closed it or followed a result.
    this.serial++
    clearTimeout(this.typing)
    this.panel.hidden = true
    this.input.setAttribute("aria-expanded", "false")
    this.input.removeAttribute("aria-activedescendant")
    this.active = -1
  }

  move(step) {
    if (!this.items || !this.items.length) return
    if (this.active >= 0) this.items[this.active].setAttribute("aria-selected", "false")
    // Positions -1 (the box itself) to n - 1, wrapping around.
    const n = this.items.length + 1
    this.active = (this.active + 1 + step + n) % n - 1
    if (this.active < 0) return this.input.removeAttribute("aria-activedescendant")
    const item = this.items[this.active]
    item.setAttribute("aria-selected", "true")
    this.input.setAttribute("aria-activedescendant", item.id)
    item.scrollIntoView({ block: "nearest" })
  }

  key(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault()
      if (this.panel.hidden && this.hasQuery()) this.run()
      this.move(event.key === "ArrowDown" ? 1 : -1)
    } else if (event.key === "Enter") {
      event.preventDefault()
      if (this.active >= 0 && this.items[this.active]) {
        this.items[this.active].querySelector("a").click()
        this.close()
        if (this.mode === "header") this.input.blur()
      } else if (this.mode === "header" && this.input.value.trim()) {
        location.assign(new URL("search/?" + this.query(), this.site).href)
      } else {
        this.run()
      }
    } else if (event.key === "Escape") {
      if (this.mode === "header" && !this.panel.hidden) {
        event.preventDefault()
        this.close()
      } else if (this.mode === "header") {
        this.input.blur()
      }
    }
  }
}

let header = null

export function attachHeader(root) {
  if (header && header.root === root) return header
  const input = root.querySelector("input")
  const panel = root.querySelector(".rl-search__panel")
  header = new SearchView({ root, input, panel, mode: "header", site: siteRoot(root), topics: JSON.parse(root.dataset.topics || "{}") })
  document.addEventListener("pointerdown", event => { if (!root.contains(event.target)) header.close() })
  // Following a result (Material swaps the page in place) closes the drop-down.
  panel.addEventListener("click", event => { if (event.target.closest("a[href]")) header.close() })
  input.addEventListener("focus", () => { if (header.hasQuery()) header.run() })
  root.querySelector("form").addEventListener("submit", event => event.preventDefault())
  loadPagefind(header.site).catch(() => { pagefind = null }) // start fetching while the reader types
  if (input.value) { header.state.q = input.value; header.run() }
  return header
}

export function closeHeader() {
  if (header) header.close()
}

export function attachPage(root) {
  if (root.dataset.attached) return
  root.dataset.attached = "true"
  const view = new SearchView({
    root, input: root.querySelector("input"), panel: root.querySelector(".rl-search-page__results"), mode: "page",
    site: siteRoot(root), topics: JSON.parse(root.dataset.topics || "{}"),
  })
  root.querySelector("form").addEventListener("submit", event => { event.preventDefault(); view.run() })
  view.restore(location.search)
  view.run()
  if (!view.state.q) view.input.focus({ preventScroll: true })
}
