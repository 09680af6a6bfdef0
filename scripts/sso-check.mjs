// Single sign-on in Chromium: the 登录 page offers 统一身份认证登录; a known person clicks it,
// passes the provider and lands on the desk, signed in, with her name and role in the header;
// a person the office has no account for comes back to the 登录 page, told so in Chinese.
// Screenshots in OUT_DIR: sso-sign-in.png (1366 px), sso-sign-in-phone.png (390 px),
// sso-desk.png, sso-no-account.png.
// Usage: node --experimental-websocket sso-check.mjs DEVTOOLS_PORT API_URL PROVIDER_URL OUT_DIR
import { writeFileSync } from 'node:fs';
import { attach, checker } from './cdp.mjs';

const [devtoolsPort, apiUrl, providerUrl, outDir] = process.argv.slice(2);
const { check, failed } = checker();
const page = await attach(devtoolsPort);
const screenshot = async (name) => {
  const { data } = await page.send('Page.captureScreenshot', { format: 'png' });
  writeFileSync(`${outDir}/${name}`, Buffer.from(data, 'base64'));
  console.log(`     saved ${outDir}/${name}`);
};
const viewport = (width, height, mobile) => page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile });
const nextLogin = (sub) => fetch(`${providerUrl}/test/next`, { method: 'POST', body: JSON.stringify({ sub }) });
const text = (selector) => page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`);

try {
  await viewport(390, 844, true);
  await page.navigate(`${apiUrl}/#/sign-in`);
  await page.waitFor('the 登录 page', "document.body?.dataset.ready === '/sign-in'");
  const button = await text('#sso-start');
  check(button === '统一身份认证登录', `the 登录 page offers single sign-on: ${button}`);
  const fits = await page.evaluate('document.documentElement.scrollWidth <= 390');
  check(fits, 'the 登录 page fits 390 px');
  await screenshot('sso-sign-in-phone.png');
  await viewport(1366, 768, false);
  await screenshot('sso-sign-in.png');

  await nextLogin('u-li');
  await page.click('#sso-start');
  await page.waitFor('the desk after single sign-on', "location.hash === '#/desk' && document.body?.dataset.ready === '/desk'");
  await page.waitFor('the header to name her', "document.querySelector('#who .name')?.textContent === '李四（督查员）'");
  check(true, 'after the provider, the clerk is on her desk, and the header says 李四（督查员）');
  await screenshot('sso-desk.png');

  await page.click('#who-sign-out');
  await page.waitFor('signed out', "!!document.querySelector('#who-sign-in')");
  // Another person at this browser: the provider's own session (李四's) is forgotten first, as
  // signing out at the provider would.
  await page.send('Network.clearBrowserCookies');
  await nextLogin('u-wang');
  await page.navigate(`${apiUrl}/#/sign-in`);
  await page.waitFor('the 登录 page', "document.body?.dataset.ready === '/sign-in'");
  await page.click('#sso-start');
  await page.waitFor('the 登录 page again', "location.hash === '#/sign-in?sso=no-account' && document.body?.dataset.ready === '/sign-in'");
  const said = await text('.signin .result');
  check(said.includes('没有您的账号'), `a person without an account is told so: ${said}`);
  check(!(await page.evaluate("!!document.querySelector('#who .name')")), 'and is not signed in');
  await screenshot('sso-no-account.png');
} catch (error) {
  check(false, error.message);
} finally {
  page.close();
}
if (failed()) process.exit(1);
console.log('sso-check: passed');
