// The administrator's desk (督查室): importing a list, previewed first.
import { COLUMN_FIELDS, columnsInput, day, link } from "./format.js";
import { START } from "./app.js";
import { ADD_DEPARTMENT_ALIAS, DEPARTMENTS } from "./departments.js";
import { forgetDepartments } from "./accounts.js";
import { action } from "./desk.js";
import { confirmed, errorBox, h } from "./dom.js";
import { GraphError, gql, subscribe } from "./graph.js";
import { CHANGED } from "./board.js";
import { ledgerButtons } from "./ledger.js";
import { state } from "./state.js";

export const IMPORT = "Import";

export const OUTCOME = { CREATED: "新建清单", UPDATED: "更新已有清单", UNCHANGED: "与已导入的内容相同，无变化" };

/** A file's bytes as base64, in chunks (a whole file through one `String.fromCharCode` overflows). */
export async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export const PENDING = "Pending";
export const DECIDE = "Decide";
export const CONFIRM = "Confirm";
export const RETURN = "Return";

/** What awaits the office: 延期申请 to decide and 办结报告 to confirm (销号) or send back (退办). */
/** The department's 办结情况: the latest completion report in the item's history. */
function completionNote(item) {
  const report = item.history.filter((e) => e.action === "item.report_completion").at(-1);
  return report ? `${report.actorName}报告：${report.payload?.note ?? ""}` : "";
}

/**
 * 待审延期申请 and 待销号, drawn again after each decision (so nothing already decided stays on
 * screen) and whenever `itemChanged` says an item changed.
 */
export async function pendingPanel() {
  const panel = h("section", { class: "panel", id: "pending" });
  const itemLink = (i) => h("a", { href: `#/item/${i.id}` }, `${i.numberText} ${i.title}`);
  const entry = (attrs, text, actions) => h("li", { class: "mine", ...attrs }, h("div", { class: "line" }, text, " ", actions.map((a) => a.toggle)), actions.map((a) => a.form));
  const then = (run, words) => async (v) => {
    await run(v);
    await draw();
    note.className = "result done";
    note.textContent = words;
  };
  const note = h("p", { class: "result", role: "status", "aria-live": "polite", id: "pending-note" });
  async function draw() {
    const data = await gql(PENDING);
    const requests = data.deadlineChangeRequests;
    const reported = data.items.nodes;
    panel.replaceChildren(
      note,
      h("h2", {}, `待审延期申请（${requests.length}）`),
      requests.length === 0 ? h("p", { class: "empty" }, "没有待审的延期申请。") : h("ul", { class: "desk", id: "pending-requests" }, requests.map((r) =>
        entry({ "data-request": r.id },
          [itemLink(r.item), h("span", { class: "muted" }, `：${r.requestingDepartment?.name ?? r.requestedBy} 申请将 ${day(r.dueDate?.dueOn)} 延至 ${day(r.proposedDueOn)}，理由：${r.reason}`)],
          [
            action(`approve-${r.id}`, "批准", `批准延期：${r.item.title}`, [
              { name: "dueOn", label: `另定日期（不填即为申请的 ${day(r.proposedDueOn)}）`, type: "date", optional: true },
              { name: "note", label: "意见（可不填）", kind: "textarea", optional: true },
            ], then((v) => gql(DECIDE, { id: r.id, approve: true, note: v.note, dueOn: v.dueOn }), `已批准${r.item.numberText} ${r.item.title}的延期，到期日已调整。`), "已批准。"),
            action(`reject-${r.id}`, "不批准", `不批准延期：${r.item.title}`, [{ name: "note", label: "不批准的理由", kind: "textarea" }],
              then((v) => gql(DECIDE, { id: r.id, approve: false, note: v.note }), `已退回${r.item.numberText} ${r.item.title}的延期申请。`), "已退回申请。"),
          ]))),
      h("h2", {}, `待销号（${reported.length}）`),
      reported.length === 0 ? h("p", { class: "empty" }, "没有报办结待销号的事项。") : h("ul", { class: "desk", id: "pending-completions" }, reported.map((i) =>
        entry({ "data-item": i.id },
          [itemLink(i), h("span", { class: "muted" }, `（牵头：${i.leadDepartments.map((d) => d.name).join("、")}）`),
            h("div", { class: "desk-facts completion" }, completionNote(i) || "（未写办结情况）")],
          [
            action(`confirm-${i.id}`, "销号", `销号：${i.title}`, [{ name: "note", label: "意见（可不填）", kind: "textarea", optional: true }],
              then((v) => gql(CONFIRM, { id: i.id, note: v.note }), `已销号：${i.numberText} ${i.title}。`), "已销号。"),
            action(`return-${i.id}`, "退办", `退办：${i.title}`, [{ name: "reason", label: "退办理由", kind: "textarea" }],
              then((v) => gql(RETURN, { id: i.id, reason: v.reason }), `已退回牵头部门：${i.numberText} ${i.title}。`), "已退回牵头部门。"),
          ]))));
  }
  await draw();
  // Live: a decision elsewhere (another clerk, a department's report) redraws the panel.
  let pending = null;
  panel.stop = subscribe(CHANGED, state.lists.map((l) => ({ list: l.id })), () => {
    clearTimeout(pending);
    pending = setTimeout(() => draw().catch(() => {}), 300);
  });
  return panel;
}

