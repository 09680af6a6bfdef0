// One item
import { day, historyWords, link, remaining, stageWords } from "./format.js";
import { route } from "./app.js";
import { CHANGED } from "./board.js";
import { allDepartments } from "./accounts.js";
import { VIEWER, action } from "./desk.js";
import { badge, confirmed, errorBox, h, instant } from "./dom.js";
import { GraphError, gql, subscribe } from "./graph.js";
import { STATUS_LABEL } from "./labels.js";
import { nowOf, params, state } from "./state.js";

export const ITEM = "Item";

export const DELIVERIES = "Deliveries";
export const DELIVERY_STATUS = { PENDING: "待发送", SENDING: "发送中", SENT: "已发送", FAILED: "发送失败", SKIPPED: "未发送" };

/** The reminders of an item, for the administrator (all) or a department (its own). */
export async function deliveriesPanel(id) {
  const rows = (await gql(DELIVERIES, { id })).item.deliveries;
  return h("section", { class: "panel", id: "deliveries" }, h("h2", {}, "提醒记录"),
    rows.length === 0 ? h("p", { class: "empty" }, "尚无提醒记录。")
      : h("div", { class: "scroll" }, h("table", {},
          h("thead", {}, h("tr", {}, ["计划日期", "阶段", "到期日", "部门", "状态", "发送时间", "签收"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows.map((d) => h("tr", {},
            h("td", {}, day(d.plannedFor)), h("td", {}, stageWords(d.stage)), h("td", {}, day(d.dueDate?.dueOn)),
            h("td", {}, d.department?.name ?? "—"), h("td", {}, DELIVERY_STATUS[d.status] ?? d.status),
            h("td", {}, d.sentAt ? instant(d.sentAt) : "—"), h("td", {}, d.acknowledgedAt ? instant(d.acknowledgedAt) : "未签收")))))));
}

export const HISTORY = "ItemHistory";

/**
 * 留痕: every step taken on the item, oldest first (who, what, when, and the note, reason or
 * decision that went with it). The history is the office's and the item's departments' to
 * read: for anyone else the panel is left out.
 */
export async function historyPanel(id) {
  let events;
  try {
    events = (await gql(HISTORY, { id })).item.history;
  } catch (error) {
    if (error instanceof GraphError) return null;
    throw error;
  }
  return h("section", { class: "panel", id: "history" }, h("h2", {}, "留痕"),
    events.length === 0 ? h("p", { class: "empty" }, "尚无记录。")
      : h("ol", { class: "timeline" }, events.map((e) => {
          const { what, note } = historyWords(e);
          return h("li", { "data-action": e.action },
            h("time", { datetime: e.occurredAt }, instant(e.occurredAt)), " ",
            h("strong", {}, e.actorName), " ", what,
            note ? h("div", { class: "note" }, note) : null);
        })));
}

export async function item(main, id, query) {
  const asof = query.get("asof") || state.calendar.today;
  const data = await gql(ITEM, { id, now: nowOf(asof) });
  const it = data.item;
  const versions = [...new Set(it.dueDates.map((d) => d.version))].sort((a, b) => b - a);
  const departments = (list) => (list.length ? list.map((d) => h("a", { href: `#/department/${d.id}` }, d.name)).reduce((acc, a, i) => (i ? [...acc, "、", a] : [a]), []) : "—");
  main.replaceChildren(
    h("p", { class: "crumbs" }, h("a", { href: link("/items", { list: it.list.id }) }, it.list.title)),
    h("div", { class: "heading" }, h("h1", { id: "item-title" }, `${it.numberText} ${it.title}`), badge(it.urgency)),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "状态"), h("dd", { id: "item-status" }, STATUS_LABEL[it.status]),
      h("dt", {}, "完成时限"), h("dd", {}, it.deadlineText),
      // A finished item: when, and whether by its deadline, not the days it no longer has.
      it.status === "DONE"
        ? [h("dt", {}, "完成日期"), h("dd", { id: "item-completed" }, `${day(it.completedOn)}${it.completedOnTime === true ? "（按期）" : it.completedOnTime === false ? "（逾期）" : ""}`)]
        : [h("dt", {}, "剩余天数"), h("dd", {}, remaining(it.daysRemaining))],
      h("dt", {}, "牵头部门"), h("dd", {}, departments(it.leadDepartments)),
      h("dt", {}, "配合部门"), h("dd", {}, departments(it.cooperatingDepartments)),
    ),
    h("section", { class: "panel" }, h("h2", {}, "事项内容"), h("p", { class: "content" }, it.content)),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "到期日与延期记录"),
      versions.length === 0
        ? h("p", { class: "empty" }, "完成时限没有具体日期。")
        : h(
            "ol",
            { class: "versions" },
            versions.map((v) =>
              h(
                "li",
                { class: it.dueDates.some((d) => d.version === v && d.active) ? "active" : "superseded" },
                h("strong", {}, v === 1 ? "原定" : `第${v - 1}次延期`),
                "：",
                it.dueDates.filter((d) => d.version === v).map((d) => `${day(d.dueOn)}${d.label ? `（${d.label}）` : ""}`).join("，"),
                it.dueDates.some((d) => d.version === v && d.active) ? "" : h("span", { class: "muted" }, "（已调整）"),
              ),
            ),
          ),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "工作进展"),
      it.progress.nodes.length === 0
        ? h("p", { class: "empty", id: "no-progress" }, "尚未报送进展。")
        : h(
            "ol",
            { class: "timeline", id: "progress" },
            it.progress.nodes.map((p) =>
              h("li", {}, h("time", { datetime: p.reportedAt }, instant(p.reportedAt)), ` ${p.department?.name ?? "督查室"}（${p.percent}%）：`, p.note),
            ),
          ),
    ),
  );
  const { viewer } = await gql(VIEWER);
  // The office corrects the item, moves its deadline, sets its status and its departments.
  if (viewer.role === "ADMINISTRATOR") main.append(await officePanel(it));
  // Reminders and the history are not public: shown to whoever may read them.
  if (viewer.role !== "ANONYMOUS") {
    const history = await historyPanel(it.id);
    if (history) main.append(history);
    main.append(await deliveriesPanel(it.id));
  }
  const stop = subscribe(CHANGED, [{ list: it.list.id }], (event) => {
    // `null`: events may have been missed, so the page is drawn again.
    if ((event === null || event?.itemChanged?.item?.id === it.id) && params().path === `/item/${it.id}`) route();
  });
  return stop;
}

