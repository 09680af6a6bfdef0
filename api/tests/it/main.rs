//! api's integration tests: one binary, a module per area (each linked once, not once per file).

mod accounts;
mod browsers_and_caches;
mod cli_import;
mod clients;
mod connections;
mod database_load;
mod database_url;
mod directory;
mod export;
mod graph;
mod graphql_over_http;
mod http;
mod import_list;
mod item_writes;
mod lists;
mod logs;
mod metrics;
mod roles;
mod schema_sdl;
mod scores;
mod single_sign_on;
mod sockets;
mod supervision;
mod support;
mod untrusted_text;
mod web;