export async function adminDesk(main, signOut) {
  const text = h("textarea", { id: "import-text", name: "text", rows: 10 });
  const file = h("input", { id: "import-file", name: "file", type: "file", accept: ".txt,.csv,.html,.htm,.docx,.xlsx,.xls" });
  const issuer = h("input", { id: "import-issuer", name: "issuer", type: "text", placeholder: "如：某某市人民政府" });
  const year = h("input", { id: "import-year", name: "year", type: "number", min: 2000, max: 2100, step: 1 });
  const yearEnd = h("input", { id: "import-year-end", name: "yearEndDefault", type: "checkbox" });
  const result = h("div", { id: "import-result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "panel import", id: "import-form", "aria-label": "导入清单" },
    h("h2", {}, "导入清单"),
    h("p", { class: "muted" }, "粘贴清单全文（也可直接粘贴从 Excel 复制的表格）或选择文件，先预览，确认无误后再导入。"),
    h("div", { class: "field column" }, h("label", { for: "import-text" }, "清单文本"), text),
    h("div", { class: "field" }, h("label", { for: "import-file" }, "或选择文件"), file),
    h("div", { class: "field" }, h("label", { for: "import-issuer" }, "发布单位"), issuer),
    h("div", { class: "field" }, h("label", { for: "import-year" }, "年份（完成时限未写年份时）"), year),
    h("div", { class: "field check" }, yearEnd, h("label", { for: "import-year-end" }, "按年底推定到期日（未写完成时限的事项，以清单所属年度的年底为到期日）")),
    h("button", { type: "submit", id: "preview" }, "预览"),
  );
  // What the clerk corrected in the preview (title, year, issuer, which column is which): kept
  // until the list or the file changes.
  let corrections = {};
  const forget = () => { corrections = {}; };
  text.addEventListener("input", forget);
  file.addEventListener("change", forget);
  const input = async (dryRun) => {
    const value = { dryRun };
    if (file.files.length) value.file = { name: file.files[0].name, base64: await base64Of(file.files[0]) };
    else value.text = text.value;
    if (issuer.value.trim()) value.issuer = issuer.value.trim();
    if (year.value) value.year = Number(year.value);
    if (yearEnd.checked) value.yearEndDefault = true;
    return { ...value, ...corrections };
  };
  const run = async (dryRun) => {
    result.replaceChildren(h("p", { class: "loading" }, dryRun ? "正在预览…" : "正在导入…"));
    try {
      const report = (await gql(IMPORT, { input: await input(dryRun) })).importList;
      // A new list is in the selectors at once, without a reload, and its new departments in
      // the directory.
      if (!dryRun) {
        state.lists = (await gql(START)).lists;
        forgetDepartments();
      }
      result.replaceChildren(...importReport(report, (changes) => {
        Object.assign(corrections, changes);
        return run(false);
      }, (changes) => {
        Object.assign(corrections, changes);
        return run(true);
      }));
    } catch (error) {
      result.replaceChildren(errorBox(error));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(true);
  });
  const pending = await pendingPanel();
  main.replaceChildren(h("div", { class: "heading" }, h("h1", {}, "督查室工作台"), signOut), pending, ledgerPanel(), await listsPanel(), form, result);
  return pending.stop;
}

const LAYOUT_WORDS = {
  NEWSPAPER: "标题下分列事项内容、完成时限、牵头部门",
  TABLE: "表格（逐格复制）",
  CATEGORIZED: "分类标题下的编号事项",
  RUNON: "连排文字",
  COLUMNS: "带表头的表格，按各栏读取",
};

/**
 * The list as it will be stored: its title, year and issuer (editable), and for a table which
 * column became which field (changeable, then previewed again).
 */
function listInfo(report, again) {
  const field = (id, label, attrs) => {
    const el = h("input", { id, ...attrs });
    return [el, h("span", { class: "field" }, h("label", { for: id }, label), el)];
  };
  const [title, titleField] = field("preview-title", "清单标题", { value: report.title ?? "", maxlength: 200, required: true });
  const [year, yearField] = field("preview-year", "年份", { type: "number", min: 2000, max: 2100, step: 1, value: report.year ?? "" });
  const [issuer, issuerField] = field("preview-issuer", "发布单位", { value: report.issuer ?? "", maxlength: 100 });
  const corrections = () => {
    const out = {};
    if (title.value.trim() && title.value.trim() !== report.title) out.title = title.value.trim();
    if (year.value && Number(year.value) !== report.year) out.year = Number(year.value);
    if (issuer.value.trim() && issuer.value.trim() !== report.issuer) out.issuer = issuer.value.trim();
    return out;
  };
  const section = h("section", { class: "panel", id: "import-list-info" }, h("h3", {}, "清单信息"),
    h("p", { class: "muted" }, `读法：${LAYOUT_WORDS[report.layout] ?? report.layout}。标题、年份和发布单位可在此更正，确认导入时采用。`),
    titleField, yearField, issuerField);
  if (report.columns.length) {
    const selects = report.columns.map((c, i) => {
      const select = h("select", { id: `column-${i}`, "data-header": c.header, "aria-label": `「${c.header || "（空）"}」一栏读作` },
        h("option", { value: "" }, "不读取"),
        COLUMN_FIELDS.map(([value, words]) => h("option", { value, selected: c.field === value }, words)));
      return [c.header, select];
    });
    const unused = report.columns.filter((c) => !c.field && c.header).map((c) => `「${c.header}」`);
    const remap = h("button", { type: "button", id: "remap-columns" }, "按所选各栏重新预览");
    remap.addEventListener("click", () => again({
      ...corrections(),
      columns: columnsInput(selects.map(([header, select]) => [header, select.value])),
    }));
    section.append(h("h4", {}, "表格各栏"),
      h("div", { class: "scroll" }, h("table", { id: "import-columns" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "表头"), h("th", { scope: "col" }, "读作"))),
        h("tbody", {}, selects.map(([header, select]) => h("tr", {}, h("td", {}, header || "（空）"), h("td", {}, select)))))),
      h("p", { id: "import-unused-columns", class: unused.length ? "" : "muted" }, unused.length ? `未读取的栏：${unused.join("、")}` : "每一栏都已读取。"),
      remap);
  }
  return [section, corrections];
}

