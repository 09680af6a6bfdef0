// 部门: the departments, each with its items; contacts and tokens for the administrator
import { link } from "./format.js";
import { route } from "./app.js";
import { VIEWER, action } from "./desk.js";
import { badge, confirmed, errorBox, h, instant } from "./dom.js";
import { gql } from "./graph.js";
import { forgetDepartments } from "./accounts.js";
import { item } from "./item.js";
import { nowOf, state } from "./state.js";

export const DEPARTMENTS = "Departments";
export const OFFICE_DEPARTMENTS = "OfficeDepartments";
export const RENAME_DEPARTMENT = "RenameDepartment";
export const ADD_DEPARTMENT_ALIAS = "AddDepartmentAlias";

export async function departments(main, query) {
  // The office and leaders also see who has nobody to remind: their reminders reach no one.
  const { viewer } = await gql(VIEWER);
  const office = viewer.role === "ADMINISTRATOR" || viewer.role === "LEADER";
  const data = await gql(office ? OFFICE_DEPARTMENTS : DEPARTMENTS, { search: query.get("q") || null, after: query.get("after") });
  const page = data.departments;
  const uncontacted = office ? page.nodes.filter((d) => !d.contacts.some((c) => c.active)) : [];
  const search = h("input", { id: "dq", name: "q", type: "search", value: query.get("q") ?? "", placeholder: "部门名称或别名" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "查找部门" }, h("label", { for: "dq" }, "查找"), search, h("button", { type: "submit" }, "查找"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = link("/departments", { q: search.value.trim() });
  });
  main.replaceChildren(
    h("div", { class: "heading" }, h("h1", {}, "部门")),
    form,
    uncontacted.length ? h("p", { class: "warning", id: "uncontacted" }, `本页有 ${uncontacted.length} 个部门没有联系人，提醒无法送达：请在部门页添加联系人。`) : null,
    h("ul", { class: "departments-list", id: "departments" }, page.nodes.map((d) =>
      h("li", { "data-department": d.id }, h("a", { href: `#/department/${d.id}` }, d.name),
        d.aliases.length ? h("span", { class: "muted" }, `（又称 ${d.aliases.join("、")}）`) : null,
        uncontacted.includes(d) ? [" ", h("span", { class: "badge red no-contact" }, "无联系人")] : null))),
    h("nav", { class: "pager", "aria-label": "翻页" },
      query.get("after") ? h("a", { href: link("/departments", { q: query.get("q") }) }, "第一页") : null,
      page.pageInfo.hasNextPage ? h("a", { href: link("/departments", { q: query.get("q"), after: page.pageInfo.endCursor }), rel: "next" }, "下一页") : null),
  );
}

export const DEPARTMENT = "Department";
export const CONTACTS = "Contacts";
export const CONTACTS_AND_TOKENS = "ContactsAndTokens";

export async function department(main, id, query) {
  const asof = query.get("asof") || state.calendar.today;
  const d = (await gql(DEPARTMENT, { id, now: nowOf(asof) })).department;
  const { viewer } = await gql(VIEWER);
  const itemList = (connection, role) =>
    connection.nodes.length === 0
      ? h("p", { class: "empty" }, "无。")
      : h("ul", { class: "plain" }, connection.nodes.map((i) => h("li", {}, badge(i.urgency), " ", h("a", { href: link(`/item/${i.id}`, { asof: query.get("asof") }) }, `${i.numberText} ${i.title}`))),
          connection.totalCount > connection.nodes.length ? h("li", {}, h("a", { href: link("/items", { department: d.id, role }) }, `全部 ${connection.totalCount} 项`)) : null);
  const sections = [
    h("div", { class: "heading" }, h("h1", { id: "department-name" }, d.name)),
    d.aliases.length ? h("p", { class: "muted" }, `又称：${d.aliases.join("、")}`) : null,
    h("div", { class: "columns" },
      h("section", { class: "panel", id: "lead-items" }, h("h2", {}, `牵头事项（${d.leadItems.totalCount}）`), itemList(d.leadItems, "LEAD")),
      h("section", { class: "panel", id: "cooperating-items" }, h("h2", {}, `配合事项（${d.cooperatingItems.totalCount}）`), itemList(d.cooperatingItems, "COOPERATING"))),
  ];
  const mayManage = viewer.role === "ADMINISTRATOR";
  const isOwn = viewer.role === "DEPARTMENT" && viewer.department?.id === d.id;
  if (mayManage || isOwn) {
    const p = (await gql(mayManage ? CONTACTS_AND_TOKENS : CONTACTS, { id })).department;
    sections.push(contactsPanel(d, p.contacts, mayManage));
    if (mayManage) sections.push(tokenPanel(d, p.tokens));
  }
  if (mayManage) {
    // 改名 and 别名: the directory as the office keeps it.
    const rename = action(`rename-${d.id}`, "改名", `部门改名：${d.name}`, [{ name: "name", label: "新名称", value: d.name }],
      async (v) => { await gql(RENAME_DEPARTMENT, { id: d.id, name: v.name }); forgetDepartments(); route(); }, "已改名。");
    const alias = action(`alias-${d.id}`, "添加别名", `为${d.name}添加别名`, [{ name: "alias", label: "别名（清单中的其他写法）" }],
      async (v) => { await gql(ADD_DEPARTMENT_ALIAS, { id: d.id, alias: v.alias }); route(); }, "已添加。");
    sections.splice(1, 0, h("div", { class: "line", id: "department-actions" }, rename.toggle, " ", alias.toggle), rename.form, alias.form);
  }
  main.replaceChildren(...sections.filter(Boolean));
}

