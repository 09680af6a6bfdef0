// 事项: filters and pages
import { link, remaining } from "./format.js";
import { badge, h } from "./dom.js";
import { gql } from "./graph.js";
import { PAGE_SIZE, ROLE_LABEL, STATUS_LABEL, URGENCY } from "./labels.js";
import { nowOf, pickers, state } from "./state.js";

export const ITEMS = "Items";

export async function items(main, query) {
  const list = query.get("list") || "";
  const asof = query.get("asof") || state.calendar.today;
  const filter = {};
  if (list) filter.listId = list;
  if (query.get("urgency")) filter.urgency = query.get("urgency").split(",");
  if (query.get("status")) filter.status = query.get("status").split(",");
  if (query.get("department")) {
    filter.departmentId = query.get("department");
    filter.role = query.get("role") || "ANY";
  }
  if (query.get("q")) filter.search = query.get("q");
  if (query.get("from")) filter.dueFrom = query.get("from");
  if (query.get("to")) filter.dueTo = query.get("to");
  const data = await gql(ITEMS, { filter, now: nowOf(asof), first: PAGE_SIZE, after: query.get("after") });
  const page = data.items;

  const current = Object.fromEntries(query);
  delete current.after;
  const select = (id, label, options, selected) =>
    h(
      "span",
      { class: "field" },
      h("label", { for: id }, label),
      h("select", { id, name: id }, h("option", { value: "" }, "全部"), options.map(([v, l]) => h("option", { value: v, selected: v === selected }, l))),
    );
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "筛选事项" },
    select("urgency", "紧急程度", URGENCY.map(([u, l]) => [u, l]), query.get("urgency") ?? ""),
    select("status", "状态", Object.entries(STATUS_LABEL), query.get("status") ?? ""),
    select("department", "部门", data.departments.nodes.map((d) => [d.id, d.name]), query.get("department") ?? ""),
    select("role", "角色", Object.entries(ROLE_LABEL), query.get("role") ?? ""),
    h("span", { class: "field" }, h("label", { for: "q" }, "搜索"), h("input", { id: "q", name: "q", type: "search", value: query.get("q") ?? "", placeholder: "标题或内容" })),
    h("button", { type: "submit" }, "筛选"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const f = new FormData(form);
    location.hash = link("/items", { list, asof, urgency: f.get("urgency"), status: f.get("status"), department: f.get("department"), role: f.get("department") ? f.get("role") : "", q: f.get("q")?.trim() });
  });

  const rows = page.nodes.map((item) =>
    h(
      "tr",
      { "data-item": item.id },
      h("td", {}, item.numberText),
      h("td", {}, h("a", { href: link(`/item/${item.id}`, { asof: query.get("asof") }) }, item.title)),
      h("td", {}, item.deadlineText),
      h("td", {}, remaining(item.daysRemaining)),
      h("td", {}, item.leadDepartments.map((d) => d.name).join("、")),
      h("td", {}, STATUS_LABEL[item.status]),
      h("td", {}, badge(item.urgency)),
    ),
  );
  main.replaceChildren(
    h("div", { class: "heading" }, h("h1", {}, "事项"), pickers(query, (next) => (location.hash = link("/items", { ...current, ...next })))),
    form,
    h("p", { class: "count", id: "item-count" }, `共 ${page.totalCount} 项`),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { id: "items" },
        h("thead", {}, h("tr", {}, ["序号", "事项", "完成时限", "剩余", "牵头部门", "状态", "紧急程度"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 7, class: "empty" }, "没有符合条件的事项。"))),
      ),
    ),
    h(
      "nav",
      { class: "pager", "aria-label": "翻页" },
      query.get("after") ? h("a", { href: link("/items", current) }, "第一页") : null,
      page.pageInfo.hasNextPage ? h("a", { href: link("/items", { ...current, after: page.pageInfo.endCursor }), rel: "next" }, "下一页") : null,
    ),
  );
}
