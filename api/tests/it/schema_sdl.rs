//! The committed SDL (`api/schema.graphql`) is what the code serves. After a deliberate schema
//! change, regenerate it with `cargo run -p api -- schema > api/schema.graphql`.

#[test]
fn committed_schema_matches_the_code() {
    let committed = include_str!("../../schema.graphql");
    let current = api::graphql::sdl();
    assert!(
        committed == current,
        "api/schema.graphql is out of date: run `cargo run -p api -- schema > api/schema.graphql`\n--- code ---\n{current}"
    );
}
