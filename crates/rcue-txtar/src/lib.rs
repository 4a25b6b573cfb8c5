//! txtar archives: a comment, then files introduced by `-- name --` lines.
//!
//! rcue's golden tests keep their inputs and expected outputs in one such
//! file, as the CUE project does; `UPDATE_GOLDEN=1` rewrites expectations.
//!
//! ```
//! let a = rcue_txtar::Archive::parse("note\n-- a.cue --\nx: 1\n");
//! assert_eq!(a.comment, "note\n");
//! assert_eq!(a.file("a.cue"), Some("x: 1\n"));
//! ```

use std::path::Path;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Archive {
    pub comment: String,
    pub files: Vec<(String, String)>,
}

impl Archive {
    pub fn parse(text: &str) -> Archive {
        let mut a = Archive::default();
        let mut current: Option<(String, String)> = None;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_end_matches(['\n', '\r']);
            if let Some(name) = trimmed
                .strip_prefix("-- ")
                .and_then(|l| l.strip_suffix(" --"))
            {
                if let Some(f) = current.take() {
                    a.files.push(f);
                }
                current = Some((name.trim().to_string(), String::new()));
                continue;
            }
            match current.as_mut() {
                Some((_, body)) => body.push_str(line),
                None => a.comment.push_str(line),
            }
        }
        a.files.extend(current);
        a
    }

    pub fn read(path: &Path) -> std::io::Result<Archive> {
        Ok(Archive::parse(&std::fs::read_to_string(path)?))
    }

    pub fn file(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_str())
    }

    /// Replaces the body of `name`, or appends it.
    pub fn set(&mut self, name: &str, body: String) {
        match self.files.iter_mut().find(|(n, _)| n == name) {
            Some(f) => f.1 = body,
            None => self.files.push((name.to_string(), body)),
        }
    }

    pub fn format(&self) -> String {
        let mut out = self.comment.clone();
        for (name, body) in &self.files {
            out.push_str("-- ");
            out.push_str(name);
            out.push_str(" --\n");
            out.push_str(body);
            if !body.is_empty() && !body.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let text = "# comment\n-- a --\nx\n-- b/c.cue --\n\n-- d --\n";
        let a = Archive::parse(text);
        assert_eq!(a.files.len(), 3);
        assert_eq!(a.file("b/c.cue"), Some("\n"));
        assert_eq!(a.file("d"), Some(""));
        assert_eq!(a.format(), text);
    }

    #[test]
    fn set_replaces_or_appends() {
        let mut a = Archive::parse("-- a --\n1\n");
        a.set("a", "2\n".into());
        a.set("b", "3".into());
        assert_eq!(a.format(), "-- a --\n2\n-- b --\n3\n");
    }
}
