//! `cargo fuzz run parse_list` (nightly): the list parser on arbitrary UTF-8, in every layout.
#![no_main]

use domain::listdoc::{Layout, ParseOptions, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let lines = text.lines().count().max(1);
    // The guessed layout, then each layout named.
    let layouts = std::iter::once(None).chain(Layout::ALL.into_iter().map(Some));
    for layout in layouts {
        let options = ParseOptions {
            layout,
            year_end_default: true,
            ..Default::default()
        };
        let list = parse(text, &options);
        for item in list.items.iter().chain(&list.orphans) {
            assert!(item.first_line <= item.last_line && item.last_line <= lines);
        }
    }
});
