// 总览: the board
import { day, link, zoneNote } from "./format.js";
import { route } from "./app.js";
import { h } from "./dom.js";
import { VIEWER } from "./desk.js";
import { ledgerButtons } from "./ledger.js";
import { addDays, gql, subscribe } from "./graph.js";
import { item } from "./item.js";
import { URGENCY, URGENCY_LABEL } from "./labels.js";
import { nowOf, params, pickers, state } from "./state.js";

export const BOARD = "Board";

export const CHANGED = "Changed";

export async function board(main, query) {
  const list = query.get("list") || "";
  const asof = query.get("asof") || state.calendar.today;
  const [data, { viewer }] = await Promise.all([gql(BOARD, { list: list || null, now: nowOf(asof), within: 14 }), gql(VIEWER)]);
  // The 台账 is the office's and the leaders' to take away.
  const readsLedger = viewer.role === "ADMINISTRATOR" || viewer.role === "LEADER";
  const stats = data.stats;
  const count = (rows, u) => rows.find((r) => r.urgency === u)?.count ?? 0;
  const itemsLink = (extra) => link("/items", { list, asof, ...extra });

  const tiles = h(
    "section",
    { class: "tiles", "aria-label": "按紧急程度统计" },
    h("a", { class: "tile total", href: itemsLink({}), "data-urgency": "TOTAL" }, h("span", { class: "n" }, stats.total), h("span", {}, "事项总数")),
    URGENCY.map(([u, label, colour]) =>
      h(
        "a",
        { class: `tile ${colour}`, href: itemsLink({ urgency: u }), "data-urgency": u },
        h("span", { class: "n" }, count(stats.byUrgency, u)),
        h("span", {}, label),
      ),
    ),
  );

  const table = departmentTable(stats.byLeadDepartment, itemsLink, query);
  const chart = monthChart(stats.duePerMonth);
  const upcoming = data.upcomingDeadlines.nodes;
  const until = addDays(asof, 14);
  const soon = h(
    "section",
    { class: "panel soon" },
    h("h2", {}, "未来14天到期"),
    upcoming.length === 0
      ? h("p", { class: "empty" }, "未来14天没有到期的事项。")
      : h(
          "ol",
          {},
          upcoming.map((d) =>
            h(
              "li",
              {},
              h("time", { datetime: d.dueOn }, day(d.dueOn)),
              " ",
              h("a", { href: link(`/item/${d.item.id}`, { asof: query.get("asof") }) }, `${d.item.numberText} ${d.item.title}`),
              d.label ? h("span", { class: "muted" }, `（${d.label}）`) : null,
              h("span", { class: "muted" }, ` 牵头：${d.item.leadDepartments.map((x) => x.name).join("、") || "—"}`),
            ),
          ),
        ),
    data.upcomingDeadlines.pageInfo.hasNextPage
      ? h("p", {}, h("a", { href: itemsLink({ from: asof, to: until, status: "OPEN,IN_PROGRESS,COMPLETION_REPORTED" }) }, "查看全部"))
      : null,
  );

  const navigate = (next) => {
    location.hash = link("/", next);
  };
  main.replaceChildren(
    h(
      "div",
      { class: "heading" },
      h("h1", {}, "总览"),
      pickers(query, navigate),
      h("button", { type: "button", class: "print", onclick: () => window.print() }, "打印"),
      readsLedger ? (list ? ledgerButtons(list, asof) : h("span", { class: "muted" }, "选择清单后可导出台账")) : null,
    ),
    h("p", { class: "asof" }, `${state.lists.find((l) => l.id === list)?.title ?? "全部清单"}：截至 ${day(asof)}${zoneNote(state.calendar.timeZone)}，临期指 ${state.calendar.dueSoonDays} 天内到期。`),
    tiles,
    h("div", { class: "columns" }, table, h("div", {}, chart, soon)),
  );

  // Live: any change to an item of the list (or of any list) redraws the board.
  const lists = list ? [list] : state.lists.map((l) => l.id);
  let pending = null;
  return subscribe(
    CHANGED,
    lists.map((id) => ({ list: id })),
    () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        if (params().path === "/") route();
      }, 200);
    },
  );
}

