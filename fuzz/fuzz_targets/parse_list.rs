//! `cargo fuzz run parse_list` (nightly): the list parser on arbitrary UTF-8.
#![no_main]

use domain::listdoc::{ParseOptions, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let list = parse(text, &ParseOptions::default());
    let lines = text.lines().count().max(1);
    for item in list.items.iter().chain(&list.orphans) {
        assert!(item.first_line <= item.last_line && item.last_line <= lines);
    }
});
