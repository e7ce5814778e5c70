// Reading-list behaviour: make entry lists sortable. (TeX math is MathML, made at build time.)
// Material's `document$` emits on every page load, including instant navigation.

function sortKey(item, by) {
  const upvotes = Number(item.dataset.upvotes || 0)
  const published = item.dataset.published || ""
  return by === "upvotes" ? [upvotes, published] : [published, upvotes]
}

function compare(a, b) {
  // Descending on both parts; then the original order keeps the sort stable.
  for (let i = 0; i < a.key.length; i++) {
    if (a.key[i] < b.key[i]) return 1
    if (a.key[i] > b.key[i]) return -1
  }
  return a.index - b.index
}

function enableSort(root) {
  const control = root.querySelector(".rl-sort")
  if (!control || !control.querySelector("button[data-sort]")) return
  const groups = root.querySelector(".rl-groups")
  const lists = [...root.querySelectorAll(".rl-groups ol.rl-list")]
  const original = lists.map(list => [...list.children])
  const headings = [...root.querySelectorAll(".rl-groups h2, .rl-months")]
  const status = control.querySelector(".rl-sort__status")
  const buttons = [...control.querySelectorAll("button[data-sort]")]
  // A page grouped by month shows one flat list when sorted by upvotes.
  const flat = document.createElement("ol")
  flat.className = "rl-list rl-list--flat"
  flat.hidden = true
  groups.append(flat)
  function apply(by) {
    const grouped = by === "upvotes" && lists.length > 1
    const order = items => items
      .map((item, index) => ({ item, index, key: sortKey(item, by) }))
      .sort(compare)
      .map(entry => entry.item)
    if (grouped) {
      flat.append(...order(original.flat()))
    } else {
      lists.forEach((list, i) => list.append(...order(original[i])))
    }
    flat.hidden = !grouped
    for (const list of lists) list.hidden = grouped
    for (const heading of headings) heading.hidden = grouped
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.sort === by))
    status.textContent = by === "upvotes" ? "Sorted by upvotes, most first" : "Sorted by date, newest first"
  }
  for (const button of buttons) button.addEventListener("click", () => apply(button.dataset.sort))
  control.hidden = false
}

document$.subscribe(() => {
  const root = document.querySelector(".md-content") || document.body
  enableSort(root)
})
