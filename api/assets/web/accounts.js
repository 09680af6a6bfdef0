// Accounts (管理员): who may sign in, their roles, invitations and resets
import { DEPARTMENTS } from "./departments.js";
import { VIEWER } from "./desk.js";
import { confirmed, h, instant } from "./dom.js";
import { GraphError, gql } from "./graph.js";

export const ACCOUNTS = "Accounts";
export const ROLES = [["CLERK", "督查员"], ["LEADER", "领导"], ["LIAISON", "联络员"], ["ADMIN", "管理员"]];

/** Every department, for binding a liaison: page after page of the directory. */
// The directory read once and kept for a minute: the item page redraws after each action and
// the directory rarely changes meanwhile; a rename, a merge or an import forgets it.
let directory = null;

export function forgetDepartments() {
  directory = null;
}

export async function allDepartments() {
  if (directory && Date.now() - directory.at < 60_000) return directory.list;
  const out = [];
  let after = null;
  for (;;) {
    const { departments } = await gql(DEPARTMENTS, { search: null, after });
    out.push(...departments.nodes);
    if (!departments.pageInfo.hasNextPage) break;
    after = departments.pageInfo.endCursor;
  }
  directory = { at: Date.now(), list: out };
  return out;
}

export function accountStatus(a) {
  if (a.disabledAt) return h("span", { class: "muted" }, "已停用");
  if (!a.hasPassword) return h("span", { class: "yellow-text" }, "未设置密码");
  return "正常";
}

/** A link to hand over, shown once, with 复制. */
export function handOver(intro, url, expiresAt) {
  const out = h("output", { class: "token", id: "password-link" }, url);
  const copy = h("button", { type: "button", id: "copy-link" }, "复制链接");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(url);
      copy.textContent = "已复制";
    } catch {
      // No clipboard (an insecure origin): the link is selected for Ctrl+C instead.
      getSelection().selectAllChildren(out);
      copy.textContent = "请按 Ctrl+C 复制";
    }
  });
  return [h("p", {}, intro, `（只显示这一次，${instant(expiresAt)}前有效）：`), out, " ", copy];
}

export function roleSelect(id, value) {
  return h("select", { id, name: "role" }, ROLES.map(([v, l]) => h("option", { value: v, selected: v === value }, l)));
}

export function departmentSelect(id, departments, value) {
  return h("select", { id, name: "department" },
    h("option", { value: "" }, "（请选择联络员所在部门）"),
    departments.map((d) => h("option", { value: d.id, selected: d.id === value }, d.name)));
}

