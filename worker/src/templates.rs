//! The email templates' one configuration: every set of templates (reminders, notices, the
//! bulletin) is compiled once, strictly, and rendered the same way.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

/// Templates compiled once, or the error that stopped them compiling.
pub type Compiled = Result<Environment<'static>, minijinja::Error>;

/// Compiles `templates` (name, source): trailing newlines kept (item templates end in the blank
/// line that separates items), and a misspelt variable an error, not an empty string in
/// someone's inbox. Names ending in `.html` are HTML-escaped.
pub fn compile(templates: &[(&'static str, &'static str)]) -> Compiled {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in templates {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// Renders template `name` of `compiled` with `context`; values are substituted once and never
/// read as template text.
pub fn render(compiled: &Compiled, name: &str, context: impl Serialize) -> Result<String, String> {
    let env = compiled
        .as_ref()
        .map_err(|e| format!("the email templates do not compile: {e:#}"))?;
    env.get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| format!("template {name}: {e:#}"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The half-width marks an office would not print in Chinese text, and what it prints.
    const HALF_WIDTH: [(char, char); 7] = [
        (':', '：'),
        (',', '，'),
        ('(', '（'),
        (')', '）'),
        (';', '；'),
        ('?', '？'),
        ('!', '！'),
    ];

    /// The text of `source` a reader sees: template tags, HTML tags and entities left out.
    fn readable(source: &str) -> String {
        let mut out = String::new();
        let mut rest = source;
        while let Some(start) = rest.find(['{', '<', '&']) {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let end = if after.starts_with("{{") {
                after.find("}}").map(|e| e + 2)
            } else if after.starts_with("{%") {
                after.find("%}").map(|e| e + 2)
            } else if after.starts_with('<') {
                after.find('>').map(|e| e + 1)
            } else if after.starts_with('&') {
                after.find(';').map(|e| e + 1).filter(|e| *e < 10)
            } else {
                None
            };
            let end = end.unwrap_or(1);
            rest = &after[end..];
        }
        out.push_str(rest);
        out
    }

    fn half_width_in(text: &str) -> Vec<char> {
        text.chars()
            .filter(|c| HALF_WIDTH.iter().any(|(h, _)| h == c))
            .collect()
    }

    /// Every template of every email the worker writes, and the subject lines decided in
    /// domain, in full-width punctuation: `市市场监管局：` and `（还剩3天）`, as an office
    /// writes them.
    #[test]
    fn every_chinese_text_the_worker_writes_uses_full_width_punctuation() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let folders = [
            root.join("templates"),
            root.join("../domain/src/reminder/subjects"),
        ];
        let mut checked = 0;
        for folder in folders {
            for entry in std::fs::read_dir(&folder).expect("templates folder") {
                let path = entry.expect("entry").path();
                let source = std::fs::read_to_string(&path).expect("template");
                for (n, line) in source.lines().enumerate() {
                    let marks = half_width_in(&readable(line));
                    assert!(
                        marks.is_empty(),
                        "{}:{}: half-width {marks:?} in {line:?}",
                        path.display(),
                        n + 1
                    );
                }
                checked += 1;
            }
        }
        assert!(checked >= 15, "only {checked} templates found");
    }

    /// The Chinese sentences written in the worker's code (notices, subject lines, labels).
    #[test]
    fn the_chinese_literals_in_the_code_use_full_width_punctuation_too() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for file in [
            "src/notices.rs",
            "src/digest.rs",
            "src/bulletin.rs",
            "../domain/src/reminder/digest.rs",
            "../domain/src/bulletin.rs",
        ] {
            let source = std::fs::read_to_string(root.join(file)).expect("source");
            for (n, line) in source.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") || code.starts_with("assert") {
                    continue;
                }
                // String literals holding Chinese.
                for literal in code.split('"').skip(1).step_by(2) {
                    let chinese = literal
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                    // A log or error message in English naming a Chinese term is not one.
                    let english = literal
                        .split(|c: char| !c.is_ascii_alphabetic())
                        .any(|word| word.len() >= 3);
                    if !chinese || english {
                        continue;
                    }
                    let marks = half_width_in(&readable(literal));
                    assert!(
                        marks.is_empty(),
                        "{file}:{}: half-width {marks:?} in \"{literal}\"",
                        n + 1
                    );
                }
            }
        }
    }
}
