//! `cue.mod/module.cue`: the module's path and its dependencies.

use std::path::Path;

use rcue_eval::export::Data;
use rcue_eval::{Error, Instance};

/// What rcue reads from a module file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModuleFile {
    /// `module: "example.com/x@v0"`; empty in legacy module files.
    pub module: String,
    /// `deps: "mod@v1": v: "v1.2.3"`, as (module with major, version).
    pub deps: Vec<(String, String)>,
}

/// Reads and evaluates `<root>/cue.mod/module.cue`. A legacy `cue.mod`
/// directory without one is a module with no path.
pub fn read_module_file(root: &Path, shown: &str) -> Result<ModuleFile, Vec<Error>> {
    let path = root.join("cue.mod").join("module.cue");
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(ModuleFile::default());
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        vec![Error {
            path: String::new(),
            msg: format!("{shown}: invalid UTF-8"),
            pos: Vec::new(),
            incomplete: false,
        }]
    })?;
    parse_module_file(shown, &text)
}

/// Evaluates module file text.
pub fn parse_module_file(shown: &str, text: &str) -> Result<ModuleFile, Vec<Error>> {
    let mut inst = Instance::from_sources(&[(shown, text)])?;
    let data = inst.export(None)?;
    let mut out = ModuleFile::default();
    let Data::Object(fields) = data else {
        return Ok(out);
    };
    for (k, v) in fields {
        match (k.as_str(), v) {
            ("module", Data::Str(s)) => out.module = s,
            ("deps", Data::Object(deps)) => {
                for (m, d) in deps {
                    if let Data::Object(f) = d {
                        if let Some((_, Data::Str(v))) = f.iter().find(|(k, _)| k == "v") {
                            out.deps.push((m, v.clone()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_path_and_deps() {
        let m = parse_module_file(
            "module.cue",
            "module: \"example.com/app@v0\"\nlanguage: version: \"v0.13.0\"\ndeps: \"opmodel.dev@v1\": v: \"v1.0.0\"\n",
        )
        .unwrap();
        assert_eq!(m.module, "example.com/app@v0");
        assert_eq!(
            m.deps,
            [("opmodel.dev@v1".to_string(), "v1.0.0".to_string())]
        );
    }

    #[test]
    fn bad_module_files_are_errors() {
        assert!(parse_module_file("module.cue", "module: 1 +\n").is_err());
    }
}
