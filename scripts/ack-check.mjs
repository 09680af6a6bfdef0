// The 签收 page as a person sees it: the link from a reminder email opened in Chromium shows
// "签收成功" with the item, in Chinese; opened again, "已签收" with the same time; a forged link
// shows the 404 page. The acknowledgement is then visible through the graph.
// Usage: node --experimental-websocket ack-check.mjs DEVTOOLS_PORT API_URL ADMIN_TOKEN LINK [SCREENSHOT.png]
import { writeFileSync } from 'node:fs';
import { attach, checker } from './cdp.mjs';

const [devtoolsPort, apiUrl, adminToken, link, screenshot] = process.argv.slice(2);
const { check, failed } = checker();
const browser = await attach(devtoolsPort);

const open = async (url) => {
  await browser.navigate(url);
  await browser.waitFor(`${url} to load`, "document.readyState === 'complete' && !!document.querySelector('h1')");
  return browser.evaluate(`({
    status: performance.getEntriesByType('navigation')[0]?.responseStatus,
    lang: document.documentElement.lang,
    heading: document.querySelector('h1').textContent,
    when: document.querySelector('#when')?.textContent ?? '',
    items: [...document.querySelectorAll('#items li')].map((li) => li.textContent),
    text: document.body.innerText,
  })`);
};

try {
  const first = await open(link);
  check(first.status === 200 && first.heading === '签收成功', `the link shows 签收成功 (status ${first.status}, "${first.heading}")`);
  check(first.lang === 'zh-CN' && /已于\d{4}年\d+月\d+日 \d\d:\d\d签收本提醒/.test(first.when), `in Chinese, with the time: "${first.when}"`);
  check(first.items.some((i) => i.includes('提升社区养老服务能力')), `it names the item: ${JSON.stringify(first.items)}`);
  check(first.text.includes('签收单位:市民政局'), 'and the department');
  if (screenshot) {
    const { data } = await browser.send('Page.captureScreenshot', { format: 'png' });
    writeFileSync(screenshot, Buffer.from(data, 'base64'));
  }

  const again = await open(link);
  const time = first.when.match(/\d{4}年\d+月\d+日 \d\d:\d\d/)?.[0];
  check(again.status === 200 && again.heading === '该提醒已签收' && again.when.includes(time),
    `opened again: "${again.heading}", ${again.when}`);

  const forged = link.slice(0, -1) + (link.endsWith('A') ? 'B' : 'A');
  const refused = await open(forged);
  check(refused.status === 404 && refused.heading === '链接无效' && !refused.text.includes('提升社区养老服务能力'),
    `a forged link gets the 404 page that says nothing: ${refused.status} "${refused.heading}"`);

  const answer = await (await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query: '{ reminderDeliveries(filter: { acknowledged: true }) { edges { node { contactEmail acknowledgedAt } } } }' }),
  })).json();
  const rows = answer.data?.reminderDeliveries?.edges ?? [];
  check(rows.length === 1 && rows[0].node.contactEmail === 'minzheng@example.gov.cn' && !!rows[0].node.acknowledgedAt,
    `the graph shows the delivery acknowledged: ${JSON.stringify(rows)}`);
} catch (e) {
  check(false, e.message);
} finally {
  browser.close();
}
process.exit(failed() ? 1 : 0);
