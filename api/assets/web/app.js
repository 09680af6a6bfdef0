// 民生实事督办: the board and the item pages. A client of the public graph (POST /graphql and
// /graphql/ws, as any outside front end) and nothing else: whatever it shows, the graph shows to
// anyone with the same token. No build step and no library, so the api needs no Node.

const URGENCY = [
  // key, label as the 台账 prints it, colour in the 红/黄/绿/灰 convention
  ["OVERDUE", "逾期", "red"],
  ["DUE_SOON", "临期", "yellow"],
  ["ON_TRACK", "正常", "green"],
  ["ONGOING", "长期", "grey"],
  ["DONE", "已完成", "grey"],
];
const URGENCY_LABEL = Object.fromEntries(URGENCY.map(([k, l]) => [k, l]));
const URGENCY_COLOUR = Object.fromEntries(URGENCY.map(([k, , c]) => [k, c]));
const STATUS_LABEL = {
  OPEN: "未开始",
  IN_PROGRESS: "推进中",
  COMPLETION_REPORTED: "已报办结",
  DONE: "已办结",
  CLOSED: "已撤销",
};
const ROLE_LABEL = { ANY: "牵头或配合", LEAD: "牵头", COOPERATING: "配合" };
const PAGE_SIZE = 20;

// ---------------------------------------------------------------------------------------------
// The graph

/** An error the graph answered with, or a lost connection, in words a clerk understands. */
class GraphError extends Error {
  constructor(errors, lost = false) {
    super(lost ? "与服务器的连接中断" : describe(errors[0]));
    this.errors = errors;
    this.lost = lost;
  }
}

const FIELD_LABEL = {
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
  "input.year": "年份",
};

