//! The contacts' addresses and the mailer agree: `EmailAddress::parse` (which the graph and the
//! directory use) accepts no address that lettre's `Address` (which sends) refuses, so no
//! contact is accepted only to fail at every send. The probe's addresses are refused at once.

use domain::email::EmailAddress;
use lettre::Address;
use proptest::prelude::*;

fn lettre_accepts(address: &str) -> bool {
    address.parse::<Address>().is_ok()
}

/// A domain of about `len` characters made of 9-letter labels.
fn domain_of(len: usize) -> String {
    let mut domain = String::new();
    while domain.len() + 10 < len {
        domain.push_str("abcdefghi.");
    }
    while domain.len() + 3 < len {
        domain.push('x');
    }
    domain.push_str(".cn");
    domain
}

#[test]
fn what_the_probe_found_is_refused_when_added() {
    for address in ["a..b@c.cn", ".a@c.cn", "a.@c.cn"] {
        assert!(!lettre_accepts(address), "{address}");
        assert!(EmailAddress::parse(address).is_err(), "{address}");
    }
    for len in 200..=260 {
        let address = format!("a@{}", domain_of(len));
        if EmailAddress::parse(&address).is_ok() {
            assert!(lettre_accepts(&address), "{len}: {address}");
        }
    }
    assert!(!lettre_accepts(&format!("a@{}", domain_of(252))));
    assert!(EmailAddress::parse(&format!("a@{}", domain_of(252))).is_err());
}

#[test]
fn ordinary_addresses_are_accepted_by_both() {
    for address in [
        "zhangsan@example.gov.cn",
        "Zhang.San+minsheng@dept.heze.gov.cn",
        "o'brien@example.cn",
        "a@localhost",
        "a@例子.中国",
        "x_y-z@a-b.example.com",
    ] {
        assert!(EmailAddress::parse(address).is_ok(), "{address}");
        assert!(lettre_accepts(address), "{address}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn nothing_parse_accepts_is_refused_by_the_mailer(
        local in "[a-zA-Z0-9._%+!#$&'*/=?^`{|}~-]{0,20}",
        domain in "[a-zA-Z0-9.-]{0,30}|[a-z]{1,70}\\.[a-z]{2,3}|[\\p{Han}a-z.]{1,12}",
    ) {
        let address = format!("{local}@{domain}");
        if EmailAddress::parse(&address).is_ok() {
            prop_assert!(lettre_accepts(&address), "{} is accepted here but not by lettre", address);
        }
    }

    #[test]
    fn anything_at_all_never_passes_one_and_fails_the_other_way(text in "\\PC{0,40}") {
        if EmailAddress::parse(&text).is_ok() {
            prop_assert!(lettre_accepts(text.trim()), "{:?}", text);
        }
    }
}