export const ADD_CONTACT = "AddContact";
export const SET_CONTACT_ACTIVE = "SetContactActive";
export const REMOVE_CONTACT = "RemoveContact";

/** Who receives the department's reminders; the administrator adds, pauses and removes them. */
export function contactsPanel(d, contacts, mayManage) {
  const button = (label, cls, run) => {
    const b = h("button", { type: "button", class: cls }, label);
    b.addEventListener("click", async () => {
      try {
        await run();
        route();
      } catch (error) {
        b.after(errorBox(error));
      }
    });
    return b;
  };
  const add = mayManage
    ? action(`contact-${d.id}`, "添加联系人", `为${d.name}添加联系人`, [
        { name: "name", label: "姓名" },
        { name: "email", label: "电子邮箱", type: "email" },
      ], async (v) => {
        await gql(ADD_CONTACT, { id: d.id, name: v.name, email: v.email });
        route();
      }, "已添加。")
    : null;
  return h("section", { class: "panel", id: "contacts" }, h("h2", {}, "联系人"),
    contacts.length === 0 ? h("p", { class: "empty" }, "尚无联系人：提醒无法送达本部门。")
      : h("ul", { class: "plain" }, contacts.map((c) => h("li", { "data-contact": c.id },
          `${c.name} <${c.email}>`, c.active ? "" : h("span", { class: "muted" }, "（已停用）"),
          mayManage ? [" ",
            button(c.active ? "停用" : "启用", "toggle-contact", () => gql(SET_CONTACT_ACTIVE, { id: c.id, active: !c.active })),
            " ",
            button("删除", "remove-contact", () => gql(REMOVE_CONTACT, { id: c.id }))] : null))),
    add ? [add.toggle, add.form] : null);
}

export const ISSUE = "Issue";
export const REVOKE = "Revoke";

export function tokenPanel(d, tokens) {
  const shown = h("div", { id: "issued", "aria-live": "polite" });
  const issue = h("button", { type: "button", id: "issue-token" }, "发放新令牌");
  issue.addEventListener("click", async () => {
    try {
      const { token: issued } = (await gql(ISSUE, { id: d.id })).issueDepartmentToken;
      // Shown once: only its hash is kept.
      shown.replaceChildren(h("p", {}, "新令牌（只显示这一次，请复制后交给该部门）："), h("output", { class: "token", id: "new-token" }, issued));
      // The list below no longer says none was issued.
      shown.closest("section")?.querySelector(".empty")?.remove();
    } catch (error) {
      shown.replaceChildren(errorBox(error));
    }
  });
  return h("section", { class: "panel", id: "tokens" }, h("h2", {}, "部门令牌"),
    tokens.length === 0 ? h("p", { class: "empty" }, "尚未发放令牌。")
      : h("ul", { class: "plain" }, tokens.map((t) => {
          const revoke = h("button", { type: "button", class: "revoke", "data-token": t.id }, "吊销");
          // Two steps, no dialog: the first click asks, the second revokes.
          revoke.addEventListener("click", async () => {
            if (!confirmed(revoke, "确认吊销（立即失效）")) return;
            try {
              await gql(REVOKE, { id: t.id });
              route();
            } catch (error) {
              shown.replaceChildren(errorBox(error));
            }
          });
          return h("li", {}, `发放于 ${instant(t.createdAt)}`, t.revokedAt ? h("span", { class: "muted" }, `，已于 ${instant(t.revokedAt)} 吊销`) : [" ", revoke]);
        })),
    issue, shown);
}
