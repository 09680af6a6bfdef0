//! People and what they may do: roles, logins, display names and passwords. Pure rules; the
//! store (`store::account`) reads and writes them.

use std::fmt;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};

pub use entity::AccountRole as Role;

use crate::DomainError;

/// What each role may do, and how it is called on the command line and on the pages (a trait
/// because the enum is the entity's, which keeps no behaviour).
pub trait RoleRules: Copy {
    /// The role's word on the command line (`--role clerk`).
    fn cli_name(self) -> &'static str;
    /// How the pages and the audit trail say it: 管理员, 督查员, 领导, 联络员.
    fn label(self) -> &'static str;
    /// May do the office's work: import, edit, decide, 销号 / 退办, contacts, reports.
    fn does_office_work(self) -> bool;
    /// May read everything the office reads (考评, the 台账, every department's deliveries).
    fn reads_everything(self) -> bool;
    /// May manage accounts.
    fn manages_accounts(self) -> bool;
}

impl RoleRules for Role {
    fn cli_name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
            Role::Leader => "leader",
            Role::Liaison => "liaison",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Clerk => "督查员",
            Role::Leader => "领导",
            Role::Liaison => "联络员",
        }
    }

    fn does_office_work(self) -> bool {
        matches!(self, Role::Admin | Role::Clerk)
    }

    fn reads_everything(self) -> bool {
        matches!(self, Role::Admin | Role::Clerk | Role::Leader)
    }

    fn manages_accounts(self) -> bool {
        matches!(self, Role::Admin)
    }
}

/// The role a command-line word names.
pub fn parse_role(text: &str) -> Result<Role, DomainError> {
    [Role::Admin, Role::Clerk, Role::Leader, Role::Liaison]
        .into_iter()
        .find(|r| r.cli_name() == text.trim().to_ascii_lowercase())
        .ok_or_else(|| DomainError::Validation {
            field: "role".into(),
            message: "应为 admin、clerk、leader 或 liaison 之一".into(),
        })
}

fn invalid(field: &str, message: &str) -> DomainError {
    DomainError::Validation {
        field: field.into(),
        message: message.into(),
    }
}

/// A login: 2 to 64 characters of ASCII letters, digits, `.`, `_`, `-` and `@`, kept lowercase
/// so `ZhangSan` and `zhangsan` are one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login(String);

impl Login {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let login = text.trim().to_ascii_lowercase();
        if !(2..=64).contains(&login.len()) {
            return Err(invalid("login", "登录名应为 2 到 64 个字符"));
        }
        if !login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err(invalid("login", "登录名只能含英文字母、数字和 . _ - @"));
        }
        Ok(Self(login))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a login typed at the sign-in form is kept as in the failure log: lowercase, at most 64
/// characters, whatever it holds (an unknown login is throttled like a known one).
pub fn attempted_login(text: &str) -> String {
    text.trim().to_lowercase().chars().take(64).collect()
}

/// How the pages and the audit trail name a person: 1 to 32 characters on one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let name = text.trim();
        if name.is_empty() {
            return Err(invalid("name", "请填写姓名"));
        }
        if name.chars().count() > 32 {
            return Err(invalid("name", "姓名不超过 32 个字"));
        }
        if name.chars().any(char::is_control) {
            return Err(invalid("name", "姓名应在一行之内"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most: Argon2 takes any length, but a megabyte "password" is a way to spend our CPU.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A password as typed. Its `Debug` shows nothing, so it cannot reach a log by accident.
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let chars = text.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(invalid(
                "password",
                &format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"),
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(invalid(
                "password",
                &format!("密码不超过 {MAX_PASSWORD_CHARS} 个字符"),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The Argon2id hash of this password with a fresh salt, as a PHC string.
    pub fn hash(&self) -> Result<String, DomainError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| internal(&format!("no random salt: {e}")))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| internal(&e.to_string()))?;
        hasher()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| internal(&e.to_string()))
    }
}

fn internal(message: &str) -> DomainError {
    DomainError::Database(sea_orm::DbErr::Custom(format!(
        "password hashing: {message}"
    )))
}

/// Argon2id at OWASP's first recommended cost (19 MiB, 2 passes, 1 lane): on the development
/// machine 34 ms a hash and 25 ms a verification, 58× and 43× a SHA-256 of 1 MiB measured in
/// the same run (`cargo run --release -p bench --bin password`, docs/performance.md). Slow
/// enough to make guessing from a stolen hash costly, fast enough for ~40 sign-ins a second
/// per core, far above an office's needs.
pub fn hasher() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters"),
    )
}

