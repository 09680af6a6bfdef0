#!/usr/bin/env bash
# Refreshes the bundled GraphiQL page's scripts from the npm registry (development time only;
# the api embeds whatever is committed here and serves it with no request leaving the machine).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent graphiql@3.8.3 react@18.3.1 react-dom@18.3.1 >/dev/null)
for f in "$tmp"/*.tgz; do tar xzf "$f" -C "$tmp" --transform "s|^package|$(basename "$f" .tgz)|"; done
cp "$tmp"/graphiql-3.8.3/graphiql.min.js "$tmp"/graphiql-3.8.3/graphiql.min.css .
cp "$tmp"/graphiql-3.8.3/LICENSE LICENSE.graphiql
cp "$tmp"/react-18.3.1/umd/react.production.min.js "$tmp"/react-dom-18.3.1/umd/react-dom.production.min.js .
cp "$tmp"/react-18.3.1/LICENSE LICENSE.react
