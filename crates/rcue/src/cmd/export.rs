//! `rcue export`: evaluates CUE files and prints their concrete value.

use crate::{EXIT_ERRORS, EXIT_USAGE};

#[derive(clap::Args)]
pub struct Args {
    /// Output format: json, yaml, cue or text (a string value as is);
    /// default json, or what the --outfile extension implies.
    #[arg(long)]
    out: Option<String>,
    /// Export the value of this expression instead of the whole instance.
    #[arg(short = 'e', long = "expression")]
    exprs: Vec<String>,
    #[command(flatten)]
    output: super::output::OutputArgs,
    #[command(flatten)]
    load: super::load::LoadArgs,
}

pub fn run(mut args: Args) -> u8 {
    let out = args
        .out
        .take()
        .or_else(|| args.output.implied_format().map(String::from))
        .unwrap_or_else(|| "json".into());
    if !matches!(out.as_str(), "json" | "yaml" | "cue" | "text") {
        eprintln!("unknown output format {out:?}: use json, yaml, cue or text");
        return EXIT_USAGE;
    }
    if let Err(code) = args.output.check() {
        return code;
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
    let mut text = String::new();
    for (i, e) in exprs.into_iter().enumerate() {
        match inst.export(e) {
            Ok(data) if out == "yaml" => {
                if i > 0 {
                    text.push_str("---\n");
                }
                text.push_str(&rcue_eval::export::to_yaml(&data));
            }
            Ok(data) if out == "cue" => text.push_str(&rcue_eval::export::to_cue(&data)),
            Ok(rcue_eval::export::Data::Str(s)) if out == "text" => {
                text.push_str(&s);
                text.push('\n');
            }
            Ok(_) if out == "text" => {
                report(&[rcue_eval::Error {
                    path: String::new(),
                    msg: "--out text needs a string value".into(),
                    pos: Vec::new(),
                    incomplete: false,
                }]);
                return EXIT_ERRORS;
            }
            Ok(data) => text.push_str(&rcue_eval::export::to_json(&data)),
            Err(errors) => {
                // Nothing is printed when any expression fails.
                report(&errors);
                return EXIT_ERRORS;
            }
        }
    }
    args.output.emit(inst.engine.limits(), &text)
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
