//! Where `export` and `eval` write their result: stdout, or a file written
//! atomically with `-o`.

use std::io::Write;
use std::path::PathBuf;

use crate::{EXIT_ERRORS, EXIT_OK};

#[derive(clap::Args, Clone, Debug, Default)]
pub struct OutputArgs {
    /// Write the result to this file instead of stdout (`-` is stdout).
    /// The file is replaced atomically; an existing file needs --force.
    #[arg(short = 'o', long = "outfile", value_name = "FILE")]
    pub outfile: Option<PathBuf>,
    /// Overwrite an existing --outfile.
    #[arg(short = 'f', long = "force")]
    pub force: bool,
}

impl OutputArgs {
    /// The output format the file's extension implies (`x.yaml`), if any.
    pub fn implied_format(&self) -> Option<&'static str> {
        let ext = self.file()?.extension()?.to_str()?;
        match ext {
            "yaml" | "yml" => Some("yaml"),
            "json" => Some("json"),
            "cue" => Some("cue"),
            "txt" => Some("text"),
            _ => None,
        }
    }

    fn file(&self) -> Option<&PathBuf> {
        self.outfile.as_ref().filter(|p| p.as_os_str() != "-")
    }

    /// Checks, before any evaluation, that the output file may be written.
    pub fn check(&self) -> Result<(), u8> {
        match self.file() {
            Some(p) if p.exists() && !self.force => {
                eprintln!("{}: already exists (use --force to overwrite)", p.display());
                Err(EXIT_ERRORS)
            }
            _ => Ok(()),
        }
    }

    /// Writes the finished output, unless it is over `--max-output`.
    pub fn emit(&self, limits: &rcue::Limits, out: &str) -> u8 {
        if let Err(msg) = super::limits::check_output(limits, out) {
            eprintln!("{msg}");
            return EXIT_ERRORS;
        }
        self.emit_with(|w| w.write_all(out.as_bytes()))
    }

    /// Writes the output `write` produces: to stdout, or to the file,
    /// which is replaced only once all of it is written.
    pub fn emit_with(&self, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> u8 {
        match self.file() {
            None => {
                let mut stdout = std::io::stdout().lock();
                if write(&mut stdout).and_then(|_| stdout.flush()).is_err() {
                    return EXIT_ERRORS;
                }
            }
            Some(p) => {
                if let Err(e) = super::write_atomic_with(p, write) {
                    eprintln!("{}: {e}", p.display());
                    return EXIT_ERRORS;
                }
            }
        }
        EXIT_OK
    }
}
