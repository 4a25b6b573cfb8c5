//! Validates an application's configuration struct against a CUE schema,
//! then reads the completed configuration (defaults filled in) back.
//!
//! Run with `cargo run -p rcue --example validate_config`.

use serde::{Deserialize, Serialize};

/// The configuration as the application holds it.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Config {
    pub name: String,
    pub replicas: u32,
    pub port: u16,
    /// Left out when unset, so that the schema's default applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
}

/// The schema the configuration must satisfy: constraints and defaults.
pub const SCHEMA: &str = r#"
#Config: {
	name:      =~"^[a-z][a-z0-9-]*$"
	replicas:  int & >=1 & <=10
	port:      int & >1024
	log_level: *"info" | "debug" | "warn" | "error" | null
}
"#;

/// Checks `config` against the schema; on success returns the completed
/// configuration (defaults filled in), on failure every problem with its
/// CUE path.
pub fn check(config: &Config) -> Result<Config, rcue::Error> {
    let ctx = rcue::Context::new();
    let schema = ctx.compile(SCHEMA)?.lookup("#Config")?;
    // One call checks the struct: every conflict comes back with its path.
    ctx.validate(&schema, config)?;
    // The unified value holds the schema's defaults too; read it back.
    let completed = schema.unify(&ctx.encode(config)?)?;
    rcue::from_value(&completed)
}

/// The example's output: the completed good config and the bad one's
/// errors.
pub fn run() -> Result<String, rcue::Error> {
    let mut out = String::new();
    let good = Config {
        name: "api".into(),
        replicas: 3,
        port: 8080,
        log_level: None,
    };
    let completed = check(&good)?;
    out.push_str(&format!("valid: {completed:?}\n"));

    let bad = Config {
        name: "API".into(),
        replicas: 20,
        port: 80,
        log_level: Some("verbose".into()),
    };
    match check(&bad) {
        Ok(_) => out.push_str("unexpectedly valid\n"),
        Err(err) => {
            out.push_str("invalid:\n");
            for issue in err.issues() {
                out.push_str(&format!("  {}: {}\n", issue.path, issue.message));
            }
        }
    }
    Ok(out)
}

#[allow(dead_code)]
fn main() {
    match run() {
        Ok(out) => print!("{out}"),
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    }
}
