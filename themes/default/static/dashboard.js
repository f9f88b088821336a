// The county dashboard: sorts by the column whose header is clicked (again: reverse order) and
// filters the rows by the form above the table (and the address's query, which it keeps up to
// date). Without script the table stays in the county's
// own order, complete, and the filters stay hidden.
document.querySelectorAll("table[data-sortable]").forEach((table) => {
  const headers = Array.from(table.tHead.rows[0].cells);
  const body = table.tBodies[0];
  headers.forEach((th, column) => {
    th.querySelector("button").addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      const numeric = th.dataset.type === "number";
      const key = (row) => {
        const cell = row.cells[column];
        return numeric ? Number(cell.dataset.value) : cell.textContent.trim();
      };
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const order = numeric ? x - y : x.localeCompare(y, "zh-Hant-TW");
        return ascending ? order : -order;
      });
      headers.forEach((h) => h.setAttribute("aria-sort", "none"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.forEach((row) => body.appendChild(row));
    });
  });
});

document.querySelectorAll("form.filters").forEach((form) => {
  const rows = Array.from(document.querySelectorAll("table.dashboard tbody tr"));
  const shown = form.querySelector(".shown");
  const matches = (row, f) =>
    (!f.name || row.cells[0].textContent.includes(f.name)) &&
    (!f.kind || row.dataset.kind === f.kind) &&
    (!f.township || row.dataset.township === f.township) &&
    (!f.level || row.dataset.level === f.level) &&
    (!f.state || row.dataset.state === f.state) &&
    (!f.release ||
      (f.release === "this-year"
        ? row.hasAttribute("data-this-year")
        : f.release === "released"
          ? row.dataset.release !== "unreleased"
          : row.dataset.release === f.release));
  const apply = () => {
    const f = Object.fromEntries(new FormData(form));
    f.name = (f.name || "").trim();
    let count = 0;
    rows.forEach((row) => {
      row.hidden = !matches(row, f);
      if (!row.hidden) count++;
    });
    shown.textContent = `顯示 ${count}／${rows.length} 所學校`;
  };
  // The address keeps the filters: a filtered view can be bookmarked or sent.
  const params = new URLSearchParams(location.search);
  for (const field of form.elements) {
    if (field.name && params.has(field.name)) field.value = params.get(field.name);
  }
  form.addEventListener("input", () => {
    apply();
    const kept = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) kept.set(key, value);
    const query = kept.toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  form.hidden = false;
  apply();
});
