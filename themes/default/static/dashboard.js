// Sorts the county dashboard by the column whose header is clicked (again: reverse order).
// Without script the table stays in the county's own order and is still complete.
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
