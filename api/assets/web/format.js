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
