// State shared by the pages: the calendar, the lists and the chosen list and day.
import { h } from "./dom.js";
import { isDay } from "./format.js";

export const state = { calendar: null, lists: [], stop: null };

export function params() {
  const [path, query = ""] = location.hash.slice(1).split("?");
  return { path: path || "/", query: new URLSearchParams(query) };
}


/** The `now` of a chosen day: noon there, in the api's zone. */
export function nowOf(date) {
  return date ? `${date}T12:00:00${state.calendar.utcOffset}` : null;
}

/**
 * The 清单 selector and the 截至 day. A list applies when chosen; a day only on 应用 or Enter, and
 * only a real one (typing a year digit by digit must not redraw the page under the cursor).
 */
export function pickers(query, onChange) {
  const list = h(
    "select",
    { id: "list", name: "list" },
    h("option", { value: "" }, "全部清单"),
    state.lists.map((l) => h("option", { value: l.id, selected: l.id === query.get("list") }, l.title)),
  );
  const shown = query.get("asof") ?? state.calendar.today;
  const date = h("input", { id: "asof", name: "asof", type: "date", value: shown, min: "1990-01-01", max: "2100-12-31" });
  const note = h("span", { class: "result", role: "alert", id: "asof-note" });
  list.addEventListener("change", () => onChange({ list: list.value, asof: query.get("asof") ?? "" }));
  const form = h(
    "form",
    { class: "pickers", "aria-label": "清单和截至日期" },
    h("label", { for: "list" }, "清单"),
    list,
    h("label", { for: "asof" }, "截至"),
    date,
    h("button", { type: "submit", id: "asof-apply" }, "应用"),
    note,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!isDay(date.value)) {
      note.textContent = "请输入有效的日期，如 2021-06-20";
      note.className = "result error";
      date.focus();
      return;
    }
    onChange({ list: list.value, asof: date.value === state.calendar.today ? "" : date.value });
  });
  return form;
}
