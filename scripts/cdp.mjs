// A small DevTools-protocol client for the browser checks: attaches to the first page of a
// headless Chromium started with --remote-debugging-port, and records every request and
// WebSocket the page opens. Node 20+ (run with --experimental-websocket).
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function pageTarget(devtoolsPort) {
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

// A second tab: a page of its own, attached like the first.
export async function openPage(devtoolsPort) {
  const response = await fetch(`http://127.0.0.1:${devtoolsPort}/json/new?about:blank`, { method: 'PUT' });
  const target = await response.json();
  const page = await attach(devtoolsPort, target.webSocketDebuggerUrl);
  // Closing the tab too: a hidden tab left open can keep the first one from drawing frames, and
  // a screenshot then waits for one.
  const detach = page.close;
  page.close = () => {
    detach();
    fetch(`http://127.0.0.1:${devtoolsPort}/json/close/${target.id}`).catch(() => {});
  };
  return page;
}

export async function attach(devtoolsPort, targetUrl) {
  const ws = new WebSocket(targetUrl ?? await pageTarget(devtoolsPort));
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let nextId = 0;
  const pending = new Map();
  const requests = [];
  const sockets = [];
  const console = [];
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.id !== undefined && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    } else if (msg.method === 'Network.requestWillBeSent') {
      requests.push(msg.params.request.url);
    } else if (msg.method === 'Network.webSocketCreated') {
      sockets.push(msg.params.url);
    } else if (msg.method === 'Runtime.consoleAPICalled' || msg.method === 'Log.entryAdded') {
      const entry = msg.params.entry ?? msg.params;
      console.push(entry.text ?? (entry.args ?? []).map((a) => a.value).join(' '));
    }
  };
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, (msg) => (msg.error ? reject(new Error(`${method}: ${msg.error.message}`)) : resolve(msg.result)));
    ws.send(JSON.stringify({ id, method, params }));
  });
  const evaluate = async (expression) => {
    const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (exceptionDetails) throw new Error(`page script failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
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
  const navigate = async (url) => {
    await send('Page.navigate', { url });
  };
  // A real mouse click at the centre of the element `selector` finds.
  const click = async (selector) => {
    const box = await waitFor(`${selector} to be shown`, `(() => { const el = document.querySelector(${JSON.stringify(selector)}); if (!el) return null; el.scrollIntoView({ block: 'center', inline: 'center' }); const r = el.getBoundingClientRect(); return r.width ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null; })()`);
    for (const type of ['mousePressed', 'mouseReleased']) {
      await send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
    }
  };
  // Keys pressed one by one, with keydown and keyup, as a person types.
  const type = async (text) => {
    for (const ch of text) {
      await send('Input.dispatchKeyEvent', { type: 'keyDown', key: ch, text: ch });
      await send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch });
    }
  };
  // A named key (Tab, Enter, Space, Escape), down and up, as the keyboard sends it; `shift` for
  // Shift+Tab.
  const KEYS = { Tab: [9, 'Tab'], Enter: [13, 'Enter', '\r'], Space: [32, 'Space', ' '], Escape: [27, 'Escape'], Backspace: [8, 'Backspace'], ArrowLeft: [37, 'ArrowLeft'], ArrowUp: [38, 'ArrowUp'] };
  const press = async (name, { shift = false } = {}) => {
    const [code, keyCode, text] = KEYS[name];
    const key = name === 'Space' ? ' ' : name;
    const modifiers = shift ? 8 : 0;
    await send('Input.dispatchKeyEvent', { type: 'keyDown', key, code: keyCode, windowsVirtualKeyCode: code, text, modifiers });
    await send('Input.dispatchKeyEvent', { type: 'keyUp', key, code: keyCode, windowsVirtualKeyCode: code, modifiers });
  };
  // Tab until `expression` holds for the focused element, at most `max` times; whether it did.
  const tabTo = async (expression, max = 400) => {
    for (let i = 0; i < max; i++) {
      if (await evaluate(expression)) return true;
      await press('Tab');
    }
    return Boolean(await evaluate(expression));
  };
  await send('Network.enable');
  await send('Page.enable');
  await send('Runtime.enable');
  await send('Log.enable');
  return { send, evaluate, waitFor, navigate, click, type, press, tabTo, requests, sockets, console, close: () => ws.close() };
}

export function checker() {
  let failed = false;
  const check = (ok, message) => { globalThis.console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`); if (!ok) failed = true; };
  return { check, failed: () => failed };
}

// A GraphQL client of the api at `origin`, outside the browser: what the check compares the
// page with. Errors from the graph throw.
export function graphqlAt(origin) {
  return async (query, variables, token) => {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${origin}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = await response.json();
    if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
}

export { sleep };
