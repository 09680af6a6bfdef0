//! Prints a generated list of N items (default 10,000) in the seed's shape, for checks that
//! need a large list as a file: `cargo run -p test-support --bin listgen -- 10000 > list.txt`.

fn main() {
    let items = match std::env::args().nth(1).map(|n| n.parse::<usize>()) {
        None => 10_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: listgen [ITEMS]  (a whole number above 0)");
            std::process::exit(2);
        }
    };
    print!("{}", test_support::listgen::list_text(items));
}
