// graphql-http's audit of a server against the GraphQL over HTTP specification: every MUST,
// SHOULD and MAY it checks, run against a running api. Fails on any audit that does not pass.
// Usage: node http-audit.mjs API_URL
import { serverAudits } from 'graphql-http';

const [url] = process.argv.slice(2);
let failed = 0;
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const ok = result.status === 'ok';
  if (!ok) failed += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${audit.id} ${audit.name}${ok ? '' : `: ${result.reason}`}`);
}
console.log(failed === 0 ? 'every audit passed' : `${failed} audits failed`);
process.exit(failed === 0 ? 0 : 1);