/// A stored hash that matches no password, verified when the login is unknown, so an unknown
/// login takes as long to refuse as a wrong password (made once, with the same parameters).
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        Password("a decoy nobody can sign in with".into())
            .hash()
            .unwrap_or_default()
    })
}

/// Whether `password` matches `stored` (a PHC string; `None` for an unknown login or an
/// account without a password, which match nothing but cost the same time). The comparison
/// inside the `argon2` crate is in constant time.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (decoy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let ok = hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && real
}

/// How failed sign-ins slow the next try: the first `free` cost nothing, then each doubles the
/// wait, from 2 seconds up to 15 minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    pub free: u64,
}

impl Throttle {
    /// Failures of one login within [`Throttle::WINDOW`] before it slows down.
    pub const PER_LOGIN: Throttle = Throttle { free: 5 };
    /// Failures from one client address: an office behind one NAT has many people.
    pub const PER_ADDRESS: Throttle = Throttle { free: 20 };
    /// Failures older than this are forgotten.
    pub const WINDOW: chrono::Duration = chrono::Duration::hours(1);
    const LONGEST: chrono::Duration = chrono::Duration::minutes(15);

    /// The wait after the latest of `failures` recent failures.
    pub fn wait(self, failures: u64) -> chrono::Duration {
        if failures <= self.free {
            return chrono::Duration::zero();
        }
        let doublings = (failures - self.free - 1).min(20) as u32;
        (chrono::Duration::seconds(2) * 2_i32.pow(doublings)).min(Self::LONGEST)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn failed_sign_ins_wait_longer_and_longer() {
        let t = Throttle::PER_LOGIN;
        let secs = |n| t.wait(n).num_seconds();
        assert_eq!((secs(0), secs(5)), (0, 0));
        assert_eq!((secs(6), secs(7), secs(8)), (2, 4, 8));
        assert_eq!(secs(20), 15 * 60);
        assert_eq!(secs(u64::MAX), 15 * 60);
        assert_eq!(Throttle::PER_ADDRESS.wait(20).num_seconds(), 0);
        assert_eq!(Throttle::PER_ADDRESS.wait(21).num_seconds(), 2);
    }

    use super::*;

    #[test]
    fn logins_are_lowercase_and_plain() {
        assert_eq!(
            Login::parse(" ZhangSan ")
                .expect("as the test set it up")
                .as_str(),
            "zhangsan"
        );
        assert_eq!(
            Login::parse("li.si@dcs")
                .expect("as the test set it up")
                .as_str(),
            "li.si@dcs"
        );
        assert!(Login::parse("z").is_err());
        assert!(Login::parse("张三").is_err());
        assert!(Login::parse("a b").is_err());
        assert!(Login::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn names_are_one_short_line() {
        assert_eq!(
            DisplayName::parse(" 张三 ")
                .expect("as the test set it up")
                .as_str(),
            "张三"
        );
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse("张\n三").is_err());
        assert!(DisplayName::parse(&"张".repeat(33)).is_err());
    }

    #[test]
    fn passwords_have_at_least_ten_characters_counted_as_characters() {
        assert!(Password::parse("123456789").is_err());
        assert!(Password::parse("1234567890").is_ok());
        // Ten Chinese characters are ten characters, though thirty bytes.
        assert!(Password::parse("一二三四五六七八九十").is_ok());
        assert!(Password::parse("一二三四五六七八九").is_err());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        let shown = format!(
            "{:?}",
            Password::parse("secret-password-1").expect("as the test set it up")
        );
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = Password::parse("correct horse battery")
            .expect("as the test set it up")
            .hash()
            .expect("as the test set it up");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batterY", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
        assert!(!verify_password("anything", Some("not a hash")));
        let again = Password::parse("correct horse battery")
            .expect("as the test set it up")
            .hash()
            .expect("as the test set it up");
        assert_ne!(hash, again, "every hash has its own salt");
    }

    #[test]
    fn roles_read_from_the_command_line() {
        assert_eq!(
            parse_role("clerk").expect("as the test set it up"),
            Role::Clerk
        );
        assert_eq!(
            parse_role(" ADMIN ").expect("as the test set it up"),
            Role::Admin
        );
        assert!(parse_role("boss").is_err());
        assert!(Role::Clerk.does_office_work() && !Role::Clerk.manages_accounts());
        assert!(Role::Leader.reads_everything() && !Role::Leader.does_office_work());
        assert!(!Role::Liaison.reads_everything());
        assert_eq!(Role::Clerk.label(), "督查员");
    }
}
