//! What a password costs: Argon2id at the parameters `domain::account::hasher` uses, hashed
//! (setting a password) and verified (a sign-in), against a baseline measured in the same run
//! on the same core: SHA-256 over 1 MiB. Prints the median of each and their ratio, and what
//! that means for sign-ins a second per core.
//!
//! cargo run --release -p bench --bin password

use std::time::{Duration, Instant};

use domain::account::{Password, verify_password};

const ROUNDS: usize = 25;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..ROUNDS)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let megabyte = "x".repeat(1 << 20);
    let password = Password::parse("a-password-of-some-length").expect("valid");
    let stored = password.hash().expect("hash");
    let baseline = time(|| {
        std::hint::black_box(domain::store::sha256_hex(std::hint::black_box(&megabyte)));
    });
    let hash = time(|| {
        std::hint::black_box(password.hash().expect("hash"));
    });
    let verify = time(|| {
        assert!(verify_password("a-password-of-some-length", Some(&stored)));
    });
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("parameters: {}", stored.split('$').nth(3).unwrap_or("?"));
    println!("baseline  SHA-256 of 1 MiB  {:>8.2} ms", ms(baseline));
    println!(
        "hash      Argon2id           {:>8.2} ms  ({:.1}x baseline)",
        ms(hash),
        hash.as_secs_f64() / baseline.as_secs_f64()
    );
    println!(
        "verify    Argon2id           {:>8.2} ms  ({:.1}x baseline)  ~{:.0} sign-ins/s per core",
        ms(verify),
        verify.as_secs_f64() / baseline.as_secs_f64(),
        1.0 / verify.as_secs_f64()
    );
}
