//! domain's integration tests: one binary, a module per area (each linked once, not once per file).

mod import;
mod listdoc_files;
mod listdoc_fixtures;
mod listdoc_layouts;
mod listdoc_props;
mod listdoc_seed;
mod schema;
