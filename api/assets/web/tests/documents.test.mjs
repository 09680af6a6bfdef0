// Every GraphQL operation the pages send names a document in documents.json (the only text the
// api trusts from them), and every document there is sent by some page: the two stay one list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const documents = JSON.parse(readFileSync(join(web, 'documents.json'), 'utf8'));
const modules = readdirSync(web).filter((f) => f.endsWith('.js'));
const source = Object.fromEntries(modules.map((f) => [f, readFileSync(join(web, f), 'utf8')]));

// `const BOARD = "Board";`: the operation names, by the constant that holds each.
const names = {};
for (const text of Object.values(source)) {
  for (const [, constant, name] of text.matchAll(/const ([A-Z_]+) = "([A-Z][A-Za-z]*)";/g)) names[constant] = name;
}

test('every operation a page sends is in documents.json', () => {
  const sent = new Set();
  for (const [file, text] of Object.entries(source)) {
    // The first argument: a constant, or a choice between constants (`a ? X : Y`).
    for (const [, argument] of text.matchAll(/\b(?:gql|subscribe)\(\s*([^,)]+)/g)) {
      if (argument.trim() === 'name') continue; // gql's own definition
      const constants = argument.match(/\b[A-Z][A-Z_]+\b/g) ?? [];
      assert.ok(constants.length > 0, `${file}: gql(${argument}) names no operation constant`);
      for (const constant of constants) {
        assert.ok(constant in names, `${file}: ${constant} is not a named operation constant`);
        sent.add(names[constant]);
      }
    }
  }
  for (const name of sent) assert.ok(name in documents, `${name} is sent but not in documents.json`);
  for (const name of Object.keys(documents)) assert.ok(sent.has(name), `${name} is in documents.json but no page sends it`);
});

test('each document is named as its key', () => {
  for (const [name, text] of Object.entries(documents)) {
    assert.match(text, new RegExp(`^(query|mutation|subscription) ${name}\\b`), name);
  }
});