export function importReport(report, confirm, again = () => {}) {
  const out = [];
  const summary = `${report.dryRun ? "预览" : "已导入"}：${OUTCOME[report.outcome]}，共 ${report.itemCount} 项` +
    (report.dryRun ? "" : `；新增 ${report.itemsAdded.length} 项，修改 ${report.itemsChanged.length} 项，撤下 ${report.itemsRemoved.length} 项`);
  out.push(h("p", { class: report.dryRun ? "summary" : "summary done", id: "import-summary" }, summary));
  if (!report.dryRun && report.listId) out.push(h("p", {}, h("a", { href: link("/", { list: report.listId }) }, "在总览中查看这份清单")));
  let corrections = () => ({});
  if (report.dryRun) {
    const [section, read] = listInfo(report, again);
    corrections = read;
    out.push(section);
  }
  if (report.warnings.length)
    out.push(h("section", { class: "panel warnings" }, h("h3", {}, `需要核对的地方（${report.warnings.length}）`),
      h("ul", { id: "import-warnings" }, report.warnings.map((w) => h("li", {}, h("strong", {}, `第 ${w.line} 行：`), w.message)))));
  if (report.unattached?.length)
    out.push(h("section", { class: "panel" }, h("h3", {}, "不属于任何事项的文字（不导入）"),
      h("ul", { id: "import-unattached" }, report.unattached.map((u) => h("li", {},
        h("strong", {}, u.line === u.lastLine ? `第 ${u.line} 行：` : `第 ${u.line}–${u.lastLine} 行：`),
        u.text.length > 300 ? `${u.text.slice(0, 300)}…` : u.text)))));
  if (report.departmentSuggestions.length)
    out.push(h("section", { class: "panel" }, h("h3", {}, "可能是同一部门"),
      h("p", { class: "muted" }, "确是同一部门的，点“合并”（已有的部门并入后者，事项随之归并）或“设为别名”（以后的清单中这种写法即指后者）；每项操作需再点一次确认。不是的可不理会。"),
      h("ul", { id: "import-suggestions" }, report.departmentSuggestions.map((d) => suggestion(d)))));
  if (report.departmentsCreated.length)
    out.push(h("p", {}, `${report.dryRun ? "将新建" : "新建了"}部门：${report.departmentsCreated.join("、")}`));
  if (report.dryRun) {
    // Columns shown only when some item has them: what will be stored beside the item.
    const extra = [
      ["类别", (i) => i.category],
      ["责任人", (i) => i.responsiblePeople?.join("、")],
      ["进展（存为首次进展）", (i) => i.progress],
    ].filter(([, get]) => report.items.some((i) => get(i)));
    out.push(h("div", { class: "scroll" }, h("table", { id: "import-items" },
      h("thead", {}, h("tr", {}, [...["行", "序号", "事项", "完成时限", "读出的日期", "牵头部门", "配合部门"], ...extra.map(([t]) => t)].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, report.items.map((i) => h("tr", {},
        h("td", {}, i.line), h("td", {}, i.numberText), h("td", {}, i.title),
        h("td", {}, i.deadlineText || "—"),
        h("td", { class: i.deadlineProblem ? "yellow" : "" }, [i.dueDates.map(day).join("，") || (i.ongoing ? "长期" : "—"), i.deadlineProblem ? h("div", { class: "muted" }, i.deadlineProblem) : null]),
        h("td", {}, i.leadDepartments.join("、") || "—"),
        h("td", {}, i.cooperatingDepartments.join("、") || "—"),
        extra.map(([, get]) => h("td", {}, get(i) || "—"))))))));
    if (report.outcome !== "UNCHANGED" && report.itemCount > 0)
      out.push(h("button", { type: "button", id: "confirm-import", class: "primary", onclick: () => confirm(corrections()) }, "确认导入"));
  }
  return out;
}

/** 台账: a list and a day (截至), and the two downloads. */
function ledgerPanel() {
  if (state.lists.length === 0) return null;
  const list = h("select", { id: "ledger-list", name: "list" }, state.lists.map((l) => h("option", { value: l.id }, l.title)));
  const asof = h("input", { id: "ledger-asof", name: "asof", type: "date", value: state.calendar.today, required: true });
  const buttons = h("span", {});
  const draw = () => buttons.replaceChildren(ledgerButtons(list.value, asof.value || state.calendar.today));
  list.addEventListener("change", draw);
  asof.addEventListener("change", draw);
  draw();
  return h("section", { class: "panel", id: "ledger" }, h("h2", {}, "台账"),
    h("p", { class: "muted" }, "每个事项一行，含完成时限、牵头和配合部门、最新进展、延期记录和提醒签收；第二页为各牵头部门的考评。按 A3 横向排版，可直接打印。"),
    h("span", { class: "field" }, h("label", { for: list.id }, "清单"), list),
    h("span", { class: "field" }, h("label", { for: asof.id }, "截至"), asof),
    buttons);
}

const LISTS = "Lists";
const UPDATE_LIST = "UpdateList";
const ARCHIVE_LIST = "ArchiveList";
const UNARCHIVE_LIST = "UnarchiveList";

/**
 * 清单: every list, in use or archived (归档), with 修改 (title, issuer, year, batch) and 归档 /
 * 恢复. An archived list leaves the selectors and gets no reminders; its records stay.
 */
async function listsPanel() {
  const panel = h("section", { class: "panel", id: "lists" });
  const note = h("p", { class: "result", role: "status", "aria-live": "polite" });
  const changed = async (words) => {
    // The selectors read the lists once per load: read them again.
    state.lists = (await gql(START)).lists;
    await draw();
    note.className = "result done";
    note.textContent = words;
  };
  const failed = (error) => {
    note.className = "result error";
    note.textContent = error instanceof GraphError ? error.message : "操作失败，请重试。";
  };
  const editForm = (l, cell) => {
    const id = `list-${l.id}`;
    const input = (name, label, attrs) => {
      const el = h("input", { id: `${id}-${name}`, name, ...attrs });
      return [el, h("span", { class: "field" }, h("label", { for: el.id }, label), el)];
    };
    const [title, titleField] = input("title", "清单标题", { value: l.title, required: true, maxlength: 200 });
    const [issuer, issuerField] = input("issuer", "发布单位", { value: l.issuer ?? "", maxlength: 100 });
    const [year, yearField] = input("year", "年份", { type: "number", min: 1990, max: 2100, step: 1, value: l.year ?? "" });
    const [batch, batchField] = input("batch", "批次", { value: l.batchLabel ?? "", maxlength: 50, placeholder: "如：第一批" });
    const f = h("form", { class: "report edit-list", id, "aria-label": `修改清单${l.title}` }, titleField, issuerField, yearField, batchField,
      h("button", { type: "submit", class: "primary" }, "保存"));
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await gql(UPDATE_LIST, { id: l.id, input: {
          title: title.value.trim(),
          issuer: issuer.value.trim() || null,
          year: year.value ? Number(year.value) : null,
          batchLabel: batch.value.trim() || null,
        } });
        await changed(`已保存：${title.value.trim()}`);
      } catch (error) {
        failed(error);
      }
    });
    cell.replaceChildren(f);
    title.focus();
  };
  async function draw() {
    const { lists } = await gql(LISTS);
    const rows = lists.map((l) => {
      const actions = h("td", { class: "actions" });
      const edit = h("button", { type: "button", class: "edit-list" }, "修改");
      edit.addEventListener("click", () => editForm(l, actions));
      const toggle = h("button", { type: "button", class: l.archivedAt ? "unarchive-list" : "archive-list" }, l.archivedAt ? "恢复" : "归档");
      toggle.addEventListener("click", async () => {
        if (!l.archivedAt && !confirmed(toggle, "确认归档（停止提醒）")) return;
        try {
          await gql(l.archivedAt ? UNARCHIVE_LIST : ARCHIVE_LIST, { id: l.id });
          await changed(l.archivedAt ? `已恢复：${l.title}` : `已归档：${l.title}。不再提醒，记录保留，可随时恢复。`);
        } catch (error) {
          failed(error);
        }
      });
      actions.append(edit, " ", toggle);
      return h("tr", { "data-list": l.id, class: l.archivedAt ? "disabled" : "" },
        h("td", {}, l.title), h("td", {}, l.issuer ?? "—"), h("td", {}, l.year ?? "—"), h("td", {}, l.batchLabel ?? "—"),
        h("td", { class: "status" }, l.archivedAt ? "已归档" : "使用中"), actions);
    });
    panel.replaceChildren(h("h2", {}, "清单"), note,
      lists.length === 0 ? h("p", { class: "empty" }, "尚未导入清单。")
        : h("div", { class: "scroll" }, h("table", { class: "lists" },
            h("thead", {}, h("tr", {}, ["清单标题", "发布单位", "年份", "批次", "状态", "操作"].map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", {}, rows))));
  }
  await draw();
  return panel;
}

const MERGE_DEPARTMENTS = "MergeDepartments";

/** The department named exactly `name`, if there is one. */
async function departmentNamed(name) {
  const { departments } = await gql(DEPARTMENTS, { search: name, after: null });
  return departments.nodes.find((d) => d.name === name) ?? null;
}

/**
 * One "可能是同一部门" pair, with what accepts it: 合并 when the other spelling is already a
 * department (its items move over), 设为别名 in any case (the spelling then means the department
 * in later lists). Each asks once more before it acts.
 */
function suggestion(d) {
  const status = h("span", { class: "result", role: "status" });
  const button = (label, cls, confirmLabel, run) => {
    const b = h("button", { type: "button", class: cls }, label);
    b.addEventListener("click", async () => {
      if (!confirmed(b, confirmLabel)) return;
      status.className = "result";
      try {
        status.textContent = await run();
        status.classList.add("done");
        li.querySelectorAll("button").forEach((x) => x.remove());
      } catch (error) {
        status.textContent = error instanceof GraphError ? error.message : "操作失败，请重试。";
        status.classList.add("error");
      }
    });
    return b;
  };
  const target = async () => {
    const into = await departmentNamed(d.probably);
    if (!into) throw new GraphError(`没有名为「${d.probably}」的部门`);
    return into;
  };
  const li = h("li", { "data-suggestion": d.name }, `「${d.name}」可能是「${d.probably}」（${d.reason}） `,
    button("合并", "merge", `确认将「${d.name}」并入「${d.probably}」`, async () => {
      const into = await target();
      const from = await departmentNamed(d.name);
      if (!from) throw new GraphError(`「${d.name}」还不是一个部门（导入后才建立），可先设为别名`);
      await gql(MERGE_DEPARTMENTS, { from: from.id, into: into.id });
      forgetDepartments();
      return `已合并：「${d.name}」的事项归入「${d.probably}」。`;
    }),
    " ",
    button("设为别名", "alias", `确认「${d.name}」即「${d.probably}」`, async () => {
      const into = await target();
      await gql(ADD_DEPARTMENT_ALIAS, { id: into.id, alias: d.name });
      return `已设为别名：此后清单中的「${d.name}」即「${d.probably}」，重新预览可见。`;
    }),
    " ",
    status);
  return li;
}
