// The pages' GraphQL documents (api/assets/web/documents.json), checked with graphql-js against the
// committed SDL as a front end's build would: each parses, holds one operation named as its key,
// and validates against the schema.
// Usage: node documents.mjs DOCUMENTS_JSON SDL_FILE
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';

const [documentsFile, sdlFile] = process.argv.slice(2);
const documents = JSON.parse(readFileSync(documentsFile, 'utf8'));
const schema = buildSchema(readFileSync(sdlFile, 'utf8'));
let failures = 0;
for (const [name, text] of Object.entries(documents)) {
  let problems;
  try {
    const document = parse(text);
    const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
    problems = validate(schema, document).map((e) => e.message);
    if (operations.length !== 1 || operations[0].name?.value !== name) {
      problems.push(`holds ${operations.length} operation(s), not one named ${name}`);
    }
  } catch (error) {
    problems = [String(error.message ?? error)];
  }
  if (problems.length) {
    failures++;
    console.log(`FAIL ${name}: ${problems.join('; ')}`);
  } else {
    console.log(`ok ${name}`);
  }
}
console.log(`${Object.keys(documents).length} documents, ${failures} invalid`);
process.exit(failures ? 1 : 0);
