//! `rcue vet`: checks data files against CUE (or CUE alone for errors).

use crate::{EXIT_ERRORS, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// Require concrete values. On by default when data files are given;
    /// `-c=false` turns it off.
    #[arg(short = 'c', long = "concrete", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    concrete: Option<bool>,
    /// Check each data document against this expression (such as a
    /// definition, `-d '#Schema'`) instead of the whole package.
    #[arg(short = 'd', long = "schema")]
    schema: Option<String>,
    #[command(flatten)]
    load: super::load::LoadArgs,
}

pub fn run(args: Args) -> u8 {
    let mut instances = match args.load.load() {
        Ok(l) => l,
        Err(code) => return code,
    };
    // Every instance is checked (`./...` names many); data files come with
    // a single one.
    let mut status = EXIT_OK;
    for loaded in instances.iter_mut() {
        if vet(&args, loaded) != EXIT_OK {
            status = EXIT_ERRORS;
        }
    }
    status
}

fn vet(args: &Args, loaded: &mut rcue_load::Loaded) -> u8 {
    let files = std::mem::take(&mut loaded.data);
    let mut failed = false;
    if files.is_empty() {
        // CUE alone: the instance must be free of errors. With -c it must
        // be concrete too; without a flag, an incomplete instance fails
        // with a hint; -c=false accepts it (and missing required fields).
        let errors = loaded
            .instance
            .export(args.schema.as_deref())
            .err()
            .unwrap_or_default();
        let hard: Vec<_> = errors.iter().filter(|e| !e.incomplete).cloned().collect();
        let shown: Vec<_> = match args.concrete {
            Some(true) => errors,
            Some(false) => hard
                .into_iter()
                .filter(|e| e.msg != "field is required but not present")
                .collect(),
            None if hard.is_empty() && !errors.is_empty() => {
                eprintln!(
                    "some instances are incomplete; use the -c flag to show errors or -c=false to allow incomplete instances"
                );
                return EXIT_ERRORS;
            }
            None => hard,
        };
        if !shown.is_empty() {
            super::export::report(&shown);
            return EXIT_ERRORS;
        }
        return EXIT_OK;
    }
    let concrete = args.concrete.unwrap_or(true);
    // Documents placed by label expressions need the instance to place
    // them; the others can be checked where they are parsed.
    let fast = if args.load.path.is_empty() {
        loaded.instance.fast_schema(args.schema.as_deref())
    } else {
        None
    };
    for f in &files {
        // Documents are parsed on a second thread, which also accepts the
        // ones the schema's quick check can vouch for; the rest come here
        // for full evaluation (evaluation state is not shareable).
        let fast = fast.clone();
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel(256);
            scope.spawn(move || {
                for (i, doc) in f.documents().enumerate() {
                    if let (Some(fast), Ok(d)) = (&fast, &doc) {
                        if fast.accepts(d) {
                            continue;
                        }
                    }
                    if tx.send((i, doc)).is_err() {
                        break;
                    }
                }
            });
            for (i, doc) in rx {
                let placed = match doc.and_then(|doc| args.load.place(loaded, f, i, doc)) {
                    Ok(d) => d,
                    Err(errors) => {
                        super::export::report(&errors);
                        failed = true;
                        continue;
                    }
                };
                let errors = loaded.instance.vet_data(
                    args.schema.as_deref(),
                    &f.name,
                    &f.text,
                    &placed,
                    concrete,
                );
                if !errors.is_empty() {
                    super::export::report(&errors);
                    failed = true;
                }
            }
        });
    }
    if failed {
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}
