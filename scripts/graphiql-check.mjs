// Drives a real headless Chromium over the DevTools protocol against a running api: the GraphiQL
// page renders, its docs explorer lists Query's fields, the editor autocompletes a field, a query
// typed into it returns data, a subscription run from it hears a change over /graphql/ws, and no
// request leaves the api's own host.
// Usage: node --experimental-websocket graphiql-check.mjs DEVTOOLS_PORT API_URL ADMIN_TOKEN
import { attach, checker, graphqlAt, sleep } from './cdp.mjs';

const [devtoolsPort, apiUrl, adminToken] = process.argv.slice(2);
const api = new URL(apiUrl);
const { check, failed } = checker();
const page = await attach(devtoolsPort);

const graphql = graphqlAt(api.origin);
const editor = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror";
const responsePane = "(() => { const el = document.querySelector('.graphiql-response .CodeMirror'); return el ? el.CodeMirror.getValue() : ''; })()";
const setQuery = async (text) => {
  await page.evaluate(`(() => { const cm = ${editor}; cm.setValue(''); cm.focus(); return true; })()`);
  await page.send('Input.insertText', { text });
};

try {
  await page.navigate(`${api.origin}/graphql`);
  await page.waitFor('the GraphiQL editor', "!!document.querySelector('.graphiql-query-editor .CodeMirror')");
  check(true, 'the page renders the GraphiQL editor');

  // The schema arrives by introspection: the docs explorer lists the root type's fields.
  await page.click('[aria-label="Show Documentation Explorer"]');
  await page.waitFor('the docs explorer', "!!document.querySelector('.graphiql-doc-explorer')");
  const rootLink = await page.waitFor('the Query root type link',
    "[...document.querySelectorAll('.graphiql-doc-explorer a, .graphiql-doc-explorer-type-name')].some((a) => a.textContent.trim() === 'Query')");
  check(rootLink, 'the docs explorer shows the Query root type');
  await page.evaluate("(() => { const a = [...document.querySelectorAll('.graphiql-doc-explorer a, .graphiql-doc-explorer-type-name')].find((a) => a.textContent.trim() === 'Query'); a.click(); return true; })()");
  const fields = await page.waitFor("Query's fields in the docs explorer",
    "(() => { const names = [...document.querySelectorAll('.graphiql-doc-explorer .graphiql-doc-explorer-field-name')].map((e) => e.textContent.trim()); return names.includes('items') && names.includes('lists') ? names : null; })()");
  check(fields.length > 5, `the docs explorer lists Query's fields: ${fields.slice(0, 6).join(', ')}, …`);

  // Autocomplete: typing the start of a field offers the schema's fields.
  await page.evaluate(`(() => { const cm = ${editor}; cm.setValue('{\\n  \\n}'); cm.focus(); cm.setCursor({ line: 1, ch: 2 }); return true; })()`);
  await page.type('ite');
  const hints = await page.waitFor('autocomplete hints',
    "(() => { const h = [...document.querySelectorAll('.CodeMirror-hints .CodeMirror-hint')].map((e) => e.textContent.trim()); return h.length ? h : null; })()");
  check(hints.includes('items') && hints.includes('item'), `typing "ite" offers ${hints.join(', ')}`);
  await page.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27 });

  // A query typed into the editor and run with a real click returns data.
  const QUERY = '{ lists { id title } }';
  await setQuery(QUERY);
  const typed = await page.evaluate(`${editor}.getValue()`);
  check(typed === QUERY, `the editor holds the typed query (${JSON.stringify(typed)})`);
  await page.click('.graphiql-execute-button');
  const response = await page.waitFor('the response pane to show data', `(() => { const v = ${responsePane}; return v.includes('"lists"') ? v : ''; })()`);
  const body = JSON.parse(response);
  check(Array.isArray(body.data?.lists) && body.data.lists.length > 0, `the query returned data: ${JSON.stringify(body.data?.lists?.[0] ?? body)}`);
  const listId = body.data.lists[0].id;

  // A subscription run from the page hears a change made elsewhere.
  await setQuery(`subscription { itemChanged(listId: "${listId}") { kind item { title } } }`);
  // GraphiQL re-parses the editor after a pause in typing; run once it knows a subscription.
  await sleep(1000);
  await page.click('.graphiql-execute-button');
  const item = (await graphql('{ items(first: 1) { edges { node { id title } } } }')).items.edges[0].node;
  let event = '';
  for (let i = 0; i < 50 && !event; i++) {
    await graphql('mutation($id: ID!) { reportProgress(itemId: $id, note: "浏览器订阅检查", percent: 10) { item { id } } }', { id: item.id }, adminToken);
    await sleep(200);
    const value = await page.evaluate(responsePane);
    if (value.includes('"PROGRESS"')) event = value;
  }
  check(event !== '', `the subscription heard the change: ${(event || await page.evaluate(responsePane)).replace(/\s+/g, ' ').slice(0, 160)}`);
  check(page.sockets.some((u) => new URL(u).pathname === '/graphql/ws'), `it ran over ${page.sockets.join(', ') || 'no WebSocket'}`);

  const foreign = [...page.requests, ...page.sockets].filter((u) => {
    try { const h = new URL(u); return !['data:', 'blob:', 'about:'].includes(h.protocol) && h.host !== api.host; } catch { return true; }
  });
  check(page.requests.length > 0, `${page.requests.length} requests and ${page.sockets.length} sockets recorded`);
  check(foreign.length === 0, foreign.length === 0 ? 'no request went to another host' : `requests to other hosts: ${foreign.join(', ')}`);
} catch (e) {
  check(false, e.message);
} finally {
  page.close();
}
process.exit(failed() ? 1 : 0);
