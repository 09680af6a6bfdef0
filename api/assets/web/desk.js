// The department's desk: a department token pasted once per tab (sessionStorage, never a URL).
import { day, remaining } from "./format.js";
import { route } from "./app.js";
import { leave, showWho } from "./auth.js";
import { badge, h, instant } from "./dom.js";
import { GraphError, addDays, gql } from "./graph.js";
import { STATUS_LABEL, URGENCY, URGENCY_COLOUR } from "./labels.js";
import { adminDesk } from "./office.js";
import { nowOf, state } from "./state.js";

export const VIEWER = "Viewer";

export const MY_ITEMS = "Mine";

export const REPORT = "Report";

export const REQUEST_EXTENSION = "Extend";
export const REPORT_COMPLETION = "Complete";

/**
 * A button that opens a small form under it; on submit, `run` gets the fields' trimmed values
 * and the form says how it went, in words. Returns `{ toggle, form }`.
 */
export function action(id, label, description, fields, run, done) {
  const inputs = fields.map((f) => {
    const attrs = { id: `${id}-${f.name}`, name: f.name, required: !f.optional };
    if (f.kind === "textarea") return h("textarea", { ...attrs, rows: f.rows ?? 2, maxlength: f.maxlength ?? 2000 }, f.value ?? "");
    if (f.kind === "select") return h("select", attrs, f.options.map(([v, l]) => h("option", { value: v, selected: v === f.value }, l)));
    return h("input", { ...attrs, type: f.type ?? "text", min: f.min, max: f.max, step: f.type === "number" ? 1 : null, value: f.value });
  });
  const status = h("p", { class: "result", role: "status", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "report", id, hidden: true, "aria-label": description },
    fields.map((f, i) => h("span", { class: "field" }, h("label", { for: inputs[i].id }, f.label), inputs[i])),
    h("button", { type: "submit" }, "提交"),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "正在提交…";
    status.className = "result";
    try {
      await run(Object.fromEntries(fields.map((f, i) => [f.name, inputs[i].value.trim() || null])));
      status.textContent = done;
      status.classList.add("done");
      inputs.forEach((input) => {
        if (input.tagName === "TEXTAREA") input.value = "";
      });
    } catch (error) {
      status.textContent = error instanceof GraphError ? error.message : "提交失败，请重试。";
      status.classList.add("error");
    }
  });
  const toggle = h("button", { type: "button", class: `open-${id.split("-")[0]}`, "aria-expanded": "false", "aria-controls": id }, label);
  toggle.addEventListener("click", () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) inputs[0].focus();
  });
  return { toggle, form };
}

export const RANK = Object.fromEntries(URGENCY.map(([u], i) => [u, i]));

export function signIn(main, message) {
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
  const form = h(
    "form",
    { class: "panel signin", "aria-label": "输入令牌" },
    h("h1", {}, "我的事项"),
    h("p", {}, "有账号的请先", h("a", { href: "#/sign-in" }, "登录"), "。没有账号的部门，请粘贴督查室发给本部门的令牌。令牌只保存在本标签页中，关闭后需重新输入。"),
    message ? h("p", { class: "error", role: "alert" }, message) : null,
    h("label", { for: "token" }, "部门令牌"),
    " ",
    input,
    " ",
    h("button", { type: "submit" }, "进入"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("minsheng.token", input.value.trim());
    route().then(showWho);
  });
  main.replaceChildren(form);
  input.focus();
}

