// 考评: how each lead department did over a period (from / to, a list or all), sortable by any
// column, and saved as CSV. For the office and leaders.
import { csv, isDay, link } from "./format.js";
import { VIEWER } from "./desk.js";
import { h } from "./dom.js";
import { gql } from "./graph.js";
import { state } from "./state.js";

export const SCORES = "Scores";

/** The columns: label, value of a row, and whether more is better (the default order). */
const COLUMNS = [
  ["牵头部门", (s) => s.department.name, null],
  ["牵头事项", (s) => s.itemsLed, true],
  ["按时办结", (s) => s.doneOnTime, true],
  ["逾期办结", (s) => s.doneLate, false],
  ["当前逾期", (s) => s.overdueNow, false],
  ["最长逾期天数", (s) => s.maxDaysOverdue, false],
  ["平均逾期天数", (s) => (s.averageDaysLate === null ? null : Math.round(s.averageDaysLate * 10) / 10), false],
  ["延期申请", (s) => s.extensionsRequested, false],
  ["延期获批", (s) => s.extensionsApproved, false],
  ["提醒次数", (s) => s.remindersSent, false],
  ["已签收", (s) => s.remindersAcknowledged, true],
];

export async function scoresPage(main, query) {
  const { viewer } = await gql(VIEWER);
  if (viewer.role !== "ADMINISTRATOR" && viewer.role !== "LEADER") {
    main.replaceChildren(h("h1", {}, "考评"), h("p", {}, "考评只对督查室和领导开放，请先登录。"));
    return;
  }
  const year = state.calendar.today.slice(0, 4);
  const from = isDay(query.get("from")) ? query.get("from") : `${year}-01-01`;
  const to = isDay(query.get("to")) ? query.get("to") : state.calendar.today;
  const list = query.get("list") || "";
  const sort = Number(query.get("sort") ?? 4);
  const { departmentScores } = await gql(SCORES, { list: list || null, from, to, now: `${to}T12:00:00${state.calendar.utcOffset}` });

  const [, value, moreIsBetter] = COLUMNS[sort] ?? COLUMNS[4];
  const rows = [...departmentScores].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (typeof x === "string") return x.localeCompare(y, "zh-CN");
    // Worst first: the department that needs a word comes to the top.
    const order = moreIsBetter ? (x ?? 0) - (y ?? 0) : (y ?? 0) - (x ?? 0);
    return order || a.department.name.localeCompare(b.department.name, "zh-CN");
  });

  const listSelect = h("select", { id: "scores-list", name: "list" }, h("option", { value: "" }, "全部清单"),
    state.lists.map((l) => h("option", { value: l.id, selected: l.id === list }, l.title)));
  const fromInput = h("input", { id: "scores-from", name: "from", type: "date", value: from, required: true });
  const toInput = h("input", { id: "scores-to", name: "to", type: "date", value: to, required: true });
  const note = h("span", { class: "result", role: "alert" });
  const form = h("form", { class: "pickers", "aria-label": "考评期间" },
    h("label", { for: listSelect.id }, "清单"), listSelect,
    h("label", { for: fromInput.id }, "自"), fromInput,
    h("label", { for: toInput.id }, "至"), toInput,
    h("button", { type: "submit", id: "scores-apply" }, "应用"), note);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!isDay(fromInput.value) || !isDay(toInput.value) || fromInput.value > toInput.value) {
      note.className = "result error";
      note.textContent = "请填写有效的起止日期，起始日不晚于截止日。";
      return;
    }
    location.hash = link("/scores", { list: listSelect.value, from: fromInput.value, to: toInput.value, sort: String(sort) });
  });

  const header = COLUMNS.map(([label], i) =>
    h("th", { scope: "col", "aria-sort": i === sort ? (i === 0 ? "ascending" : "descending") : null },
      h("a", { href: link("/scores", { list, from, to, sort: String(i) }) }, label)));
  const cells = (s) => COLUMNS.map(([, v]) => v(s) ?? "—");
  const save = h("button", { type: "button", id: "scores-csv" }, "导出考评（CSV）");
  save.addEventListener("click", () => {
    const blob = new Blob([csv([COLUMNS.map(([label]) => label), ...rows.map(cells)])], { type: "text/csv;charset=utf-8" });
    const a = h("a", { href: URL.createObjectURL(blob), download: `考评（${from}至${to}）.csv`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  });
  main.replaceChildren(
    h("div", { class: "heading" }, h("h1", {}, "考评"), form, save),
    h("p", { class: "asof" }, `${state.lists.find((l) => l.id === list)?.title ?? "全部清单"}：${from} 至 ${to}，按“${COLUMNS[sort]?.[0] ?? "当前逾期"}”排列（点列名可换）。`),
    rows.length === 0 ? h("p", { class: "empty" }, "这一期间没有牵头部门的记录。")
      : h("div", { class: "scroll" }, h("table", { id: "scores" },
          h("thead", {}, h("tr", {}, header)),
          h("tbody", {}, rows.map((s) => h("tr", { "data-department": s.department.id }, cells(s).map((c, i) => h(i ? "td" : "th", i ? { class: "n" } : { scope: "row" }, c))))))),
  );
}
