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
