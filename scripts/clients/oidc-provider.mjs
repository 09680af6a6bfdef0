// A real OpenID Provider (npm's certified `oidc-provider`) on 127.0.0.1, for the single sign-on
// tests (api/tests/it/single_sign_on.rs) and for trying single sign-on by hand.
//
//   node oidc-provider.mjs [port]
//
// Prints one line of JSON on standard output once it listens:
//   {"issuer": "http://127.0.0.1:PORT", "clientId": "minsheng", "clientSecret": "..."}
//
// People (their `sub` and claims) come from OIDC_PEOPLE, a JSON object
//   {"u-li": {"email": "li@example.gov.cn", "email_verified": true, "name": "李四"}, ...}
//
// Signing in at the provider: `POST /test/next` with `{"sub": "u-li"}` says who the next login
// is; the login and consent screens then complete on their own (the test plays the person who
// clicks through them). Without a chosen person the login page says so and stops, so a test
// that forgot to choose cannot pass by accident.
//
// The client is registered as a native application with a loopback redirect URI, so any port
// of http://127.0.0.1/auth/oidc/callback is allowed (RFC 8252, section 7.3): the api under test
// picks its port after the provider starts.

import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const people = JSON.parse(process.env.OIDC_PEOPLE ?? '{}');
const clientSecret = process.env.OIDC_CLIENT_SECRET ?? crypto.randomBytes(24).toString('hex');
let next = null;

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'minsheng',
      client_secret: clientSecret,
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/auth/oidc/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The claims of the scopes asked for go in the ID token, where the relying party reads them.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    const person = people[sub];
    if (!person) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...person }) };
  },
});
provider.proxy = false;

// The person at the provider: logs in as the chosen `sub` and consents to what was asked.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    if (!next) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('no test person chosen: POST /test/next {"sub": ...} first');
      return;
    }
    const accountId = next;
    next = null;
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/test/next') {
      let body = '';
      for await (const chunk of req) body += chunk;
      next = JSON.parse(body).sub;
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
      await interaction(req, res);
      return;
    }
    callback(req, res);
  } catch (e) {
    console.error(e);
    if (!res.headersSent) res.writeHead(500);
    res.end(String(e));
  }
});

process.stdout.write(`${JSON.stringify({ issuer, clientId: 'minsheng', clientSecret })}\n`);
