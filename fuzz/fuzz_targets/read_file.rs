//! `cargo fuzz run read_file` (nightly): arbitrary bytes as every kind of list file
//! (a spreadsheet, a Word document, a page, a CSV, text); reading never panics, and what is
//! read parses.
#![no_main]

use domain::listdoc::{
    ParseOptions,
    file::{Deadline, FileKind, read},
    parse,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for kind in FileKind::ALL {
        let name = match kind {
            FileKind::Text => "list.txt".to_owned(),
            other => format!("list.{other}"),
        };
        if let Ok((_, text)) = read(&name, bytes, Deadline::none()) {
            let _ = parse(&text, &ParseOptions::default());
        }
    }
});
