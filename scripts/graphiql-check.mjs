// Drives a real headless Chromium over the DevTools protocol against a running api:
// the GraphiQL page renders, a query typed into its editor returns data, and no request leaves
// the api's own origin. Usage: node --experimental-websocket graphiql-check.mjs DEVTOOLS_PORT API_URL
const [devtoolsPort, apiUrl] = process.argv.slice(2);
const api = new URL(apiUrl);
const QUERY = '{ lists { title } }';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function pageTarget() {
  for (let i = 0; i < 100; i++) {
    try {
      const targets = await (await fetch(`http://127.0.0.1:${devtoolsPort}/json/list`)).json();
      const page = targets.find((t) => t.type === 'page');
      if (page) return page.webSocketDebuggerUrl;
    } catch {}
    await sleep(100);
  }
  throw new Error('chromium did not open its DevTools port');
}

const ws = new WebSocket(await pageTarget());
await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
let nextId = 0;
const pending = new Map();
const requests = [];
ws.onmessage = (event) => {
  const msg = JSON.parse(event.data);
  if (msg.id !== undefined && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  } else if (msg.method === 'Network.requestWillBeSent') {
    requests.push(msg.params.request.url);
  }
};
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = ++nextId;
  pending.set(id, (msg) => (msg.error ? reject(new Error(`${method}: ${msg.error.message}`)) : resolve(msg.result)));
  ws.send(JSON.stringify({ id, method, params }));
});
const evaluate = async (expression) => {
  const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (exceptionDetails) throw new Error(`page script failed: ${exceptionDetails.text}`);
  return result.value;
};
const waitFor = async (what, expression, ms = 20000) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await evaluate(expression);
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
};

let failed = false;
const check = (ok, message) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`); if (!ok) failed = true; };

try {
  await send('Network.enable');
  await send('Page.enable');
  await send('Runtime.enable');
  await send('Page.navigate', { url: `${api.origin}/graphql` });

  await waitFor('the GraphiQL editor', "!!document.querySelector('.graphiql-query-editor .CodeMirror')");
  check(true, 'the page renders the GraphiQL editor');

  // Type the query: clear the editor, focus it, and insert text as a keyboard would.
  await evaluate("(() => { const cm = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror; cm.setValue(''); cm.focus(); return true; })()");
  await send('Input.insertText', { text: QUERY });
  const typed = await evaluate("document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()");
  check(typed === QUERY, `the editor holds the typed query (${JSON.stringify(typed)})`);

  // Press the run button with a real mouse click at its position.
  const box = await evaluate("(() => { const r = document.querySelector('.graphiql-execute-button').getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()");
  for (const type of ['mousePressed', 'mouseReleased']) {
    await send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
  }
  const response = await waitFor('the response pane to show data',
    "(() => { const el = document.querySelector('.graphiql-response .CodeMirror'); const v = el && el.CodeMirror.getValue(); return v && v.includes('\"lists\"') ? v : ''; })()");
  const body = JSON.parse(response);
  check(Array.isArray(body.data?.lists) && body.data.lists.length > 0, `the query returned data: ${JSON.stringify(body.data?.lists?.[0] ?? body)}`);

  const foreign = requests.filter((u) => { try { const h = new URL(u); return !['data:', 'blob:', 'about:'].includes(h.protocol) && h.origin !== api.origin; } catch { return true; } });
  check(requests.length > 0, `${requests.length} requests recorded`);
  check(foreign.length === 0, foreign.length === 0 ? 'no request went to another host' : `requests to other hosts: ${foreign.join(', ')}`);
} catch (e) {
  check(false, e.message);
} finally {
  ws.close();
}
process.exit(failed ? 1 : 0);
