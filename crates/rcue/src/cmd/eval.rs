//! `rcue eval`: evaluates CUE files and prints the result as CUE, with
//! constraints and definitions (or, with `--out`, as data like export).

use super::export::{expressions, report, Encoder, Format};
use crate::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

#[derive(clap::Args)]
pub struct Args {
    /// Require concrete values (as export does) and fail otherwise.
    #[arg(short = 'c', long)]
    concrete: bool,
    /// Print the value of this expression instead of the whole instance.
    #[arg(short = 'e', long = "expression")]
    exprs: Vec<String>,
    /// Output format: cue (the default), json, yaml or text.
    #[arg(long, default_value = "cue")]
    out: String,
    /// Show hidden fields (`_x`).
    #[arg(short = 'H', long = "show-hidden")]
    show_hidden: bool,
    /// Show optional fields (`x?`).
    #[arg(short = 'O', long = "show-optional")]
    show_optional: bool,
    /// Show hidden and optional fields.
    #[arg(short = 'a', long = "all")]
    all: bool,
    /// Simplify the output (accepted for compatibility: rcue's output is
    /// always simplified).
    #[arg(short = 's', long = "simplify")]
    _simplify: bool,
    #[command(flatten)]
    output: super::output::OutputArgs,
    #[command(flatten)]
    load: super::load::LoadArgs,
}

pub fn run(args: Args) -> u8 {
    if let Err(code) = args.output.check() {
        return code;
    }
    let Some(format) = Format::parse(&args.out) else {
        eprintln!(
            "unknown output format {:?}: use cue, json, yaml or text",
            args.out
        );
        return EXIT_USAGE;
    };
    let mut instances = match args.load.load_with_data() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let exprs = expressions(&args.exprs);
    let opts = rcue_eval::print::Options {
        hidden: args.all || args.show_hidden,
        optional: args.all || args.show_optional,
    };
    let mut status = EXIT_OK;
    if format != Format::Cue {
        // Data formats: the same values export prints.
        let mut enc = Encoder::new(format, false);
        if let Err(code) = super::export::encode_all(&mut instances, &exprs, &mut enc) {
            return code;
        }
        return args.output.emit(&args.load.limits.limits(), &enc.out);
    }
    // As cue: with several expressions each result is headed by the
    // expression; several instances are separated by `// ---`. A failing
    // value is reported (under its heading) and the others still print.
    let mut out = String::new();
    let mut count = 0;
    for loaded in instances.iter_mut() {
        let inst = &mut loaded.instance;
        for e in &exprs {
            let header = match e {
                Some(src) if exprs.len() > 1 => {
                    Some(format!("// {}", src.rsplit('/').next().unwrap_or(src)))
                }
                _ if count > 0 => Some("// ---".to_string()),
                _ => None,
            };
            count += 1;
            let text = if args.concrete {
                inst.export(*e).and_then(|_| inst.eval_text(*e, opts))
            } else {
                inst.eval_text(*e, opts)
            };
            match text {
                Ok(text) => {
                    if let Some(h) = &header {
                        out.push_str(h);
                        out.push('\n');
                    }
                    out.push_str(&text);
                }
                Err(errors) => {
                    if let Some(h) = header.filter(|h| h != "// ---") {
                        eprintln!("{h}");
                    }
                    report(&errors);
                    status = EXIT_ERRORS;
                }
            }
        }
    }
    match args.output.emit(&args.load.limits.limits(), &out) {
        EXIT_OK => status,
        code => code,
    }
}
