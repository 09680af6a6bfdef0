//! migration's integration tests: one binary, a module per area (each linked once, not once per file).

mod cli;
