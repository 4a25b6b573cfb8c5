//! `rcue vet`: checks data files against CUE (or CUE alone for errors).

use rcue_eval::fastcheck::FastSchema;

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
    for (i, loaded) in instances.iter_mut().enumerate() {
        if vet(&args, loaded, i) != EXIT_OK {
            status = EXIT_ERRORS;
        }
    }
    status
}

fn vet(args: &Args, loaded: &mut rcue_load::Loaded, index: usize) -> u8 {
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
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    // What reaches this thread already failed the quick check: don't run
    // it again.
    if fast.is_some() {
        loaded.instance.fast_vet = false;
    }
    for f in &files {
        // A large stream of documents that need no placing is checked in
        // full on the parsing threads too, each with an instance of its
        // own (instances cannot be shared between threads).
        let own = args.load.path.is_empty() && f.text.len() >= OWN_INSTANCE_MIN && cores > 1;
        // With a quick check or instances of their own, most documents
        // never reach this thread: parse and check them on every core, in
        // consecutive parts of each stream.
        let parts = if fast.is_some() || own { cores } else { 1 };
        std::thread::scope(|scope| {
            let mut runs = Vec::new();
            let work: Vec<Work> = match (&fast, f.yaml_parts(parts)) {
                (Some(fast), Some(ranges)) => ranges
                    .into_iter()
                    .map(|r| Work::Yaml(r, fast.clone()))
                    .collect(),
                _ => f
                    .document_parts(parts)
                    .into_iter()
                    .map(Work::Docs)
                    .collect(),
            };
            for w in work {
                let (tx, rx) = std::sync::mpsc::sync_channel(256);
                let fast = fast.clone();
                scope.spawn(move || {
                    let mut checker = own.then(|| OwnCheck::new(args, index, f, concrete));
                    let checker = checker.as_mut();
                    match w {
                        Work::Yaml(range, fast) => yaml_worker(f, range, &fast, checker, tx),
                        Work::Docs(docs) => worker(docs, fast.as_deref(), checker, tx),
                    }
                });
                runs.push(rx);
            }
            // Parts are reported in order, so messages come out as they
            // would from one pass over the stream.
            let mut base = 0;
            for rx in runs {
                for msg in rx {
                    let (i, doc) = match msg {
                        Parsed::Doc(i, doc) => (base + i, doc),
                        Parsed::Checked(errors) => {
                            super::export::report(&errors);
                            failed = true;
                            continue;
                        }
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

/// The smallest data file whose documents the parsing threads check in
/// full themselves: below it, loading an instance per thread costs more
/// than it saves.
const OWN_INSTANCE_MIN: usize = 1 << 20;

/// What a parsing thread passes on: a document for this thread to check
/// (with its index in the part), the errors of a document it checked
/// itself, and the part's document count.
enum Parsed {
    Doc(usize, Result<rcue_syntax::ast::Expr, Vec<rcue_eval::Error>>),
    Checked(Vec<rcue_eval::Error>),
    End(usize),
}

/// A parsing thread's own instance, loaded when its first document needs
/// full unification.
struct OwnCheck<'a> {
    args: &'a Args,
    /// The instance's place among those the arguments name.
    index: usize,
    file: &'a rcue_load::DataFile,
    concrete: bool,
    /// `None` until loaded; `Some(None)` if loading failed (the main
    /// thread, which loaded the same arguments, then checks).
    loaded: Option<Option<std::mem::ManuallyDrop<Vec<rcue_load::Loaded>>>>,
}

impl<'a> OwnCheck<'a> {
    fn new(args: &'a Args, index: usize, file: &'a rcue_load::DataFile, concrete: bool) -> Self {
        OwnCheck {
            args,
            index,
            file,
            concrete,
            loaded: None,
        }
    }

    /// The errors of `doc` (empty when it is valid), or `None` when this
    /// thread cannot check it.
    fn check(&mut self, doc: &rcue_syntax::ast::Expr) -> Option<Vec<rcue_eval::Error>> {
        let (args, f) = (self.args, self.file);
        let all = self
            .loaded
            .get_or_insert_with(|| args.load.load_again())
            .as_mut()?;
        let loaded = all.get_mut(self.index)?;
        loaded.instance.fast_vet = false;
        Some(
            loaded
                .instance
                .vet_data(args.schema.as_deref(), &f.name, &f.text, doc, self.concrete),
        )
    }
}

type Sender = std::sync::mpsc::SyncSender<Parsed>;

/// What one parsing thread reads: a range of a YAML stream, read with
/// the block reader where it can be, or documents from the full parsers.
enum Work<'a> {
    Yaml(std::ops::Range<usize>, std::sync::Arc<FastSchema>),
    Docs(rcue_load::Documents<'a>),
}

/// Parses one part of a data file, dropping the documents `fast` accepts
/// (and checking the others with `own`, if given).
fn worker(
    docs: rcue_load::Documents<'_>,
    fast: Option<&FastSchema>,
    mut own: Option<&mut OwnCheck<'_>>,
    tx: Sender,
) {
    let mut n = 0;
    if send_unaccepted(docs, fast, &mut own, &mut n, &tx) {
        let _ = tx.send(Parsed::End(n));
    }
}

/// Sends the documents `fast` does not accept (or, with `own`, their
/// errors), counting all in `n`. `false` once the stream (or the
/// receiver) has ended.
fn send_unaccepted(
    docs: rcue_load::Documents<'_>,
    fast: Option<&FastSchema>,
    own: &mut Option<&mut OwnCheck<'_>>,
    n: &mut usize,
    tx: &Sender,
) -> bool {
    for doc in docs {
        *n += 1;
        if let (Some(fast), Ok(d)) = (fast, &doc) {
            if fast.accepts(d) {
                continue;
            }
        }
        if let (Some(own), Ok(d)) = (own.as_deref_mut(), &doc) {
            if let Some(errors) = own.check(d) {
                if !errors.is_empty() && tx.send(Parsed::Checked(errors)).is_err() {
                    return false;
                }
                continue;
            }
        }
        let end = doc.is_err();
        if tx.send(Parsed::Doc(*n - 1, doc)).is_err() || end {
            return false;
        }
    }
    true
}

/// `worker` for a part `range` of a YAML stream: each document the block
/// reader can read is checked from its tree; the others (and those the
/// check does not accept) go through the full parser.
fn yaml_worker(
    f: &rcue_load::DataFile,
    range: std::ops::Range<usize>,
    fast: &FastSchema,
    mut own: Option<&mut OwnCheck<'_>>,
    tx: Sender,
) {
    use rcue_syntax::data::{read_block_document, yaml_document_end, BlockTree};
    let mut tree = BlockTree::default();
    let mut n = 0;
    let mut from = range.start;
    while from < range.end {
        let end = yaml_document_end(&f.text, from, range.end);
        if read_block_document(&f.text, from..end, &mut tree) && fast.accepts_block(&tree) {
            n += 1;
        } else if !send_unaccepted(
            f.yaml_documents_in(from..end),
            Some(fast),
            &mut own,
            &mut n,
            &tx,
        ) {
            return;
        }
        from = end;
    }
    let _ = tx.send(Parsed::End(n));
}