export function departmentTable(rows, itemsLink, query) {
  const key = query.get("sort") || "OVERDUE";
  const value = (row) => (key === "TOTAL" ? row.total : key === "NAME" ? row.department.name : row.byUrgency.find((r) => r.urgency === key)?.count ?? 0);
  const sorted = [...rows].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (typeof x === "string") return x.localeCompare(y, "zh-CN");
    return y - x || a.department.name.localeCompare(b.department.name, "zh-CN");
  });
  const sortLink = (k, label) =>
    h(
      "th",
      { scope: "col", "aria-sort": k === key ? (k === "NAME" ? "ascending" : "descending") : null },
      h("a", { href: link("/", { ...Object.fromEntries(query), sort: k }) }, label),
    );
  return h(
    "section",
    { class: "panel departments" },
    h("h2", {}, "牵头部门 × 紧急程度"),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { id: "by-department" },
        h("caption", { class: "sr" }, "各牵头部门事项数，按紧急程度；点击列标题排序，点击数字查看事项"),
        h("thead", {}, h("tr", {}, sortLink("NAME", "部门"), URGENCY.map(([u, l]) => sortLink(u, l)), sortLink("TOTAL", "合计"))),
        h(
          "tbody",
          {},
          sorted.map((row) =>
            h(
              "tr",
              { "data-department": row.department.id },
              h("th", { scope: "row" }, row.department.name),
              URGENCY.map(([u, , colour]) => {
                const n = row.byUrgency.find((r) => r.urgency === u)?.count ?? 0;
                return h(
                  "td",
                  { class: n ? colour : "zero", "data-urgency": u, "data-label": URGENCY_LABEL[u] },
                  n ? h("a", { href: itemsLink({ department: row.department.id, role: "LEAD", urgency: u }), "aria-label": `${row.department.name} ${URGENCY_LABEL[u]} ${n} 项` }, n) : "0",
                );
              }),
              h("td", { class: "total", "data-label": "合计" }, h("a", { href: itemsLink({ department: row.department.id, role: "LEAD" }) }, row.total)),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Due dates per month as bars, drawn as SVG: no chart library for a dozen bars. */
export function monthChart(months) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs, text) => {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const section = h("section", { class: "panel months" }, h("h2", {}, "各月到期数"));
  if (months.length === 0) {
    section.append(h("p", { class: "empty" }, "没有带日期的完成时限。"));
    return section;
  }
  const max = Math.max(...months.map((m) => m.count));
  const bar = 28;
  const width = Math.max(months.length * bar + 10, 200);
  const chart = svg("svg", {
    viewBox: `0 0 ${width} 150`,
    role: "img",
    "aria-label": months.map((m) => `${m.month}：${m.count}项`).join("；"),
    class: "chart",
  });
  months.forEach((m, i) => {
    const height = Math.round((m.count / max) * 100);
    const x = 5 + i * bar;
    chart.append(svg("rect", { x, y: 115 - height, width: bar - 6, height, class: "bar" }));
    chart.append(svg("text", { x: x + (bar - 6) / 2, y: 110 - height, "text-anchor": "middle", class: "count" }, m.count));
    const [y, mo] = m.month.split("-");
    chart.append(svg("text", { x: x + (bar - 6) / 2, y: 130, "text-anchor": "middle", class: "month" }, `${Number(mo)}月`));
    if (i === 0 || mo === "01") chart.append(svg("text", { x: x + (bar - 6) / 2, y: 145, "text-anchor": "middle", class: "year" }, y));
  });
  section.append(h("div", { class: "scroll" }, chart));
  return section;
}