export async function desk(main, query) {
  let viewer;
  try {
    viewer = (await gql(VIEWER)).viewer;
  } catch (error) {
    if (error instanceof GraphError && error.errors[0]?.extensions?.code === "UNAUTHENTICATED") {
      sessionStorage.removeItem("minsheng.token");
      return signIn(main, error.message);
    }
    throw error;
  }
  // Signed in with an account (the cookie), or a pasted token; neither: ask for one.
  if (viewer.role === "ANONYMOUS") return signIn(main);
  const signOut = h("button", { type: "button", id: "sign-out", onclick: () => leave(false) }, "退出");
  if (viewer.role === "ADMINISTRATOR") return adminDesk(main, signOut);
  if (viewer.role !== "DEPARTMENT") {
    main.replaceChildren(h("div", { class: "heading" }, h("h1", {}, "我的事项"), signOut), h("p", {}, "请使用部门令牌。"));
    return;
  }
  const department = viewer.department;
  const asof = query.get("asof") || state.calendar.today;
  // Page after page (20 at a time, with each item's history, keeps each query within the
  // complexity limit), then sorted by urgency across them all.
  const nodes = [];
  let data;
  for (let after = null; ; after = data.items.pageInfo.endCursor) {
    data = await gql(MY_ITEMS, { department: department.id, now: nowOf(asof), after });
    nodes.push(...data.items.nodes);
    if (!data.items.pageInfo.hasNextPage) break;
  }
  const mine = nodes.sort((a, b) => RANK[a.urgency] - RANK[b.urgency]);
  const row = (item) => {
    const lead = item.leadDepartments.some((d) => d.id === department.id);
    const working = ["OPEN", "IN_PROGRESS"].includes(item.status);
    const ours = item.deadlineChangeRequests.filter((r) => r.requestingDepartment?.id === department.id);
    const pending = ours.find((r) => r.status === "PENDING");
    const decided = ours.filter((r) => r.status === "APPROVED" || r.status === "REJECTED").at(-1);
    // 延期申请: a lead department's, on a due date not past the grace days, one at a time.
    const askable = lead && working && !pending
      ? item.dueDates.filter((d) => addDays(d.dueOn, state.calendar.extensionGraceDays) >= state.calendar.today)
      : [];
    const actions = [];
    if (working)
      actions.push(action(`report-${item.id}`, "报送进展", `报送进展：${item.title}`, [
        { name: "note", label: "进展说明", kind: "textarea" },
        { name: "percent", label: "完成比例（%）", type: "number", min: 0, max: 100 },
      ], (v) => gql(REPORT, { item: item.id, note: v.note, percent: Number(v.percent) }), "已报送。"));
    if (askable.length)
      actions.push(action(`extend-${item.id}`, "延期申请", `延期申请：${item.title}`, [
        { name: "dueDate", label: "哪个到期日", kind: "select", options: askable.map((d) => [d.id, `${day(d.dueOn)}${d.label ? `（${d.label}）` : ""}`]) },
        { name: "proposedDueOn", label: "申请延至", type: "date" },
        { name: "reason", label: "延期理由", kind: "textarea" },
      ], (v) => gql(REQUEST_EXTENSION, { input: { itemId: item.id, dueDateId: v.dueDate, proposedDueOn: v.proposedDueOn, reason: v.reason } }), "已提交，等待督查室审核。"));
    if (lead && working)
      actions.push(action(`complete-${item.id}`, "办结报告", `办结报告：${item.title}`, [
        { name: "note", label: "办结情况", kind: "textarea" },
      ], (v) => gql(REPORT_COMPLETION, { item: item.id, note: v.note }), "已报办结，等待督查室销号。"));
    const finished = item.status === "DONE"
      ? `已办结：${day(item.completedOn)}${item.completedOnTime === true ? "，按期" : item.completedOnTime === false ? "，逾期" : ""}`
      : `剩余：${remaining(item.daysRemaining)}`;
    const latest = item.progress.nodes[0];
    // Sent back (退办) since it was last reported done: the office's reason, to act on.
    const lastWord = (item.history ?? []).filter((e) => ["item.report_completion", "item.return", "item.confirm_completion"].includes(e.action)).at(-1);
    const returned = lastWord?.action === "item.return" && item.status !== "DONE" ? lastWord : null;
    const facts = [
      h("span", {}, `完成时限：${item.deadlineText || "—"}`),
      latest ? h("span", {}, `最新进展（${instant(latest.reportedAt)}，${latest.percent}%）：${latest.note}`) : null,
      returned ? h("span", { class: "returned" }, `督查室已退办（${instant(returned.occurredAt)}）：${returned.payload?.reason ?? ""}`) : null,
      pending ? h("span", { class: "pending" }, `延期申请审核中（申请延至${day(pending.proposedDueOn)}）`) : null,
      !pending && decided
        ? h("span", {}, decided.status === "APPROVED"
            ? `延期申请已批准，延至${day(decided.grantedDueOn ?? decided.proposedDueOn)}${decided.decisionNote ? `：${decided.decisionNote}` : ""}`
            : `延期申请未批准${decided.decisionNote ? `：${decided.decisionNote}` : ""}`)
        : null,
    ].filter(Boolean);
    return h(
      "li",
      { class: `mine ${URGENCY_COLOUR[item.urgency]}`, "data-item": item.id },
      h("div", { class: "line" }, badge(item.urgency), " ", h("a", { href: `#/item/${item.id}` }, `${item.numberText} ${item.title}`),
        h("span", { class: "muted" }, `（${lead ? "牵头" : "配合"}，${STATUS_LABEL[item.status]}，${finished}）`), " ",
        actions.map((a) => a.toggle)),
      h("p", { class: "desk-facts muted" }, facts.flatMap((f, i) => (i ? ["；", f] : [f]))),
      actions.map((a) => a.form),
    );
  };
  main.replaceChildren(
    h("div", { class: "heading" }, h("h1", {}, `我的事项：${department.name}`), signOut),
    h("p", { class: "count", id: "mine-count" }, `本部门牵头或配合 ${data.items.totalCount} 项，按紧急程度排列。`),
    mine.length ? h("ol", { class: "desk", id: "mine" }, mine.map(row)) : h("p", { class: "empty" }, "本部门暂无事项。"),
  );
}