const UPDATE_ITEM = "UpdateItem";
const SET_ITEM_STATUS = "SetItemStatus";
const CHANGE_DEADLINE = "ChangeDeadline";
const ASSIGN_DEPARTMENT = "AssignDepartment";
const UNASSIGN_DEPARTMENT = "UnassignDepartment";

/** 督办操作: the office's edits of one item, each redrawing the page when done. */
async function officePanel(it) {
  const redraw = async (run) => {
    await run();
    route();
  };
  const edit = action(`edit-${it.id}`, "修改事项", `修改事项：${it.title}`, [
    { name: "title", label: "事项名称", kind: "textarea", rows: 1, maxlength: 500, value: it.title },
    { name: "content", label: "事项内容", kind: "textarea", rows: 5, maxlength: 20000, value: it.content },
    { name: "deadline", label: "完成时限（原文）", kind: "textarea", rows: 1, maxlength: 500, value: it.deadlineText },
  ], (v) => redraw(() => gql(UPDATE_ITEM, { id: it.id, input: { title: v.title, content: v.content, deadline: v.deadline } })), "已保存。");
  const move = action(`move-${it.id}`, "改期", `改期：${it.title}`, [
    { name: "dueOn", label: "新的到期日", type: "date" },
    { name: "reason", label: "改期理由", kind: "textarea" },
  ], (v) => redraw(() => gql(CHANGE_DEADLINE, { id: it.id, dueOn: v.dueOn, reason: v.reason })), "已改期。");
  const status = action(`status-${it.id}`, "设置状态", `设置状态：${it.title}`, [
    { name: "status", label: "状态", kind: "select", value: it.status, options: Object.entries(STATUS_LABEL) },
  ], (v) => redraw(() => gql(SET_ITEM_STATUS, { id: it.id, status: v.status })), "已设置。");
  const departments = await allDepartments();
  const assign = action(`assign-${it.id}`, "添加部门", `为事项添加部门：${it.title}`, [
    { name: "department", label: "部门", kind: "select", options: departments.map((d) => [d.id, d.name]) },
    { name: "role", label: "作为", kind: "select", options: [["LEAD", "牵头部门"], ["COOPERATING", "配合部门"]] },
  ], (v) => redraw(() => gql(ASSIGN_DEPARTMENT, { id: it.id, department: v.department, role: v.role })), "已添加。");
  const remove = (d, role) => {
    const b = h("button", { type: "button", class: "unassign", "data-department": d.id }, `移除${d.name}`);
    b.addEventListener("click", async () => {
      if (!confirmed(b, `确认移除${d.name}`)) return;
      try {
        await redraw(() => gql(UNASSIGN_DEPARTMENT, { id: it.id, department: d.id, role }));
      } catch (error) {
        b.after(errorBox(error));
      }
    });
    return b;
  };
  const forms = [edit, move, status, assign];
  return h("section", { class: "panel", id: "office-actions" }, h("h2", {}, "督办操作"),
    h("div", { class: "line" }, forms.map((f) => f.toggle)),
    forms.map((f) => f.form),
    h("p", { class: "muted" }, "牵头：", it.leadDepartments.map((d) => remove(d, "LEAD")), "；配合：", it.cooperatingDepartments.map((d) => remove(d, "COOPERATING"))));
}
