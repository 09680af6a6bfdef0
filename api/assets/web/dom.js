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
