//! Parses every `.cue` section of txtar files (or plain `.cue` files) given
//! on the command line and reports the files with syntax errors.
use std::env;

fn main() {
    let mut total = 0;
    let mut failed = 0;
    for path in env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let sections: Vec<(String, String)> = if path.ends_with(".txtar") {
            let mut out = Vec::new();
            let mut cur: Option<(String, String)> = None;
            for line in text.split_inclusive('\n') {
                if let Some(name) = line
                    .strip_prefix("-- ")
                    .and_then(|l| l.trim_end().strip_suffix(" --"))
                {
                    if let Some(c) = cur.take() {
                        out.push(c);
                    }
                    cur = Some((name.to_string(), String::new()));
                } else if let Some((_, body)) = cur.as_mut() {
                    body.push_str(line);
                }
            }
            out.extend(cur);
            out.into_iter()
                .filter(|(n, _)| n.ends_with(".cue"))
                .collect()
        } else {
            vec![(path.clone(), text)]
        };
        for (name, src) in sections {
            total += 1;
            let (_, errs) = rcue_syntax::parse_file(&src);
            if !errs.is_empty() {
                failed += 1;
                let idx = rcue_syntax::LineIndex::new(&src);
                println!(
                    "{path}:{name}: {}",
                    errs[0].render(&name, &idx).replace('\n', " ")
                );
            }
        }
    }
    println!("parsed {total} files, {failed} with errors");
}
