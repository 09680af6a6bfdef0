//! `cargo run --release -p bench --bin parse_memory FILE`: reads a list file and parses it, with
//! the system allocator (no mimalloc), so that a heap profiler (`heaptrack`) sees every
//! allocation of the parse (issue 34, point 5). Prints the item count.

fn main() -> Result<(), String> {
    let path = std::env::args().nth(1).ok_or("usage: parse_memory FILE")?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let (_, text) =
        domain::listdoc::file::read(&path, &bytes, domain::listdoc::file::Deadline::none())
            .map_err(|e| e.to_string())?;
    let parsed = domain::listdoc::parse(&text, &domain::listdoc::ParseOptions::default());
    println!("{} items", parsed.items.len());
    Ok(())
}
