// The standard introspection query, as graphql-js builds it for GraphiQL, graphql-codegen, Apollo
// tooling and the rest, sent over HTTP to a running api; the schema it answers is rebuilt with
// buildClientSchema and compared with the committed SDL.
// Usage: node introspection.mjs API_URL SDL_FILE [--expect-refused]
import { readFileSync } from 'node:fs';
import {
  buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema,
} from 'graphql';

const [url, sdlFile, flag] = process.argv.slice(2);
const query = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});
const response = await fetch(url, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  },
  body: JSON.stringify({ query, operationName: 'IntrospectionQuery' }),
});
const body = await response.json();
if (flag === '--expect-refused') {
  const refused = !body.data?.__schema && body.errors?.length > 0;
  console.log(refused ? `refused: ${body.errors[0].message}` : 'FAIL: introspection was answered');
  process.exit(refused ? 0 : 1);
}
if (response.status !== 200 || body.errors) {
  console.log(`FAIL: ${response.status} ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  process.exit(1);
}
const served = printSchema(lexicographicSortSchema(buildClientSchema(body.data)));
const committed = printSchema(lexicographicSortSchema(buildSchema(readFileSync(sdlFile, 'utf8'))));
if (served !== committed) {
  const a = served.split('\n');
  const b = committed.split('\n');
  const at = a.findIndex((line, i) => line !== b[i]);
  console.log(`FAIL: the introspected schema differs from ${sdlFile} at line ${at + 1}:`);
  console.log(`  served:    ${JSON.stringify(a.slice(at, at + 3))}`);
  console.log(`  committed: ${JSON.stringify(b.slice(at, at + 3))}`);
  process.exit(1);
}
const types = Object.keys(buildClientSchema(body.data).getTypeMap()).length;
console.log(`ok: ${types} types, the same schema as ${sdlFile}`);
