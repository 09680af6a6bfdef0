// CORS as a browser enforces it: a page served from an origin in MINSHENG_CORS_ORIGINS calls the
// api's /graphql with a bearer token and gets data; the same page from another port (an origin
// not in the list) is blocked by the browser, and its token never reaches the api.
// Usage: node --experimental-websocket cors-check.mjs DEVTOOLS_PORT API_URL ADMIN_TOKEN ALLOWED_PORT OTHER_PORT
import { createServer } from 'node:http';
import { attach, checker } from './cdp.mjs';

const [devtoolsPort, apiUrl, adminToken, allowedPort, otherPort] = process.argv.slice(2);
const api = new URL(apiUrl);
const { check, failed } = checker();

// The front end: one page that asks an administrator-only field with its token.
const page = `<!doctype html><meta charset="utf-8"><title>front end</title><script>
window.result = fetch(${JSON.stringify(`${api.origin}/graphql`)}, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: 'Bearer ${adminToken}' },
  body: JSON.stringify({ query: '{ auditEvents(first: 1) { edges { node { action } } } lists { title } }' }),
}).then((r) => r.json()).then((body) => ({ ok: true, body }), (e) => ({ ok: false, error: String(e) }));
</script>`;
const servers = [allowedPort, otherPort].map((port) => createServer((_, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page);
}).listen(Number(port), '127.0.0.1'));

const browser = await attach(devtoolsPort);
const resultOn = async (port) => {
  await browser.navigate(`http://127.0.0.1:${port}/`);
  await browser.waitFor('the page', "document.title === 'front end' && !!window.result");
  return browser.evaluate('window.result');
};
try {
  const allowed = await resultOn(allowedPort);
  check(allowed.ok && Array.isArray(allowed.body?.data?.lists),
    `a page from the allowed origin http://127.0.0.1:${allowedPort} got data: ${JSON.stringify(allowed.body?.data?.lists?.[0] ?? allowed)}`);
  check(Array.isArray(allowed.body?.data?.auditEvents?.edges), 'its bearer token reached the api (an administrator-only field answered)');

  const other = await resultOn(otherPort);
  check(!other.ok, `a page from http://127.0.0.1:${otherPort} was blocked by the browser: ${other.error ?? JSON.stringify(other.body)}`);
  const blockedByCors = browser.console.some((line) => /CORS|Access-Control-Allow-Origin/i.test(line));
  check(blockedByCors, `the browser reports a CORS refusal: ${browser.console.find((l) => /CORS/i.test(l)) ?? browser.console.join(' | ')}`);
} catch (e) {
  check(false, e.message);
} finally {
  browser.close();
  servers.forEach((s) => s.close());
}
process.exit(failed() ? 1 : 0);
