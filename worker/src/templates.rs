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
