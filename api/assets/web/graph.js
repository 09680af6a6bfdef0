// The graph
import { validationWords } from "./format.js";

/** An error the graph answered with, or a lost connection, in words a clerk understands. */
export class GraphError extends Error {
  constructor(errors, lost = false) {
    super(lost ? "与服务器的连接中断" : describe(errors[0]));
    this.errors = errors;
    this.lost = lost;
  }
}

export const FIELD_LABEL = {
  filter: "筛选条件",
  "filter.search": "搜索词",
  "filter.departmentId": "部门",
  now: "日期",
  listId: "清单",
  id: "编号",
  note: "进展说明",
  percent: "完成比例",
  "input.proposedDueOn": "申请延至",
  "input.reason": "延期理由",
  "input.dueDateId": "到期日",
  email: "电子邮箱",
  name: "姓名",
  reason: "理由",
  text: "清单文本",
  input: "清单",
  "input.text": "清单文本",
  "input.file": "文件",
  "input.file.name": "文件类型",
  "input.columns.number": "序号一栏",
  "input.columns.title": "事项名称一栏",
  "input.columns.content": "事项内容一栏",
  "input.columns.deadline": "完成时限一栏",
  "input.columns.lead": "牵头单位一栏",
  "input.columns.cooperating": "配合单位一栏",
  "input.columns.people": "责任人一栏",
  "input.columns.progress": "进展情况一栏",
  "input.columns.category": "类别一栏",
  "input.columns.note": "备注一栏",
  "input.year": "年份",
  "input.login": "登录名",
  "input.name": "姓名",
  "input.role": "角色",
  "input.departmentId": "部门",
  "input.email": "电子邮箱",
  "input.title": "事项名称",
  "input.dueOn": "日期",
  requestId: "延期申请",
  dueDateId: "到期日",
  departmentId: "部门",
  itemId: "事项",
  login: "登录名",
  password: "密码",
};

export function describe(error) {
  const code = error?.extensions?.code;
  const field = error?.extensions?.field;
  const where = field ? `「${FIELD_LABEL[field] ?? field}」` : "";
  switch (code) {
    case "VALIDATION":
      if (/complex|deep/i.test(error.message ?? "")) return "查询范围过大，请缩小筛选范围后重试。";
      return validationWords(field, error.message, FIELD_LABEL);
    case "NOT_FOUND":
      return "没有找到要查看的内容，可能已被删除。";
    case "UNAUTHENTICATED":
      return "令牌无效或已失效，请重新输入。";
    case "FORBIDDEN":
      return "当前身份无权进行此操作。";
    case "CONFLICT":
      return `操作与当前状态冲突${where}：${error.message}`;
    case "TIMEOUT":
    case "TOO_EXPENSIVE":
      return "查询过大或服务器繁忙，请缩小范围后重试。";
    default:
      return "服务器出错，请稍后再试。";
  }
}

export const connection = {
  lost: false,
  show(lost, text) {
    this.lost = lost;
    const el = document.getElementById("connection");
    el.textContent = text ?? (lost ? "连接中断，正在重试…" : "");
    el.classList.toggle("lost", lost);
  },
};

export function token() {
  return sessionStorage.getItem("minsheng.token");
}

/**
 * The page's GraphQL documents by operation name, from documents.json: the api trusts that file
 * (MINSHENG_TRUSTED_DOCUMENTS), so every document the page sends comes from it.
 */
export let documents;
export async function documentText(name) {
  for (let attempt = 0; !documents; attempt++) {
    try {
      const response = await fetch("/web/documents.json");
      if (!response.ok) throw new Error(String(response.status));
      documents = await response.json();
    } catch {
      connection.show(true);
      await sleep(Math.min(1000 * 2 ** attempt, 15000));
    }
  }
  if (!(name in documents)) throw new Error(`no document named ${name}`);
  return documents[name];
}

/**
 * Runs the document named `name`; a lost connection is retried (1 s, 2 s, 4 s … at most 15 s)
 * until it answers.
 */
export async function gql(name, variables = {}) {
  const query = await documentText(name);
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      const headers = { "content-type": "application/json", accept: "application/json" };
      if (token()) headers.authorization = `Bearer ${token()}`;
      response = await fetch("/graphql", {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      connection.show(true);
      await sleep(Math.min(1000 * 2 ** attempt, 15000));
      continue;
    }
    if (connection.lost) connection.show(false);
    if (response.status >= 502 && response.status <= 504) {
      connection.show(true);
      await sleep(Math.min(1000 * 2 ** attempt, 15000));
      continue;
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new GraphError([{ extensions: { code: "INTERNAL" } }]);
    }
    if (body.errors?.length) throw new GraphError(body.errors);
    return body.data;
  }
}

/** `2021-06-30` plus `n` days, as a calendar date (no time zone involved). */
export function addDays(iso, n) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Subscriptions one socket carries at most (the api's `ws_max_subscriptions_per_socket`). */
export const PER_SOCKET = 10;

/**
 * A subscription per set of variables over graphql-transport-ws, several on one socket;
 * reconnects after a lost connection. Returns a function that closes them.
 */
export function subscribe(name, variablesList, onNext) {
  const stops = [];
  for (let i = 0; i < variablesList.length; i += PER_SOCKET) {
    stops.push(socketFor(name, variablesList.slice(i, i + PER_SOCKET), onNext));
  }
  return () => stops.forEach((stop) => stop());
}

export function socketFor(name, variablesList, onNext) {
  let socket;
  let closed = false;
  let attempt = 0;
  const open = () => {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql/ws`;
    socket = new WebSocket(url, "graphql-transport-ws");
    socket.onopen = () => {
      const payload = token() ? { authorization: `Bearer ${token()}` } : {};
      socket.send(JSON.stringify({ type: "connection_init", payload }));
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        attempt = 0;
        if (connection.lost) connection.show(false);
        const open = socket;
        documentText(name).then((query) =>
          variablesList.forEach((variables, i) =>
            open.send(JSON.stringify({ id: String(i + 1), type: "subscribe", payload: { query, variables } })),
          ),
        );
      } else if (message.type === "next") {
        if (message.payload.data) onNext(message.payload.data);
      } else if (message.type === "complete") {
        // The api ended the subscription because events may have been missed (EVENTS_MISSED):
        // refetch what is shown, and subscribe again.
        resubscribe(message.id, 0);
        onNext(null);
      } else if (message.type === "error") {
        // Refused at its start because the database was away: try again a little later.
        const codes = (message.payload || []).map((e) => e.extensions?.code);
        if (codes.some((c) => c === "INTERNAL" || c === "TIMEOUT")) resubscribe(message.id, 5000);
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      }
    };
    const resubscribe = (id, delay) => {
      const variables = variablesList[Number(id) - 1];
      const on = socket;
      if (!variables) return;
      setTimeout(() => {
        if (closed || on !== socket || on.readyState !== WebSocket.OPEN) return;
        documentText(name).then((query) =>
          on.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } })),
        );
      }, delay);
    };
    socket.onclose = () => {
      if (closed) return;
      connection.show(true, "实时更新已中断，正在重连…");
      setTimeout(open, Math.min(1000 * 2 ** attempt++, 15000));
    };
  };
  open();
  return () => {
    closed = true;
    socket?.close();
  };
}