export async function accountsPage(main) {
  const viewer = (await gql(VIEWER)).viewer;
  if (!viewer.managesAccounts) {
    main.replaceChildren(h("h1", {}, "账号"), h("p", {}, "只有管理员可以管理账号。",
      viewer.account ? "" : h("a", { href: "#/sign-in" }, "登录")));
    return;
  }
  const departments = await allDepartments();

  // 新建账号
  const name = h("input", { id: "account-name", name: "name", required: true, maxlength: 64 });
  const login = h("input", { id: "account-login", name: "login", required: true, maxlength: 64, spellcheck: "false", autocapitalize: "off", autocomplete: "off" });
  const role = roleSelect("account-role", "CLERK");
  const department = departmentSelect("account-department", departments, null);
  const departmentField = h("span", { class: "field", hidden: true }, h("label", { for: department.id }, "所在部门"), department);
  const email = h("input", { id: "account-email", name: "email", type: "email", maxlength: 254, autocomplete: "off" });
  const mail = h("input", { id: "account-mail", name: "mail", type: "checkbox", checked: true });
  const result = h("div", { class: "result", id: "account-result", role: "status", "aria-live": "polite" });
  role.addEventListener("change", () => {
    departmentField.hidden = role.value !== "LIAISON";
    department.required = role.value === "LIAISON";
  });
  const form = h("form", { class: "report", id: "new-account", "aria-label": "新建账号" },
    h("span", { class: "field" }, h("label", { for: name.id }, "姓名"), name),
    h("span", { class: "field" }, h("label", { for: login.id }, "登录名（字母、数字）"), login),
    h("span", { class: "field" }, h("label", { for: role.id }, "角色"), role),
    departmentField,
    h("span", { class: "field" }, h("label", { for: email.id }, "电子邮箱（可不填）"), email),
    h("label", { class: "check" }, mail, " 把设置密码的链接发到这个邮箱（不勾选或不填邮箱，则在本页显示链接，由您转交）"),
    h("button", { type: "submit", class: "primary" }, "新建账号"),
    result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.className = "result";
    result.textContent = "正在新建…";
    try {
      const input = {
        name: name.value.trim(),
        login: login.value.trim(),
        role: role.value,
        email: email.value.trim() || null,
        departmentId: role.value === "LIAISON" ? department.value || null : null,
      };
      const created = (await gql(CREATE_ACCOUNT, { input })).createAccount;
      const who = `${created.account.name}（登录名 ${created.account.login}）`;
      if (input.email && mail.checked) {
        const mailed = (await gql(MAIL_PASSWORD_LINK, { id: created.account.id })).mailPasswordLink;
        result.replaceChildren(h("p", { class: "done" }, `已新建${who}。设置密码的链接将由系统发到 ${mailed.to}，通常一分钟内送达。`));
      } else {
        result.replaceChildren(h("p", { class: "done" }, `已新建${who}。`), ...handOver("请把设置密码的链接交给本人", created.url, created.expiresAt));
      }
      form.reset();
      departmentField.hidden = true;
      await drawTable();
    } catch (error) {
      result.replaceChildren(error instanceof GraphError ? error.message : "新建失败，请重试。");
      result.classList.add("error");
    }
  });

  // The accounts, each with its actions
  const table = h("div", { id: "accounts" });
  const rowNote = h("div", { class: "result", id: "account-action", role: "status", "aria-live": "polite" });
  const act = (label, cls, run, confirmLabel) => {
    const b = h("button", { type: "button", class: cls }, label);
    b.addEventListener("click", async () => {
      if (confirmLabel && !confirmed(b, confirmLabel)) return;
      rowNote.className = "result";
      try {
        await run();
      } catch (error) {
        rowNote.replaceChildren(error instanceof GraphError ? error.message : "操作失败，请重试。");
        rowNote.classList.add("error");
      }
    });
    return b;
  };
  const editForm = (a, cell) => {
    const id = `edit-${a.id}`;
    const editName = h("input", { id: `${id}-name`, value: a.name, required: true, maxlength: 64 });
    const editRole = roleSelect(`${id}-role`, a.role);
    const editDepartment = departmentSelect(`${id}-department`, departments, a.department?.id ?? null);
    const editDepartmentField = h("span", { class: "field", hidden: a.role !== "LIAISON" }, h("label", { for: editDepartment.id }, "所在部门"), editDepartment);
    const editEmail = h("input", { id: `${id}-email`, type: "email", value: a.email ?? "", maxlength: 254 });
    editRole.addEventListener("change", () => { editDepartmentField.hidden = editRole.value !== "LIAISON"; });
    const f = h("form", { class: "report edit-account", id, "aria-label": `修改${a.name}的账号` },
      h("span", { class: "field" }, h("label", { for: editName.id }, "姓名"), editName),
      h("span", { class: "field" }, h("label", { for: editRole.id }, "角色"), editRole),
      editDepartmentField,
      h("span", { class: "field" }, h("label", { for: editEmail.id }, "电子邮箱"), editEmail),
      h("p", { class: "hint" }, "改变角色或部门后，此人须重新登录。"),
      h("button", { type: "submit", class: "primary" }, "保存"));
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await gql(UPDATE_ACCOUNT, { id: a.id, input: {
          name: editName.value.trim(),
          role: editRole.value,
          departmentId: editRole.value === "LIAISON" ? editDepartment.value || null : null,
          email: editEmail.value.trim() || null,
        } });
        rowNote.className = "result done";
        rowNote.textContent = `已保存${editName.value.trim()}的账号。`;
        await drawTable();
      } catch (error) {
        f.append(h("p", { class: "result error" }, error instanceof GraphError ? error.message : "保存失败，请重试。"));
      }
    });
    cell.replaceChildren(f);
    editName.focus();
  };
  async function drawTable() {
    const fresh = (await gql(ACCOUNTS)).accounts;
    table.replaceChildren(h("div", { class: "scroll" }, h("table", { class: "accounts" },
      h("thead", {}, h("tr", {}, ["姓名", "登录名", "角色", "邮箱", "状态", "操作"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, fresh.map((a) => {
        const actions = h("td", { class: "actions" });
        const self = a.id === viewer.account?.id;
        const buttons = [
          act("修改", "edit-account", () => editForm(a, actions)),
          a.disabledAt
            ? act("启用", "enable-account", async () => { await gql(ENABLE_ACCOUNT, { id: a.id }); rowNote.className = "result done"; rowNote.textContent = `已启用${a.name}的账号。`; await drawTable(); })
            : self ? null : act("停用", "disable-account", async () => { await gql(DISABLE_ACCOUNT, { id: a.id }); rowNote.className = "result done"; rowNote.textContent = `已停用${a.name}的账号，其登录已全部退出。`; await drawTable(); }, "确认停用（立即退出登录）"),
          a.email && !a.disabledAt
            ? act(a.hasPassword ? "发送重设邮件" : "重发邀请邮件", "mail-link", async () => {
                const mailed = (await gql(MAIL_PASSWORD_LINK, { id: a.id })).mailPasswordLink;
                rowNote.className = "result done";
                rowNote.textContent = `设置密码的链接将发到 ${mailed.to}，此前的链接随即失效。`;
              })
            : null,
          a.disabledAt ? null : act("生成链接", "show-link", async () => {
            const issued = (await gql(SEND_PASSWORD_LINK, { id: a.id })).sendPasswordLink;
            rowNote.className = "result";
            rowNote.replaceChildren(...handOver(`${issued.account.name}的设置密码链接，请转交本人`, issued.url, issued.expiresAt));
          }, "确认生成（此前的链接失效）"),
        ].filter((node) => node !== null);
        actions.append(...buttons.flatMap((b, n) => (n ? [" ", b] : [b])));
        return h("tr", { "data-account": a.login, class: a.disabledAt ? "disabled" : "" },
          h("td", {}, a.name), h("td", {}, a.login),
          h("td", {}, a.roleLabel, a.department ? h("div", { class: "muted" }, a.department.name) : null),
          h("td", {}, a.email ?? "—"), h("td", { class: "status" }, accountStatus(a)), actions);
      })))));
  }
  await drawTable();
  main.replaceChildren(
    h("h1", {}, "账号"),
    h("section", { class: "panel" }, h("h2", {}, "全部账号"), rowNote, table),
    h("section", { class: "panel" }, h("h2", {}, "新建账号"),
      h("p", { class: "hint" }, "督查员办理督办工作；领导只查看；联络员代表所在部门报送；管理员另可管理账号。"), form));
}

export const CREATE_ACCOUNT = "CreateAccount";
export const UPDATE_ACCOUNT = "UpdateAccount";
export const DISABLE_ACCOUNT = "DisableAccount";
export const ENABLE_ACCOUNT = "EnableAccount";
export const SEND_PASSWORD_LINK = "SendPasswordLink";
export const MAIL_PASSWORD_LINK = "MailPasswordLink";
