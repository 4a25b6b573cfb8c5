//! `rcue export`: evaluates CUE files and prints their concrete value.

use std::path::PathBuf;

use crate::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

#[derive(clap::Args)]
pub struct Args {
    /// Output format: json, yaml or cue.
    #[arg(long, default_value = "json")]
    out: String,
    /// Export the value of this expression instead of the whole instance.
    #[arg(short = 'e', long = "expression")]
    exprs: Vec<String>,
    /// CUE files of one package.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    if !matches!(args.out.as_str(), "json" | "yaml" | "cue") {
        eprintln!(
            "unknown output format {:?}: use json, yaml or cue",
            args.out
        );
        return EXIT_USAGE;
    }
    let mut inst = match load_instance(&args.files) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let exprs: Vec<Option<&str>> = if args.exprs.is_empty() {
        vec![None]
    } else {
        args.exprs.iter().map(|e| Some(e.as_str())).collect()
    };
    let mut out = String::new();
    for (i, e) in exprs.into_iter().enumerate() {
        match inst.export(e) {
            Ok(data) if args.out == "yaml" => {
                if i > 0 {
                    out.push_str("---\n");
                }
                out.push_str(&rcue_eval::export::to_yaml(&data));
            }
            Ok(data) if args.out == "cue" => out.push_str(&rcue_eval::export::to_cue(&data)),
            Ok(data) => out.push_str(&rcue_eval::export::to_json(&data)),
            Err(errors) => {
                // Nothing is printed when any expression fails.
                report(&errors);
                return EXIT_ERRORS;
            }
        }
    }
    print!("{out}");
    EXIT_OK
}

/// Reads, parses and compiles the files of one package; on failure,
/// reports the errors and returns the exit status.
pub fn load_instance(files: &[PathBuf]) -> Result<rcue_eval::Instance, u8> {
    let sources = read_sources(files)?;
    let refs: Vec<(&str, &str)> = sources
        .iter()
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    rcue_eval::Instance::from_sources(&refs).map_err(|errors| {
        report(&errors);
        EXIT_ERRORS
    })
}

/// Reads the named files as UTF-8; on failure, reports it and returns the
/// exit status.
pub fn read_sources(files: &[PathBuf]) -> Result<Vec<(String, String)>, u8> {
    let mut sources = Vec::new();
    for path in files {
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => sources.push((display_name(path), s)),
                Err(e) => {
                    eprintln!(
                        "{}: invalid UTF-8 at byte {}",
                        path.display(),
                        e.utf8_error().valid_up_to()
                    );
                    return Err(EXIT_ERRORS);
                }
            },
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                return Err(EXIT_ERRORS);
            }
        }
    }
    Ok(sources)
}

/// Relative paths print as `./name`, as `cue` does.
pub fn display_name(p: &std::path::Path) -> String {
    let s = p.display().to_string();
    if p.is_relative() && !s.starts_with("./") && !s.starts_with("../") {
        format!("./{s}")
    } else {
        s
    }
}

pub fn report(errors: &[rcue_eval::Error]) {
    let mut shown = 0;
    for e in errors {
        eprintln!("{e}");
        shown += 1;
        if shown >= 20 {
            eprintln!("({} more errors)", errors.len() - shown);
            break;
        }
    }
}
