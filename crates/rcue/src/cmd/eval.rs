//! `rcue eval`: evaluates CUE files and prints the result as CUE, with
//! constraints, definitions and optional fields.

use std::path::PathBuf;

use crate::{EXIT_ERRORS, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// Require concrete values (as export does) and fail otherwise.
    #[arg(short = 'c', long)]
    concrete: bool,
    /// Print the value of this expression instead of the whole instance.
    #[arg(short = 'e', long = "expression")]
    exprs: Vec<String>,
    /// Also show hidden fields.
    #[arg(short = 'a', long = "all")]
    all: bool,
    /// CUE files of one package.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    let mut inst = match super::export::load_instance(&args.files) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let exprs: Vec<Option<&str>> = if args.exprs.is_empty() {
        vec![None]
    } else {
        args.exprs.iter().map(|e| Some(e.as_str())).collect()
    };
    let mut out = String::new();
    for e in exprs {
        if args.concrete {
            if let Err(errors) = inst.export(e) {
                super::export::report(&errors);
                return EXIT_ERRORS;
            }
        }
        match inst.eval_text(e, args.all) {
            Ok(text) => out.push_str(&text),
            Err(errors) => {
                super::export::report(&errors);
                return EXIT_ERRORS;
            }
        }
    }
    print!("{out}");
    EXIT_OK
}
