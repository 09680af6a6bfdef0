// Accounts: 登录, setting a password from a one-time link, who is signed in, 退出
import { route } from "./app.js";
import { VIEWER } from "./desk.js";
import { h } from "./dom.js";
import { gql, token } from "./graph.js";

/** POSTs JSON to one of the /auth routes; the parsed answer, or an Error with its message. */
export async function auth(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(answer.error?.message ?? "服务器出错，请稍后再试。");
    error.field = answer.error?.field;
    throw error;
  }
  return answer;
}

/** Ends this session (退出) or all of the person's sessions (全部退出), and any pasted token. */
export async function leave(everywhere) {
  sessionStorage.removeItem("minsheng.token");
  try {
    await auth("/auth/sign-out", { everywhere });
  } catch {
    // Signed out here either way: the cookie is cleared by the answer, or was never set.
  }
  await showWho();
  if (location.hash === "#/desk") route();
  else location.hash = "#/desk";
}

/** The header's corner: who is signed in and their role, with 退出; else 登录. */
export async function showWho() {
  const who = document.getElementById("who");
  let viewer = null;
  try {
    viewer = (await gql(VIEWER)).viewer;
  } catch {
    // A pasted token that no longer works: the desk says so.
  }
  document.getElementById("nav-accounts").hidden = !viewer?.managesAccounts;
  document.getElementById("nav-scores").hidden = !(viewer?.role === "ADMINISTRATOR" || viewer?.role === "LEADER");
  if (viewer?.account) {
    who.replaceChildren(
      h("span", { class: "name" }, `${viewer.account.name}（${viewer.account.roleLabel}）`),
      " ",
      h("button", { type: "button", id: "who-sign-out", onclick: () => leave(false) }, "退出"),
      " ",
      h("button", { type: "button", id: "who-sign-out-all", title: "退出本人在所有设备上的登录", onclick: () => leave(true) }, "全部退出"),
    );
  } else if (viewer && viewer.role !== "ANONYMOUS") {
    // A pasted token: whose it is, and the way to drop it.
    who.replaceChildren(
      h("span", { class: "name" }, viewer.department ? `${viewer.department.name}（部门令牌）` : "管理员令牌"),
      " ",
      h("button", { type: "button", id: "who-sign-out", onclick: () => leave(false) }, "退出"),
    );
  } else {
    who.replaceChildren(h("a", { href: "#/sign-in", id: "who-sign-in" }, "登录"));
  }
}

export function field(id, label, attrs) {
  const input = h("input", { id, name: id, required: true, ...attrs });
  return [input, h("span", { class: "field" }, h("label", { for: id }, label), input)];
}

/** What the 登录 page says after single sign-on came back without a session (`?sso=…`). */
export const SSO_OUTCOMES = {
  "no-account": "统一身份认证已通过，但本系统还没有您的账号。请联系督查室管理员开通后再登录。",
  disabled: "您的账号已停用，请联系督查室管理员。",
  cancelled: "您已取消统一身份认证登录。",
  failed: "统一身份认证登录未能完成，请重试；仍不行请联系督查室管理员。",
};

export async function signInPage(main, query) {
  const methods = await fetch("/auth/methods").then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  const [login, loginField] = field("login", "登录名", { autocomplete: "username", spellcheck: "false", autocapitalize: "off" });
  const [password, passwordField] = field("password", "密码", { type: "password", autocomplete: "current-password" });
  const outcome = SSO_OUTCOMES[query.get("sso")];
  const status = h("p", { class: outcome ? "result error" : "result", role: "alert" }, outcome ?? "");
  const form = h("form", { class: "panel signin", "aria-label": "登录" },
    h("h1", {}, "登录"),
    methods.singleSignOn
      ? h("p", { class: "sso" },
        h("a", { href: "/auth/oidc/start", class: "primary button", id: "sso-start" }, "统一身份认证登录"),
        h("span", { class: "hint" }, " 或用本系统的登录名和密码："))
      : null,
    loginField, passwordField,
    h("button", { type: "submit", class: "primary" }, "登录"),
    status,
    h("p", { class: "hint" }, "忘记密码请联系督查室管理员重设。部门令牌仍可在", h("a", { href: "#/desk" }, "我的事项"), "中粘贴使用。"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "正在登录…";
    status.className = "result";
    try {
      await auth("/auth/sign-in", { login: login.value.trim(), password: password.value });
      password.value = "";
      sessionStorage.removeItem("minsheng.token");
      await showWho();
      location.hash = "#/desk";
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error");
      password.select();
    }
  });
  main.replaceChildren(form);
  login.focus();
}

export async function passwordPage(main, secret) {
  const [password, passwordField] = field("new-password", "新密码（至少 10 个字符）", { type: "password", autocomplete: "new-password", minlength: 10 });
  const [again, againField] = field("new-password-again", "再输入一遍", { type: "password", autocomplete: "new-password" });
  const status = h("p", { class: "result", role: "alert" });
  const form = h("form", { class: "panel signin", "aria-label": "设置密码" },
    h("h1", {}, "设置密码"),
    h("p", {}, "这个链接只能使用一次。设置后请用登录名和新密码登录。"),
    passwordField, againField,
    h("button", { type: "submit", class: "primary" }, "设置密码"),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.className = "result";
    if (password.value !== again.value) {
      status.textContent = "两次输入的密码不一致。";
      status.classList.add("error");
      return;
    }
    status.textContent = "正在保存…";
    try {
      const { account } = await auth("/auth/password", { token: secret, password: password.value });
      form.replaceChildren(
        h("h1", {}, "密码已设置"),
        h("p", { class: "done" }, `${account.name}，您的登录名是 ${account.login}。`),
        h("p", {}, h("a", { href: "#/sign-in", class: "primary" }, "去登录")));
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error");
    }
  });
  main.replaceChildren(form);
  password.focus();
}
