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
    // With a quick check, most documents never reach this thread: parse
    // and check them on every core, in consecutive parts of each stream.
    let parts = match fast {
        Some(_) => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
        None => 1,
    };
    // What reaches this thread already failed the quick check: don't run
    // it again.
    if fast.is_some() {
        loaded.instance.fast_vet = false;
    }
    for f in &files {
        let fast = fast.clone();
        std::thread::scope(|scope| {
            let mut runs = Vec::new();
            for docs in f.document_parts(parts) {
                let (tx, rx) = std::sync::mpsc::sync_channel(256);
                let fast = fast.clone();
                scope.spawn(move || worker(docs, fast.as_deref(), tx));
                runs.push(rx);
            }
            // Parts are reported in order, so messages come out as they
            // would from one pass over the stream.
            let mut base = 0;
            for rx in runs {
                for msg in rx {
                    let (i, doc) = match msg {
                        Parsed::Doc(i, doc) => (base + i, doc),
                        Parsed::End(n) => {
                            base += n;
                            continue;
                        }
                    };
                    let doc = match doc {
                        Ok(d) => d,
                        Err(errors) => {
                            super::export::report(&errors);
                            failed = true;
                            // A syntax error ends the stream: later parts
                            // of this file are not checked, as in one pass.
                            return;
                        }
                    };
                    let placed = match args.load.place(loaded, f, i, doc) {
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
            }
        });
    }
    if failed {
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}

/// What a parsing thread passes on: a document the quick check did not
/// accept (with its index in the part), and the part's document count.
enum Parsed {
    Doc(usize, Result<rcue_syntax::ast::Expr, Vec<rcue_eval::Error>>),
    End(usize),
}

/// Parses one part of a data file, dropping the documents `fast` accepts.
fn worker(
    docs: rcue_load::Documents<'_>,
    fast: Option<&rcue_eval::fastcheck::FastSchema>,
    tx: std::sync::mpsc::SyncSender<Parsed>,
) {
    let mut n = 0;
    for doc in docs {
        n += 1;
        if let (Some(fast), Ok(d)) = (fast, &doc) {
            if fast.accepts(d) {
                continue;
            }
        }
        let end = doc.is_err();
        if tx.send(Parsed::Doc(n - 1, doc)).is_err() || end {
            return;
        }
    }
    let _ = tx.send(Parsed::End(n));
}
