//! `cargo fuzz run deadline` (nightly): the deadline grammar on arbitrary UTF-8.
#![no_main]

use domain::deadline::Deadline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = Deadline::parse(text, Some(2021));
    let _ = Deadline::parse(text, None);
});