function describe(error) {
  const code = error?.extensions?.code;
  const field = error?.extensions?.field;
  const where = field ? `「${FIELD_LABEL[field] ?? field}」` : "";
  switch (code) {
    case "VALIDATION":
      if (/complex|deep/i.test(error.message ?? "")) return "查询范围过大，请缩小筛选范围后重试。";
      return `填写有误${where}，请检查后重试。（${error.message}）`;
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

const connection = {
  lost: false,
  show(lost, text) {
    this.lost = lost;
    const el = document.getElementById("connection");
    el.textContent = text ?? (lost ? "连接中断，正在重试…" : "");
    el.classList.toggle("lost", lost);
  },
};

function token() {
  return sessionStorage.getItem("minsheng.token");
}

/**
 * The page's GraphQL documents by operation name, from documents.json: the api trusts that file
 * (MINSHENG_TRUSTED_DOCUMENTS), so every document the page sends comes from it.
 */
let documents;
async function documentText(name) {
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
async function gql(name, variables = {}) {
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
function addDays(iso, n) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Subscriptions one socket carries at most (the api's `ws_max_subscriptions_per_socket`). */
const PER_SOCKET = 10;

/**
 * A subscription per set of variables over graphql-transport-ws, several on one socket;
 * reconnects after a lost connection. Returns a function that closes them.
 */
function subscribe(name, variablesList, onNext) {
  const stops = [];
  for (let i = 0; i < variablesList.length; i += PER_SOCKET) {
    stops.push(socketFor(name, variablesList.slice(i, i + PER_SOCKET), onNext));
  }
  return () => stops.forEach((stop) => stop());
}

function socketFor(name, variablesList, onNext) {
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

// ---------------------------------------------------------------------------------------------
// Rendering helpers: text goes in as text, never as markup.

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function badge(urgency) {
  return h("span", { class: `badge ${URGENCY_COLOUR[urgency]}` }, URGENCY_LABEL[urgency]);
}

/** `2021-06-30` → `2021年6月30日`: dates are calendar days of the configured zone already. */
function day(iso) {
  if (!iso) return "—";
  const [y, m, d] = iso.split("-").map(Number);
  return `${y}年${m}月${d}日`;
}

function instant(iso) {
  // Shown in the api's zone, whatever the browser's.
  return new Intl.DateTimeFormat("zh-CN", {
    timeZone: state.calendar.timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(iso));
}

function remaining(days) {
  if (days === null || days === undefined) return "—";
  if (days < 0) return `已逾期 ${-days} 天`;
  return days === 0 ? "今天到期" : `${days} 天`;
}

function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, error instanceof GraphError ? error.message : "页面出错，请刷新后重试。");
}

// ---------------------------------------------------------------------------------------------
// State shared by the pages: the calendar, the lists and the chosen list and day.

const state = { calendar: null, lists: [], stop: null };

function params() {
  const [path, query = ""] = location.hash.slice(1).split("?");
  return { path: path || "/", query: new URLSearchParams(query) };
}

function link(path, query) {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
  const text = q.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

/** The `now` of a chosen day: noon there, in the api's zone. */
function nowOf(date) {
  return date ? `${date}T12:00:00${state.calendar.utcOffset}` : null;
}

function pickers(query, onChange) {
  const list = h(
    "select",
    { id: "list", name: "list" },
    h("option", { value: "" }, "全部清单"),
    state.lists.map((l) => h("option", { value: l.id, selected: l.id === query.get("list") }, l.title)),
  );
  const date = h("input", {
    id: "asof",
    name: "asof",
    type: "date",
    value: query.get("asof") ?? state.calendar.today,
  });
  list.addEventListener("change", () => onChange({ list: list.value, asof: date.value }));
  date.addEventListener("change", () => onChange({ list: list.value, asof: date.value }));
  return h(
    "div",
    { class: "pickers" },
    h("label", { for: "list" }, "清单"),
    list,
    h("label", { for: "asof" }, "截至"),
    date,
  );
}

// ---------------------------------------------------------------------------------------------
// 总览: the board

const BOARD = "Board";

const CHANGED = "Changed";

async function board(main, query) {
  const list = query.get("list") || "";
  const asof = query.get("asof") || state.calendar.today;
  const data = await gql(BOARD, { list: list || null, now: nowOf(asof), within: 14 });
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
              h("a", { href: `#/item/${d.item.id}` }, `${d.item.numberText} ${d.item.title}`),
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
    ),
    h("p", { class: "asof" }, `${state.lists.find((l) => l.id === list)?.title ?? "全部清单"}：截至 ${day(asof)}（${state.calendar.timeZone}），临期指 ${state.calendar.dueSoonDays} 天内到期。`),
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

function departmentTable(rows, itemsLink, query) {
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
                  { class: n ? colour : "zero", "data-urgency": u },
                  n ? h("a", { href: itemsLink({ department: row.department.id, role: "LEAD", urgency: u }), "aria-label": `${row.department.name} ${URGENCY_LABEL[u]} ${n} 项` }, n) : "0",
                );
              }),
              h("td", { class: "total" }, h("a", { href: itemsLink({ department: row.department.id, role: "LEAD" }) }, row.total)),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Due dates per month as bars, drawn as SVG: no chart library for a dozen bars. */
function monthChart(months) {
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

// ---------------------------------------------------------------------------------------------
// 事项: filters and pages

const ITEMS = "Items";

async function items(main, query) {
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
      h("td", {}, h("a", { href: `#/item/${item.id}` }, item.title)),
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

// ---------------------------------------------------------------------------------------------
// One item

const ITEM = "Item";

const DELIVERIES = "Deliveries";
const DELIVERY_STATUS = { PENDING: "待发送", SENDING: "发送中", SENT: "已发送", FAILED: "发送失败", SKIPPED: "未发送" };

/** The reminders of an item, for the administrator (all) or a department (its own). */
async function deliveriesPanel(id) {
  const rows = (await gql(DELIVERIES, { id })).item.deliveries;
  return h("section", { class: "panel", id: "deliveries" }, h("h2", {}, "提醒记录"),
    rows.length === 0 ? h("p", { class: "empty" }, "尚无提醒记录。")
      : h("div", { class: "scroll" }, h("table", {},
          h("thead", {}, h("tr", {}, ["计划日期", "阶段", "到期日", "部门", "状态", "发送时间", "签收"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows.map((d) => h("tr", {},
            h("td", {}, day(d.plannedFor)), h("td", {}, d.stage), h("td", {}, day(d.dueDate?.dueOn)),
            h("td", {}, d.department?.name ?? "—"), h("td", {}, DELIVERY_STATUS[d.status] ?? d.status),
            h("td", {}, d.sentAt ? instant(d.sentAt) : "—"), h("td", {}, d.acknowledgedAt ? instant(d.acknowledgedAt) : "未签收")))))));
}

async function item(main, id, query) {
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
      h("dt", {}, "剩余天数"), h("dd", {}, remaining(it.daysRemaining)),
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
  // Reminders are not public: shown to a token that may read them.
  if ((await gql(VIEWER)).viewer.role !== "ANONYMOUS") main.append(await deliveriesPanel(it.id));
  const stop = subscribe(CHANGED, [{ list: it.list.id }], (event) => {
    // `null`: events may have been missed, so the page is drawn again.
    if ((event === null || event?.itemChanged?.item?.id === it.id) && params().path === `/item/${it.id}`) route();
  });
  return stop;
}

// ---------------------------------------------------------------------------------------------
// 部门: the departments, each with its items; contacts and tokens for the administrator

const DEPARTMENTS = "Departments";

async function departments(main, query) {
  const data = await gql(DEPARTMENTS, { search: query.get("q") || null, after: query.get("after") });
  const page = data.departments;
  const search = h("input", { id: "dq", name: "q", type: "search", value: query.get("q") ?? "", placeholder: "部门名称或别名" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "查找部门" }, h("label", { for: "dq" }, "查找"), search, h("button", { type: "submit" }, "查找"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = link("/departments", { q: search.value.trim() });
  });
  main.replaceChildren(
    h("div", { class: "heading" }, h("h1", {}, "部门")),
    form,
    h("ul", { class: "departments-list", id: "departments" }, page.nodes.map((d) =>
      h("li", {}, h("a", { href: `#/department/${d.id}` }, d.name), d.aliases.length ? h("span", { class: "muted" }, `（又称 ${d.aliases.join("、")}）`) : null))),
    h("nav", { class: "pager", "aria-label": "翻页" },
      query.get("after") ? h("a", { href: link("/departments", { q: query.get("q") }) }, "第一页") : null,
      page.pageInfo.hasNextPage ? h("a", { href: link("/departments", { q: query.get("q"), after: page.pageInfo.endCursor }), rel: "next" }, "下一页") : null),
  );
}

const DEPARTMENT = "Department";
const CONTACTS = "Contacts";
const CONTACTS_AND_TOKENS = "ContactsAndTokens";

async function department(main, id, query) {
  const asof = query.get("asof") || state.calendar.today;
  const d = (await gql(DEPARTMENT, { id, now: nowOf(asof) })).department;
  const { viewer } = await gql(VIEWER);
  const itemList = (connection, role) =>
    connection.nodes.length === 0
      ? h("p", { class: "empty" }, "无。")
      : h("ul", { class: "plain" }, connection.nodes.map((i) => h("li", {}, badge(i.urgency), " ", h("a", { href: `#/item/${i.id}` }, `${i.numberText} ${i.title}`))),
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
  main.replaceChildren(...sections.filter(Boolean));
}

const ADD_CONTACT = "AddContact";
const SET_CONTACT_ACTIVE = "SetContactActive";
const REMOVE_CONTACT = "RemoveContact";

/** Who receives the department's reminders; the administrator adds, pauses and removes them. */
function contactsPanel(d, contacts, mayManage) {
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

const ISSUE = "Issue";
const REVOKE = "Revoke";

function tokenPanel(d, tokens) {
  const shown = h("div", { id: "issued", "aria-live": "polite" });
  const issue = h("button", { type: "button", id: "issue-token" }, "发放新令牌");
  issue.addEventListener("click", async () => {
    try {
      const { token: issued } = (await gql(ISSUE, { id: d.id })).issueDepartmentToken;
      // Shown once: only its hash is kept.
      shown.replaceChildren(h("p", {}, "新令牌（只显示这一次，请复制后交给该部门）："), h("output", { class: "token", id: "new-token" }, issued));
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
            if (revoke.dataset.armed !== "yes") {
              revoke.dataset.armed = "yes";
              revoke.textContent = "确认吊销（立即失效）";
              return;
            }
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

// ---------------------------------------------------------------------------------------------
// The department's desk: a department token pasted once per tab (sessionStorage, never a URL).

const VIEWER = "Viewer";

const MY_ITEMS = "Mine";

const REPORT = "Report";

const REQUEST_EXTENSION = "Extend";
const REPORT_COMPLETION = "Complete";

/**
 * A button that opens a small form under it; on submit, `run` gets the fields' trimmed values
 * and the form says how it went, in words. Returns `{ toggle, form }`.
 */
function action(id, label, description, fields, run, done) {
  const inputs = fields.map((f) => {
    const attrs = { id: `${id}-${f.name}`, name: f.name, required: !f.optional };
    if (f.kind === "textarea") return h("textarea", { ...attrs, rows: 2, maxlength: 2000 });
    if (f.kind === "select") return h("select", attrs, f.options.map(([v, l]) => h("option", { value: v }, l)));
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

const RANK = Object.fromEntries(URGENCY.map(([u], i) => [u, i]));

function signIn(main, message) {
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
    route();
  });
  main.replaceChildren(form);
  input.focus();
}

async function desk(main, query) {
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
  const data = await gql(MY_ITEMS, { department: department.id, now: nowOf(asof) });
  const mine = [...data.items.nodes].sort((a, b) => RANK[a.urgency] - RANK[b.urgency]);
  const row = (item) => {
    const lead = item.leadDepartments.some((d) => d.id === department.id);
    const actions = [
      action(`report-${item.id}`, "报送进展", `报送进展：${item.title}`, [
        { name: "note", label: "进展说明", kind: "textarea" },
        { name: "percent", label: "完成比例（%）", type: "number", min: 0, max: 100, value: 0 },
      ], (v) => gql(REPORT, { item: item.id, note: v.note, percent: Number(v.percent) }), "已报送。"),
    ];
    if (item.dueDates.length)
      actions.push(action(`extend-${item.id}`, "延期申请", `延期申请：${item.title}`, [
        { name: "dueDate", label: "哪个到期日", kind: "select", options: item.dueDates.map((d) => [d.id, `${day(d.dueOn)}${d.label ? `（${d.label}）` : ""}`]) },
        { name: "proposedDueOn", label: "申请延至", type: "date" },
        { name: "reason", label: "延期理由", kind: "textarea" },
      ], (v) => gql(REQUEST_EXTENSION, { input: { itemId: item.id, dueDateId: v.dueDate, proposedDueOn: v.proposedDueOn, reason: v.reason } }), "已提交，等待督查室审核。"));
    if (lead && ["OPEN", "IN_PROGRESS"].includes(item.status))
      actions.push(action(`complete-${item.id}`, "办结报告", `办结报告：${item.title}`, [
        { name: "note", label: "办结情况", kind: "textarea" },
      ], (v) => gql(REPORT_COMPLETION, { item: item.id, note: v.note }), "已报办结，等待督查室销号。"));
    return h(
      "li",
      { class: `mine ${URGENCY_COLOUR[item.urgency]}`, "data-item": item.id },
      h("div", { class: "line" }, badge(item.urgency), " ", h("a", { href: `#/item/${item.id}` }, `${item.numberText} ${item.title}`),
        h("span", { class: "muted" }, `（${lead ? "牵头" : "配合"}，${STATUS_LABEL[item.status]}，剩余：${remaining(item.daysRemaining)}）`), " ",
        actions.map((a) => a.toggle)),
      actions.map((a) => a.form),
    );
  };
  main.replaceChildren(
    h("div", { class: "heading" }, h("h1", {}, `我的事项：${department.name}`), signOut),
    h("p", { class: "count", id: "mine-count" }, `本部门牵头或配合 ${data.items.totalCount} 项，按紧急程度排列。`),
    mine.length ? h("ol", { class: "desk", id: "mine" }, mine.map(row)) : h("p", { class: "empty" }, "本部门暂无事项。"),
  );
}

// ---------------------------------------------------------------------------------------------
// The administrator's desk (督查室): importing a list, previewed first.

const IMPORT = "Import";

const OUTCOME = { CREATED: "新建清单", UPDATED: "更新已有清单", UNCHANGED: "与已导入的内容相同，无变化" };

/** A file's bytes as base64, in chunks (a whole file through one `String.fromCharCode` overflows). */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const PENDING = "Pending";
const DECIDE = "Decide";
const CONFIRM = "Confirm";
const RETURN = "Return";

/** What awaits the office: 延期申请 to decide and 办结报告 to confirm (销号) or send back (退办). */
async function pendingPanel() {
  const data = await gql(PENDING);
  const requests = data.deadlineChangeRequests;
  const reported = data.items.nodes;
  const itemLink = (i) => h("a", { href: `#/item/${i.id}` }, `${i.numberText} ${i.title}`);
  const entry = (attrs, text, actions) => h("li", { class: "mine", ...attrs }, h("div", { class: "line" }, text, " ", actions.map((a) => a.toggle)), actions.map((a) => a.form));
  return h("section", { class: "panel", id: "pending" },
    h("h2", {}, `待审延期申请（${requests.length}）`),
    requests.length === 0 ? h("p", { class: "empty" }, "没有待审的延期申请。") : h("ul", { class: "desk", id: "pending-requests" }, requests.map((r) =>
      entry({ "data-request": r.id },
        [itemLink(r.item), h("span", { class: "muted" }, `：${r.requestingDepartment?.name ?? r.requestedBy} 申请将 ${day(r.dueDate?.dueOn)} 延至 ${day(r.proposedDueOn)}，理由：${r.reason}`)],
        [
          action(`approve-${r.id}`, "批准", `批准延期：${r.item.title}`, [{ name: "note", label: "意见（可不填）", kind: "textarea", optional: true }],
            (v) => gql(DECIDE, { id: r.id, approve: true, note: v.note }), "已批准，到期日已调整。"),
          action(`reject-${r.id}`, "不批准", `不批准延期：${r.item.title}`, [{ name: "note", label: "不批准的理由", kind: "textarea" }],
            (v) => gql(DECIDE, { id: r.id, approve: false, note: v.note }), "已退回申请。"),
        ]))),
    h("h2", {}, `待销号（${reported.length}）`),
    reported.length === 0 ? h("p", { class: "empty" }, "没有报办结待销号的事项。") : h("ul", { class: "desk", id: "pending-completions" }, reported.map((i) =>
      entry({ "data-item": i.id },
        [itemLink(i), h("span", { class: "muted" }, `（牵头：${i.leadDepartments.map((d) => d.name).join("、")}）`)],
        [
          action(`confirm-${i.id}`, "销号", `销号：${i.title}`, [{ name: "note", label: "意见（可不填）", kind: "textarea", optional: true }],
            (v) => gql(CONFIRM, { id: i.id, note: v.note }), "已销号。"),
          action(`return-${i.id}`, "退办", `退办：${i.title}`, [{ name: "reason", label: "退办理由", kind: "textarea" }],
            (v) => gql(RETURN, { id: i.id, reason: v.reason }), "已退回牵头部门。"),
        ]))));
}

async function adminDesk(main, signOut) {
  const text = h("textarea", { id: "import-text", name: "text", rows: 10 });
  const file = h("input", { id: "import-file", name: "file", type: "file", accept: ".txt,.csv,.html,.htm,.docx,.xlsx,.xls" });
  const issuer = h("input", { id: "import-issuer", name: "issuer", type: "text", placeholder: "如：某某市人民政府" });
  const year = h("input", { id: "import-year", name: "year", type: "number", min: 2000, max: 2100, step: 1 });
  const result = h("div", { id: "import-result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "panel import", id: "import-form", "aria-label": "导入清单" },
    h("h2", {}, "导入清单"),
    h("p", { class: "muted" }, "粘贴清单全文或选择文件，先预览，确认无误后再导入。"),
    h("div", { class: "field column" }, h("label", { for: "import-text" }, "清单文本"), text),
    h("div", { class: "field" }, h("label", { for: "import-file" }, "或选择文件"), file),
    h("div", { class: "field" }, h("label", { for: "import-issuer" }, "发布单位"), issuer),
    h("div", { class: "field" }, h("label", { for: "import-year" }, "年份（完成时限未写年份时）"), year),
    h("button", { type: "submit", id: "preview" }, "预览"),
  );
  const input = async (dryRun) => {
    const value = { dryRun };
    if (file.files.length) value.file = { name: file.files[0].name, base64: await base64Of(file.files[0]) };
    else value.text = text.value;
    if (issuer.value.trim()) value.issuer = issuer.value.trim();
    if (year.value) value.year = Number(year.value);
    return value;
  };
  const run = async (dryRun) => {
    result.replaceChildren(h("p", { class: "loading" }, dryRun ? "正在预览…" : "正在导入…"));
    try {
      const report = (await gql(IMPORT, { input: await input(dryRun) })).importList;
      result.replaceChildren(...importReport(report, () => run(false)));
    } catch (error) {
      result.replaceChildren(errorBox(error));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(true);
  });
  main.replaceChildren(h("div", { class: "heading" }, h("h1", {}, "督查室工作台"), signOut), await pendingPanel(), form, result);
}

function importReport(report, confirm) {
  const out = [];
  const summary = `${report.dryRun ? "预览" : "已导入"}：${OUTCOME[report.outcome]}，共 ${report.itemCount} 项` +
    (report.dryRun ? "" : `；新增 ${report.itemsAdded.length} 项，修改 ${report.itemsChanged.length} 项，撤下 ${report.itemsRemoved.length} 项`);
  out.push(h("p", { class: report.dryRun ? "summary" : "summary done", id: "import-summary" }, summary));
  if (!report.dryRun && report.listId) out.push(h("p", {}, h("a", { href: link("/", { list: report.listId }) }, "在总览中查看这份清单")));
  if (report.warnings.length)
    out.push(h("section", { class: "panel warnings" }, h("h3", {}, `需要核对的地方（${report.warnings.length}）`),
      h("ul", { id: "import-warnings" }, report.warnings.map((w) => h("li", {}, h("strong", {}, `第 ${w.line} 行：`), w.message)))));
  if (report.departmentSuggestions.length)
    out.push(h("section", { class: "panel" }, h("h3", {}, "可能是同一部门"),
      h("ul", { id: "import-suggestions" }, report.departmentSuggestions.map((d) => h("li", {}, `「${d.name}」可能是「${d.probably}」（${d.reason}）`)))));
  if (report.departmentsCreated.length)
    out.push(h("p", {}, `${report.dryRun ? "将新建" : "新建了"}部门：${report.departmentsCreated.join("、")}`));
  if (report.dryRun) {
    out.push(h("div", { class: "scroll" }, h("table", { id: "import-items" },
      h("thead", {}, h("tr", {}, ["行", "序号", "事项", "完成时限", "读出的日期", "牵头部门", "配合部门"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, report.items.map((i) => h("tr", {},
        h("td", {}, i.line), h("td", {}, i.numberText), h("td", {}, i.title),
        h("td", {}, i.deadlineText || "—"),
        h("td", { class: i.deadlineProblem ? "yellow" : "" }, [i.dueDates.map(day).join("，") || (i.ongoing ? "长期" : "—"), i.deadlineProblem ? h("div", { class: "muted" }, i.deadlineProblem) : null]),
        h("td", {}, i.leadDepartments.join("、") || "—"),
        h("td", {}, i.cooperatingDepartments.join("、") || "—")))))));
    if (report.outcome !== "UNCHANGED" && report.itemCount > 0)
      out.push(h("button", { type: "button", id: "confirm-import", class: "primary", onclick: confirm }, "确认导入"));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Accounts: 登录, setting a password from a one-time link, who is signed in, 退出

/** POSTs JSON to one of the /auth routes; the parsed answer, or an Error with its message. */
async function auth(path, body) {
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
async function leave(everywhere) {
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
async function showWho() {
  const who = document.getElementById("who");
  let viewer = null;
  try {
    viewer = (await gql(VIEWER)).viewer;
  } catch {
    // A pasted token that no longer works: the desk says so.
  }
  document.getElementById("nav-accounts").hidden = !viewer?.managesAccounts;
  if (viewer?.account) {
    who.replaceChildren(
      h("span", { class: "name" }, `${viewer.account.name}（${viewer.account.roleLabel}）`),
      " ",
      h("button", { type: "button", id: "who-sign-out", onclick: () => leave(false) }, "退出"),
      " ",
      h("button", { type: "button", id: "who-sign-out-all", title: "退出本人在所有设备上的登录", onclick: () => leave(true) }, "全部退出"),
    );
  } else {
    who.replaceChildren(h("a", { href: "#/sign-in", id: "who-sign-in" }, "登录"));
  }
}

function field(id, label, attrs) {
  const input = h("input", { id, name: id, required: true, ...attrs });
  return [input, h("span", { class: "field" }, h("label", { for: id }, label), input)];
}

/** What the 登录 page says after single sign-on came back without a session (`?sso=…`). */
const SSO_OUTCOMES = {
  "no-account": "统一身份认证已通过，但本系统还没有您的账号。请联系督查室管理员开通后再登录。",
  disabled: "您的账号已停用，请联系督查室管理员。",
  cancelled: "您已取消统一身份认证登录。",
  failed: "统一身份认证登录未能完成，请重试；仍不行请联系督查室管理员。",
};

async function signInPage(main, query) {
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

async function passwordPage(main, secret) {
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

// ---------------------------------------------------------------------------------------------
// Accounts (管理员): who may sign in, their roles, invitations and resets

const ACCOUNTS = "Accounts";
const ROLES = [["CLERK", "督查员"], ["LEADER", "领导"], ["LIAISON", "联络员"], ["ADMIN", "管理员"]];

/** Every department, for binding a liaison: page after page of the directory. */
async function allDepartments() {
  const out = [];
  let after = null;
  for (;;) {
    const { departments } = await gql(DEPARTMENTS, { search: null, after });
    out.push(...departments.nodes);
    if (!departments.pageInfo.hasNextPage) return out;
    after = departments.pageInfo.endCursor;
  }
}

function accountStatus(a) {
  if (a.disabledAt) return h("span", { class: "muted" }, "已停用");
  if (!a.hasPassword) return h("span", { class: "yellow-text" }, "未设置密码");
  return "正常";
}

/** A link to hand over, shown once, with 复制. */
function handOver(intro, url, expiresAt) {
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

function roleSelect(id, value) {
  return h("select", { id, name: "role" }, ROLES.map(([v, l]) => h("option", { value: v, selected: v === value }, l)));
}

function departmentSelect(id, departments, value) {
  return h("select", { id, name: "department" },
    h("option", { value: "" }, "（请选择联络员所在部门）"),
    departments.map((d) => h("option", { value: d.id, selected: d.id === value }, d.name)));
}

async function accountsPage(main) {
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
      if (confirmLabel && b.dataset.armed !== "yes") {
        b.dataset.armed = "yes";
        b.textContent = confirmLabel;
        return;
      }
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

const CREATE_ACCOUNT = "CreateAccount";
const UPDATE_ACCOUNT = "UpdateAccount";
const DISABLE_ACCOUNT = "DisableAccount";
const ENABLE_ACCOUNT = "EnableAccount";
const SEND_PASSWORD_LINK = "SendPasswordLink";
const MAIL_PASSWORD_LINK = "MailPasswordLink";

// ---------------------------------------------------------------------------------------------
// Routing

const START = "Start";

async function route() {
  state.stop?.();
  state.stop = null;
  const main = document.getElementById("main");
  const { path, query } = params();
  for (const a of document.querySelectorAll("[data-nav]")) {
    const here = (a.dataset.nav === "board" && path === "/") || (a.dataset.nav === "items" && path.startsWith("/item")) || (a.dataset.nav === "desk" && path === "/desk") || (a.dataset.nav === "departments" && path.startsWith("/department")) || (a.dataset.nav === "accounts" && path === "/accounts");
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  try {
    if (!state.calendar) {
      const data = await gql(START);
      state.calendar = data.calendar;
      state.lists = data.lists;
    }
    let stop;
    if (path === "/") stop = await board(main, query);
    else if (path === "/items") stop = await items(main, query);
    else if (path.startsWith("/item/")) stop = await item(main, decodeURIComponent(path.slice(6)), query);
    else if (path === "/desk") stop = await desk(main, query);
    else if (path === "/sign-in") stop = await signInPage(main, query);
    else if (path.startsWith("/password/")) stop = await passwordPage(main, decodeURIComponent(path.slice(10)));
    else if (path === "/departments") stop = await departments(main, query);
    else if (path === "/accounts") stop = await accountsPage(main);
    else if (path.startsWith("/department/")) stop = await department(main, decodeURIComponent(path.slice(12)), query);
    else main.replaceChildren(h("h1", {}, "页面不存在"), h("p", {}, h("a", { href: "#/" }, "返回总览")));
    state.stop = stop ?? null;
    document.title = `${main.querySelector("h1")?.textContent ?? ""} · 民生实事督办`;
    document.body.dataset.ready = path;
  } catch (error) {
    main.replaceChildren(errorBox(error));
    document.body.dataset.ready = "error";
    if (!(error instanceof GraphError)) console.error(error);
  }
}

window.addEventListener("hashchange", () => {
  document.body.dataset.ready = "";
  route().then(() => document.getElementById("main").focus({ preventScroll: true }));
});
route();
showWho();
