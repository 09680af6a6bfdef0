// 导出台账: a list's 台账 as .xlsx or .csv, downloaded with the signed-in person's cookie or the
// pasted token, and saved under the name the api gives it (清单标题台账（截至…）.xlsx).
import { h } from "./dom.js";
import { GraphError, token } from "./graph.js";
import { fileNameOf, ledgerPath } from "./format.js";
import { state } from "./state.js";

async function download(path) {
  const headers = {};
  if (token()) headers.authorization = `Bearer ${token()}`;
  const response = await fetch(path, { headers });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const words = { UNAUTHENTICATED: "请先登录。", FORBIDDEN: "只有督查室和领导可以导出台账。", BUSY: "导出的人较多，请几秒后再试。", NOT_FOUND: "没有这个清单。" };
    throw new GraphError(words[body.error?.code] ?? "导出失败，请重试。");
  }
  const blob = await response.blob();
  const link = h("a", { href: URL.createObjectURL(blob), download: fileNameOf(response.headers.get("content-disposition")) ?? "台账.xlsx", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

/** 导出台账（Excel） and （CSV） for `listId` as of `asof` (the board's 截至), with a line for errors. */
export function ledgerButtons(listId, asof) {
  const status = h("span", { class: "result", role: "status", "aria-live": "polite" });
  const button = (format, label) => {
    const b = h("button", { type: "button", class: `export-${format}` }, label);
    b.addEventListener("click", async () => {
      status.className = "result";
      status.textContent = "正在导出…";
      try {
        await download(ledgerPath(listId, asof, format, state.calendar.utcOffset));
        status.textContent = "";
      } catch (error) {
        status.textContent = error.message;
        status.classList.add("error");
      }
    });
    return b;
  };
  return h("span", { class: "ledger-export" }, button("xlsx", "导出台账（Excel）"), " ", button("csv", "导出台账（CSV）"), " ", status);
}
