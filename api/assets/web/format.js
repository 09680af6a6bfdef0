// Pure helpers: words and addresses made from values, with no page, document or network, so
// that `node --test` tests them (format.test.mjs).

/** `2021-06-30` → `2021年6月30日`: dates are calendar days of the configured zone already. */
export function day(iso) {
  if (!iso) return "—";
  const [y, m, d] = iso.split("-").map(Number);
  return `${y}年${m}月${d}日`;
}

export function remaining(days) {
  if (days === null || days === undefined) return "—";
  if (days < 0) return `已逾期 ${-days} 天`;
  return days === 0 ? "今天到期" : `${days} 天`;
}

export function link(path, query) {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
  const text = q.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

/**
 * The file name a download's `Content-Disposition` gives: the UTF-8 `filename*` (RFC 6266) when
 * there is one, else the plain `filename`; `null` when it names none.
 */
export function fileNameOf(disposition) {
  if (!disposition) return null;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // A malformed encoding: fall back to the plain name.
    }
  }
  const plain = /filename="([^"]*)"/i.exec(disposition);
  return plain ? plain[1] : null;
}

/** Where a list's 台账 is downloaded, as of noon of `asof` in the api's zone (`utcOffset`). */
export function ledgerPath(listId, asof, format, utcOffset) {
  const query = new URLSearchParams({ listId });
  if (asof) query.set("now", `${asof}T12:00:00${utcOffset}`);
  return `/export/ledger.${format}?${query}`;
}

/** The time zone as the board's subtitle says it: nothing for 北京时间 (the default), else its name. */
export function zoneNote(timeZone) {
  return timeZone === "Asia/Shanghai" ? "" : `（${timeZone}时间）`;
}

/** Whether `text` is a real calendar day `YYYY-MM-DD` between 1990 and 2100 (a 截至 to apply). */
export function isDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? "");
  if (!m) return false;
  const [y, mo, d] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1990 && y <= 2100 && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** A reminder's stage key (`T-7`, `due`, `overdue-3`, `coop-2021-W05`, `checkin-2021-06`) in words. */
export function stageWords(stage) {
  let m;
  if (stage === "due") return "到期当天提醒";
  if ((m = /^T-(\d+)$/.exec(stage))) return `提前${m[1]}天提醒`;
  if ((m = /^overdue-(\d+)$/.exec(stage))) return `逾期第${m[1]}次催办`;
  if ((m = /^coop-(\d{4})-W(\d{2})$/.exec(stage))) return `配合事项周报（${m[1]}年第${Number(m[2])}周）`;
  if ((m = /^checkin-(\d{4})-(\d{2})$/.exec(stage))) return `长期事项月度调度（${m[1]}年${Number(m[2])}月）`;
  return stage;
}

/**
 * A refusal of what was filled in, in words for a clerk: the field's label (never its path), and
 * the api's reason without the path it starts with; a reason in English is left out.
 */
export function validationWords(field, message, labels) {
  const label = field ? (labels[field] ?? labels[field.split(".").pop()] ?? null) : null;
  let reason = (message ?? "").replace(/^[A-Za-z_][\w.[\]]*:\s*/, "").trim();
  if (/[A-Za-z]{3,} [A-Za-z]{2,}/.test(reason)) reason = "";
  return `填写有误${label ? `「${label}」` : ""}${reason ? `：${reason}` : "，请检查后重试。"}`;
}

/**
 * One CSV cell: quoted when it must be, and text that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`) kept as text with a leading apostrophe (names come from published lists).
 */
export function csvCell(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (typeof value === "string" && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows (the first the header) as CSV with a BOM, so that Excel reads the Chinese as UTF-8. */
export function csv(rows) {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

/** What a column of an imported table may be read as, in the graph's words and the clerk's. */
export const COLUMN_FIELDS = [
  ["NUMBER", "序号"], ["TITLE", "事项名称"], ["CONTENT", "事项内容"], ["DEADLINE", "完成时限"],
  ["LEAD", "牵头单位"], ["COOPERATING", "配合单位"], ["PEOPLE", "责任人"], ["PROGRESS", "进展情况"],
  ["CATEGORY", "类别"], ["NOTE", "备注"],
];

/**
 * `importList(input: {columns})` from the clerk's choices, [header, field] per column: each
 * field once (its first column), a column left 不读取 ("") named for no field.
 */
export function columnsInput(choices) {
  const out = {};
  for (const [header, field] of choices) {
    const key = field ? field.toLowerCase() : "";
    if (key && header && !(key in out)) out[key] = header;
  }
  return out;
}

const STATUS_WORDS = { OPEN: "未开始", IN_PROGRESS: "推进中", COMPLETION_REPORTED: "已报办结", DONE: "已办结", CLOSED: "已撤销" };
const ROLE_WORDS = { LEAD: "牵头", COOPERATING: "配合" };
const FIELD_WORDS = { title: "事项名称", content: "事项内容", deadline: "完成时限", departments: "部门", category: "类别", number: "序号" };

/**
 * One step of an item's 留痕 in words: what was done and the note that went with it, from the
 * audit event's action and payload (as the api stores them). An action this does not know is
 * shown by its name rather than hidden.
 */
export function historyWords(event) {
  const p = event.payload ?? {};
  const note = (text) => (text ? String(text) : "");
  switch (event.action) {
    case "list.import":
      return { what: "随清单导入", note: "" };
    case "item.create":
      return { what: "新增事项", note: note(p.deadline && `完成时限：${p.deadline}`) };
    case "item.update":
      return { what: "修改事项", note: Array.isArray(p.changed) ? `修改了：${p.changed.map((f) => FIELD_WORDS[f] ?? f).join("、")}` : "" };
    case "item.delete":
      return { what: "撤销事项", note: "" };
    case "item.set_status":
      return { what: `状态改为${STATUS_WORDS[p.to] ?? p.to ?? ""}`, note: "" };
    case "item.change_deadline":
      return { what: `改期至${p.to ? day(p.to) : ""}`, note: note(p.reason && `理由：${p.reason}`) };
    case "item.assign":
      return { what: `添加${ROLE_WORDS[p.role] ?? ""}部门`, note: "" };
    case "item.unassign":
      return { what: `移除${ROLE_WORDS[p.role] ?? ""}部门`, note: "" };
    case "item.report_progress":
      return { what: `报送进展（${p.percent ?? 0}%）`, note: note(p.note) };
    case "item.request_deadline_change":
      return { what: `申请延期至${p.proposed ? day(p.proposed) : ""}`, note: note(p.reason && `理由：${p.reason}`) };
    case "item.decide_deadline_change":
      return { what: p.approve ? `批准延期${p.to ? `至${day(p.to)}` : ""}` : "不批准延期", note: note(p.note && `意见：${p.note}`) };
    case "item.withdraw_deadline_change":
      return { what: "撤回延期申请", note: "" };
    case "item.report_completion":
      return { what: "报告办结", note: note(p.note && `办结情况：${p.note}`) };
    case "item.confirm_completion":
      return { what: `销号${p.completed_on ? `（完成日期：${day(p.completed_on)}）` : ""}`, note: note(p.note && `意见：${p.note}`) };
    case "item.return":
      return { what: "退办", note: note(p.reason && `退办理由：${p.reason}`) };
    default:
      return { what: event.action, note: "" };
  }
}

