//! `rcue export`: evaluates CUE files and prints their concrete value.

use crate::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

#[derive(clap::Args)]
pub struct Args {
    /// Output format: json, yaml, cue or text (a string value as is).
    #[arg(long, default_value = "json")]
    out: String,
    /// Export the value of this expression instead of the whole instance.
    #[arg(short = 'e', long = "expression")]
    exprs: Vec<String>,
    #[command(flatten)]
    load: super::load::LoadArgs,
}

pub fn run(args: Args) -> u8 {
    if !matches!(args.out.as_str(), "json" | "yaml" | "cue" | "text") {
        eprintln!(
            "unknown output format {:?}: use json, yaml, cue or text",
            args.out
        );
        return EXIT_USAGE;
    }
    let mut loaded = match args.load.load_with_data() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let inst = &mut loaded.instance;
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
            Ok(rcue_eval::export::Data::Str(s)) if args.out == "text" => {
                out.push_str(&s);
                out.push('\n');
            }
            Ok(_) if args.out == "text" => {
                report(&[rcue_eval::Error {
                    path: String::new(),
                    msg: "--out text needs a string value".into(),
                    pos: Vec::new(),
                    incomplete: false,
                }]);
                return EXIT_ERRORS;
            }
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
