// The search page: queries the site's Pagefind index in the browser and lists the results
// grouped by school. Excerpts are rebuilt from text nodes and <mark>s only, so nothing from the
// index is ever inserted as markup.
const root = new URL("../", import.meta.url);
const params = new URLSearchParams(location.search);
const query = (params.get("q") || "").trim();
const school = params.get("school") || "";
const status = document.getElementById("search-status");
const results = document.getElementById("search-results");
document.getElementById("search-q").value = query;
const select = document.getElementById("search-school");
if (school && ![...select.options].some((o) => o.value === school)) {
  select.add(new Option(school, school));
}
select.value = school;

// Results loaded and listed; the count and the schools cover all of them.
const SHOWN = 100;

function excerpt(html) {
  const p = document.createElement("p");
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  for (const node of parsed.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

async function search() {
  status.textContent = "搜尋中…";
  let pagefind;
  try {
    // The index comes in bundles of schools (so that building it needs little memory): the
    // first is loaded, the others merged into it.
    const bundles = await (await fetch(new URL("pagefind/bundles.json", root))).json();
    pagefind = await import(new URL(`pagefind/${bundles[0]}pagefind.js`, root).href);
    // On the page's own thread: a county's search takes milliseconds, and a worker that is
    // slow to start made Pagefind wait seconds before falling back to this thread anyway.
    await pagefind.options({ noWorker: true });
    await pagefind.init();
    for (const bundle of bundles.slice(1)) {
      await pagefind.mergeIndex(new URL(`pagefind/${bundle}`, root).href, { noWorker: true });
    }
    // Loads the schools' filter, so that each search counts its results by school.
    await pagefind.filters();
  } catch (e) {
    status.textContent =
      "無法載入搜尋索引：本頁須由網站伺服器提供（不能直接由磁碟開啟）。";
    return;
  }
  const found = await pagefind.search(query, school ? { filters: { school } } : {});
  // Every school with a result, from the index's counts: no page needs loading for it.
  const counts = Object.entries((found.filters || {}).school || {}).filter(([, n]) => n > 0);
  status.textContent = found.results.length
    ? `「${query}」找到 ${found.results.length} 頁，分屬 ${counts.length} 個單位` +
      (found.results.length > SHOWN ? `；以下列出最相關之 ${SHOWN} 頁` : "") + "。"
    : `「${query}」查無結果。`;
  if (counts.length) {
    const summary = document.createElement("ul");
    summary.className = "search-schools";
    summary.setAttribute("aria-label", "符合之單位");
    for (const [name, n] of counts) {
      const li = document.createElement("li");
      li.dataset.school = name;
      li.textContent = `${name}（${n}）`;
      summary.append(li);
    }
    results.append(summary);
  }
  const pages = await Promise.all(found.results.slice(0, SHOWN).map((r) => r.data()));
  const groups = new Map();
  for (const page of pages) {
    const group = (page.filters.school || [])[0] || "其他";
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(page);
  }
  let n = 0;
  for (const [group, list] of groups) {
    const section = document.createElement("section");
    section.className = "search-group";
    const h2 = document.createElement("h2");
    h2.id = `group-${n++}`;
    h2.textContent = `${group}（${list.length}）`;
    section.setAttribute("aria-labelledby", h2.id);
    const ul = document.createElement("ul");
    for (const page of list) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = page.url;
      a.textContent = page.meta.title || page.url;
      li.append(a, excerpt(page.excerpt));
      ul.append(li);
    }
    section.append(h2, ul);
    results.append(section);
  }
}

if (query) search();
