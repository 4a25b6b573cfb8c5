//! `rcue export`: evaluates CUE files and prints their concrete value.

use rcue_eval::export::{ByteCount, Data, IoOut};

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
    /// Escape <, > and & in JSON strings (as \u003c, \u003e, \u0026).
    #[arg(long)]
    escape: bool,
    #[command(flatten)]
    output: super::output::OutputArgs,
    #[command(flatten)]
    load: super::load::LoadArgs,
}

pub fn run(args: Args) -> u8 {
    let out = (args.out.clone())
        .or_else(|| args.output.implied_format().map(String::from))
        .unwrap_or_else(|| "json".into());
    let Some(format) = Format::parse(&out) else {
        eprintln!("unknown output format {out:?}: use json, yaml, cue or text");
        return EXIT_USAGE;
    };
    if let Err(code) = args.output.check() {
        return code;
    }
    let mut instances = match args.load.load_with_data() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let limits = args.load.limits.limits();
    if format == Format::Json && !args.escape && args.exprs.is_empty() {
        return stream_json(&mut instances, &args.output, &limits);
    }
    let exprs = expressions(&args.exprs);
    let mut enc = Encoder::new(format, args.escape);
    if let Err(code) = encode_all(&mut instances, &exprs, &mut enc) {
        return code;
    }
    args.output.emit(&limits, &enc.out)
}

/// Exports the whole of each instance as JSON, written as it is walked so
/// that a large output is never held whole. Every instance is checked
/// first: nothing is written when one fails, or when the output would be
/// over `--max-output`.
fn stream_json(
    instances: &mut [rcue_load::Loaded],
    output: &super::output::OutputArgs,
    limits: &rcue::Limits,
) -> u8 {
    let mut size = 0usize;
    for loaded in instances.iter_mut() {
        // Nothing is compiled in the package's scope any more.
        loaded.instance.release_syntax();
        let checked = if limits.max_output_bytes == usize::MAX {
            loaded.instance.check_export()
        } else {
            // The size is needed before anything is written.
            let mut count = ByteCount::default();
            let r = loaded.instance.export_json_to(&mut count);
            size = size.saturating_add(count.0);
            r
        };
        if let Err(errors) = checked {
            report(&errors);
            return EXIT_ERRORS;
        }
    }
    if let Err(msg) = super::limits::check_output_size(limits, size) {
        eprintln!("{msg}");
        return EXIT_ERRORS;
    }
    output.emit_with(|w| {
        let mut out = IoOut { w, err: None };
        for loaded in instances.iter_mut() {
            if let Err(errors) = loaded.instance.export_json_to(&mut out) {
                // Checked above; kept for safety rather than trusted.
                report(&errors);
                return Err(std::io::Error::other("export failed while writing"));
            }
        }
        out.err.map_or(Ok(()), Err)
    })
}

/// Exports every instance, then every expression in it, one value each,
/// into `enc`. The first failure is reported and nothing is kept.
pub fn encode_all(
    instances: &mut [rcue_load::Loaded],
    exprs: &[Option<&str>],
    enc: &mut Encoder,
) -> Result<(), u8> {
    for loaded in instances.iter_mut() {
        if exprs.iter().all(Option::is_none) {
            // Nothing is compiled in the package's scope any more.
            loaded.instance.release_syntax();
        }
        for e in exprs {
            let pushed = if enc.format == Format::Json && !enc.escape_html {
                // Written as evaluated: no data tree for large outputs.
                enc.count += 1;
                loaded.instance.export_json_into(*e, &mut enc.out)
            } else {
                loaded
                    .instance
                    .export(*e)
                    .and_then(|data| enc.push(&data).map_err(|e| vec![e]))
            };
            if let Err(errors) = pushed {
                report(&errors);
                return Err(EXIT_ERRORS);
            }
        }
    }
    Ok(())
}

/// The `-e` arguments, or the whole instance when there are none.
pub fn expressions(exprs: &[String]) -> Vec<Option<&str>> {
    if exprs.is_empty() {
        vec![None]
    } else {
        exprs.iter().map(|e| Some(e.as_str())).collect()
    }
}

/// Data output formats.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    Cue,
    Text,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "json" => Format::Json,
            "yaml" => Format::Yaml,
            "cue" => Format::Cue,
            "text" => Format::Text,
            _ => return None,
        })
    }
}

/// Writes a sequence of values as `cue` does: JSON values one after
/// another, YAML documents separated by `---`, CUE values by `// ---`,
/// text values one per line.
pub struct Encoder {
    format: Format,
    escape_html: bool,
    count: usize,
    pub out: String,
}

impl Encoder {
    pub fn new(format: Format, escape_html: bool) -> Encoder {
        Encoder {
            format,
            escape_html,
            count: 0,
            out: String::new(),
        }
    }

    pub fn push(&mut self, data: &Data) -> Result<(), rcue_eval::Error> {
        let first = self.count == 0;
        self.count += 1;
        match (self.format, data) {
            (Format::Json, _) => {
                let text = rcue_eval::export::to_json(data);
                if self.escape_html {
                    self.out.push_str(&escape_html(&text));
                } else {
                    self.out.push_str(&text);
                }
            }
            (Format::Yaml, _) => {
                if !first {
                    self.out.push_str("---\n");
                }
                self.out.push_str(&rcue_eval::export::to_yaml(data));
            }
            (Format::Cue, _) => {
                if !first {
                    self.out.push_str("// ---\n");
                }
                self.out.push_str(&rcue_eval::export::to_cue(data));
            }
            (Format::Text, Data::Str(s)) => {
                self.out.push_str(s);
                self.out.push('\n');
            }
            (Format::Text, _) => {
                return Err(rcue_eval::Error {
                    path: String::new(),
                    msg: "--out text needs a string value".into(),
                    pos: Vec::new(),
                    incomplete: false,
                })
            }
        }
        Ok(())
    }
}

/// JSON text with `<`, `>` and `&` escaped as Go's encoding/json does with
/// HTML escaping on. Outside strings JSON text never holds these
/// characters, so every occurrence is inside a string.
pub fn escape_html(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_touches_only_three_characters() {
        assert_eq!(
            escape_html("{\"a\": \"& < > \\\" é\"}"),
            "{\"a\": \"\\u0026 \\u003c \\u003e \\\" é\"}"
        );
    }
}
