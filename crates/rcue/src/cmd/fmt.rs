//! `rcue fmt`: rewrites CUE files in canonical form, or with `--check`
//! lists those that are not.

use std::io::Read;
use std::path::PathBuf;

use crate::{EXIT_ERRORS, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// Report files that are not formatted instead of rewriting them
    /// (exit status 1 when there are any).
    #[arg(long)]
    check: bool,
    /// Files to format; `-` reads standard input and writes standard output.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    let mut status = EXIT_OK;
    for path in &args.files {
        let (name, source) = if path.as_os_str() == "-" {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("rcue fmt: reading standard input: {e}");
                return EXIT_ERRORS;
            }
            ("-".to_string(), s)
        } else {
            match std::fs::read(path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(s) => (path.display().to_string(), s),
                    Err(e) => {
                        eprintln!(
                            "{}: invalid UTF-8 at byte {}",
                            path.display(),
                            e.utf8_error().valid_up_to()
                        );
                        status = EXIT_ERRORS;
                        continue;
                    }
                },
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    status = EXIT_ERRORS;
                    continue;
                }
            }
        };
        let formatted = match rcue::format_source(&name, &source) {
            Ok(f) => f,
            Err(errors) => {
                super::report(&errors);
                status = EXIT_ERRORS;
                continue;
            }
        };
        if name == "-" {
            if args.check {
                if formatted != source {
                    println!("-");
                    status = EXIT_ERRORS;
                }
            } else {
                print!("{formatted}");
            }
            continue;
        }
        if formatted == source {
            continue;
        }
        if args.check {
            println!("{name}");
            status = EXIT_ERRORS;
        } else if let Err(e) = super::write_atomic(path, &formatted) {
            eprintln!("{name}: {e}");
            status = EXIT_ERRORS;
        }
    }
    status
}
