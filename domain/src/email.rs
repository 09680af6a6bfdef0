//! Email addresses, parsed once at the edge.

use std::fmt;

/// A single mailbox address (`local@domain`), free of anything that could smuggle a header.
///
/// It accepts no address the mailer (lettre's `Address`) would refuse at send time: the same
/// checks, from the same crates (`email_address` for the local part and the domain, `idna` for
/// internationalised domains, or an IP literal), so a contact is refused when it is added, not
/// retried forever when it is reminded. On top of those, nothing that needs quoting: no
/// whitespace, control characters or `"<>()[],;:\` (a quoted local part is legal but invites
/// header trouble, and no office uses one).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, String> {
        let address = input.trim();
        if address.is_empty() {
            return Err("电子邮箱不能为空".into());
        }
        if address.len() > 254 {
            return Err("电子邮箱最多 254 个字符".into());
        }
        if let Some(c) =
            crate::text::forbidden_char(address, crate::text::Lines::One).or_else(|| {
                address
                    .chars()
                    .find(|c| c.is_whitespace() || "<>()[],;:\"\\".contains(*c))
            })
        {
            return Err(format!("「{address}」含有邮箱地址不能有的字符 {c:?}"));
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            return Err(format!("「{address}」缺少 @"));
        };
        if local.len() > 64 || !email_address::EmailAddress::is_valid_local_part(local) {
            return Err(format!(
                "「{address}」@ 之前的部分无效（只能用字母、数字和 . _ % + - ! # $ & ' * / = ? ^ ` {{ | }} ~，点号不能在首尾或连用）"
            ));
        }
        if !valid_domain(domain) {
            return Err(format!("「{address}」@ 之后的域名无效"));
        }
        Ok(Self(address.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two addresses are compared in: mailboxes that differ only in case are one.
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A domain as lettre checks it: a valid (punycode) domain name, possibly after IDNA
/// conversion; brackets are refused above, so IP literals are not offered.
fn valid_domain(domain: &str) -> bool {
    email_address::EmailAddress::is_valid_domain(domain)
        || idna::domain_to_ascii(domain)
            .is_ok_and(|ascii| email_address::EmailAddress::is_valid_domain(&ascii))
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.0)
    }
}

/// A sender: an address with an optional display name (`督查室 <duchashi@example.gov.cn>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: EmailAddress,
}

impl Mailbox {
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        match input.strip_suffix('>').and_then(|s| s.rsplit_once('<')) {
            Some((name, address)) => {
                let name = name.trim().trim_matches('"').trim();
                if crate::text::forbidden_char(name, crate::text::Lines::One).is_some() {
                    return Err("the display name contains a control or direction character".into());
                }
                Ok(Self {
                    name: (!name.is_empty()).then(|| name.to_owned()),
                    address: EmailAddress::parse(address)?,
                })
            }
            None => Ok(Self {
                name: None,
                address: EmailAddress::parse(input)?,
            }),
        }
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} <{}>", self.address),
            None => write!(f, "{}", self.address),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_addresses() {
        for ok in [
            "a@b.cn",
            "zhang.san+x@dept.heze.gov.cn",
            "minsheng@localhost",
        ] {
            assert_eq!(
                EmailAddress::parse(ok).map(|a| a.to_string()),
                Ok(ok.to_owned())
            );
        }
    }

    #[test]
    fn trims_surrounding_space() {
        assert_eq!(
            EmailAddress::parse("  a@b.cn \n").map(|a| a.to_string()),
            Ok("a@b.cn".to_owned())
        );
    }

    #[test]
    fn rejects_header_injection_and_malformed_addresses() {
        for bad in [
            "",
            "no-at-sign",
            "@b.cn",
            "a@",
            "a@b..cn",
            "a@-b.cn",
            "a@b.cn\r\nBcc: evil@x.cn",
            "a b@c.cn",
            "a@b.cn, c@d.cn",
            "<a@b.cn>",
            // Refused by the mailer at send time before they were refused here.
            "a..b@c.cn",
            ".a@c.cn",
            "a.@c.cn",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_domain_the_mailer_cannot_use_is_refused() {
        let long_label = format!("a@{}.cn", "x".repeat(64));
        assert!(EmailAddress::parse(&long_label).is_err(), "a label over 63");
        assert!(
            EmailAddress::parse("a@例子.中国").is_ok(),
            "IDNA domains are fine"
        );
        assert!(EmailAddress::parse("a@localhost").is_ok());
    }

    #[test]
    fn addresses_fold_case_for_comparison() {
        let a = EmailAddress::parse("Zhang.San@Example.CN").expect("valid");
        assert_eq!(a.as_str(), "Zhang.San@Example.CN", "kept as written");
        assert_eq!(a.folded(), "zhang.san@example.cn");
    }

    #[test]
    fn mailbox_with_and_without_display_name() {
        let m = Mailbox::parse("督查室 <dcs@example.cn>").expect("valid mailbox");
        assert_eq!(m.name.as_deref(), Some("督查室"));
        assert_eq!(m.address.as_str(), "dcs@example.cn");
        assert_eq!(m.to_string(), "督查室 <dcs@example.cn>");
        let bare = Mailbox::parse("dcs@example.cn").expect("valid mailbox");
        assert_eq!(bare.name, None);
        assert!(Mailbox::parse("督查室 <not an address>").is_err());
    }
}
