// The pages' pure helpers, under node's own test runner: `node --test api/assets/web/tests/`
// (api/tests/it/web.rs runs it with the other tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COLUMN_FIELDS, columnsInput, day, historyWords, fileNameOf, csv, csvCell, isDay, ledgerPath, link, remaining, stageWords, validationWords, zoneNote } from '../format.js';

test('a calendar day reads as Chinese', () => {
  assert.equal(day('2021-06-30'), '2021年6月30日');
  assert.equal(day('2027-01-05'), '2027年1月5日');
  assert.equal(day(null), '—');
});

test('days remaining read as words', () => {
  assert.equal(remaining(3), '3 天');
  assert.equal(remaining(0), '今天到期');
  assert.equal(remaining(-12), '已逾期 12 天');
  assert.equal(remaining(null), '—');
});

test('a link keeps only the values given', () => {
  assert.equal(link('/items', { list: 'TGlzdDox', q: '', asof: null }), '#/items?list=TGlzdDox');
  assert.equal(link('/', {}), '#/');
  assert.equal(link('/items', { q: '养老 服务' }), '#/items?q=%E5%85%BB%E8%80%81+%E6%9C%8D%E5%8A%A1');
});

test('a download is named by its Content-Disposition', () => {
  const header = "attachment; filename=\"ledger-2021-06-20.xlsx\"; filename*=UTF-8''%E6%B8%85%E5%8D%95%E5%8F%B0%E8%B4%A6%EF%BC%88%E6%88%AA%E8%87%B32021-06-20%EF%BC%89.xlsx";
  assert.equal(fileNameOf(header), '清单台账（截至2021-06-20）.xlsx');
  assert.equal(fileNameOf('attachment; filename="ledger-2021-06-20.csv"'), 'ledger-2021-06-20.csv');
  assert.equal(fileNameOf("attachment; filename=\"a.csv\"; filename*=UTF-8''%E0%A4"), 'a.csv');
  assert.equal(fileNameOf(null), null);
});

test('the 台账 is asked for as of noon of the chosen day', () => {
  assert.equal(ledgerPath('TGlzdDox', '2021-06-20', 'xlsx', '+08:00'), '/export/ledger.xlsx?listId=TGlzdDox&now=2021-06-20T12%3A00%3A00%2B08%3A00');
  assert.equal(ledgerPath('TGlzdDox', null, 'csv', '+08:00'), '/export/ledger.csv?listId=TGlzdDox');
});

test('北京时间 goes without saying; another zone is named', () => {
  assert.equal(zoneNote('Asia/Shanghai'), '');
  assert.equal(zoneNote('Asia/Urumqi'), '（Asia/Urumqi时间）');
});

test('only a real day applies as 截至', () => {
  assert.equal(isDay('2021-06-20'), true);
  assert.equal(isDay('2024-02-29'), true);
  for (const bad of ['2023-02-29', '202106-12-07', '0002-12-07', '2021-13-01', '', null, '2021-6-20']) {
    assert.equal(isDay(bad), false, String(bad));
  }
});

test('reminder stages read as words', () => {
  assert.equal(stageWords('T-7'), '提前7天提醒');
  assert.equal(stageWords('due'), '到期当天提醒');
  assert.equal(stageWords('overdue-3'), '逾期第3次催办');
  assert.equal(stageWords('coop-2021-W05'), '配合事项周报（2021年第5周）');
  assert.equal(stageWords('checkin-2021-06'), '长期事项月度调度（2021年6月）');
});

test('a refusal names the field by its label and drops paths and English', () => {
  const labels = { 'input.text': '清单文本', requestId: '延期申请', dueDateId: '到期日' };
  assert.equal(validationWords('input.text', 'input.text: 清单在第一个标题之前没有标题行', labels), '填写有误「清单文本」：清单在第一个标题之前没有标题行');
  assert.equal(validationWords('input.dueDateId', '不是这个事项的到期日', labels), '填写有误「到期日」：不是这个事项的到期日');
  assert.equal(validationWords('input.mystery', 'must be between 1 and 100', labels), '填写有误，请检查后重试。');
  assert.equal(validationWords(null, '日期无效', labels), '填写有误：日期无效');
});

test('CSV cells are quoted when needed and never run as formulas', () => {
  assert.equal(csvCell('市民政局'), '市民政局');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell(-3), '-3');
  assert.equal(csvCell(null), '');
  assert.equal(csv([['部门', '逾期'], ['市民政局', 2]]), '\uFEFF部门,逾期\r\n市民政局,2\r\n');
});

test("the clerk's column choices become importList's columns, each field once", () => {
  assert.deepEqual(
    columnsInput([["名称", "TITLE"], ["做什么", "CONTENT"], ["单位", "LEAD"], ["资金", ""], ["单位2", "LEAD"]]),
    { title: "名称", content: "做什么", lead: "单位" },
  );
  assert.deepEqual(columnsInput([]), {});
  assert.equal(COLUMN_FIELDS.length, 10);
});

test("an item's 留痕 reads in words, notes and reasons included", () => {
  assert.deepEqual(historyWords({ action: "item.return", payload: { reason: "缺少验收材料" } }), { what: "退办", note: "退办理由：缺少验收材料" });
  assert.deepEqual(historyWords({ action: "item.report_progress", payload: { percent: 60, note: "主体完工" } }), { what: "报送进展（60%）", note: "主体完工" });
  assert.deepEqual(historyWords({ action: "item.decide_deadline_change", payload: { approve: true, to: "2025-09-30", note: "同意" } }), { what: "批准延期至2025年9月30日", note: "意见：同意" });
  assert.equal(historyWords({ action: "item.decide_deadline_change", payload: { approve: false } }).what, "不批准延期");
  assert.equal(historyWords({ action: "item.update", payload: { changed: ["title", "deadline"] } }).note, "修改了：事项名称、完成时限");
  assert.equal(historyWords({ action: "item.something_new", payload: null }).what, "item.something_new");
});
