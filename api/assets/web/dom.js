// Rendering helpers: text goes in as text, never as markup.
import { GraphError } from "./graph.js";
import { URGENCY_COLOUR, URGENCY_LABEL } from "./labels.js";
import { state } from "./state.js";

export function h(tag, attrs = {}, ...children) {
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

export function badge(urgency) {
  return h("span", { class: `badge ${URGENCY_COLOUR[urgency]}` }, URGENCY_LABEL[urgency]);
}


export function instant(iso) {
  // Shown in the api's zone, whatever the browser's.
  return new Intl.DateTimeFormat("zh-CN", {
    timeZone: state.calendar.timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(iso));
}


export function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, error instanceof GraphError ? error.message : "页面出错，请刷新后重试。");
}

/**
 * Whether a click on `button` should act: a first click only arms it, its label turned into
 * `confirmLabel` (归档, 停用, 移除… ask once more, with no dialog); the next one acts.
 */
export function confirmed(button, confirmLabel) {
  if (button.dataset.armed === "yes") return true;
  button.dataset.armed = "yes";
  button.textContent = confirmLabel;
  return false;
}
