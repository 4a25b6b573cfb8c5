//! `rcue eval`: evaluates CUE files and prints the result as CUE, with
//! constraints, definitions and optional fields.

use crate::EXIT_ERRORS;

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
    #[command(flatten)]
    output: super::output::OutputArgs,
    #[command(flatten)]
    load: super::load::LoadArgs,
}

pub fn run(args: Args) -> u8 {
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
    args.output.emit(inst.engine.limits(), &out)
}
