#[test]
fn scratch() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases");
    let out_dir = std::path::Path::new("/tmp/fmtcmp");
    let _ = std::fs::create_dir_all(out_dir.join("in"));
    let _ = std::fs::create_dir_all(out_dir.join("out"));
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let mut cur: Option<(String, String)> = None;
        let mut secs = vec![];
        for line in text.split_inclusive('\n') {
            if let Some(name) = line.strip_prefix("-- ").and_then(|l| l.trim_end().strip_suffix(" --")) {
                secs.extend(cur.take());
                cur = Some((name.to_string(), String::new()));
                continue;
            }
            if let Some(c) = cur.as_mut() { c.1.push_str(line); }
        }
        secs.extend(cur);
        for (name, src) in secs {
            if !name.ends_with(".cue") { continue; }
            let (f, errs) = rcue_syntax::parse_file(&src);
            if !errs.is_empty() { continue; }
            let out = rcue_syntax::format::format_file(&f, &src);
            let stem = format!("{}__{}", p.file_stem().unwrap().to_string_lossy(), name.replace('/', "_"));
            std::fs::write(out_dir.join("in").join(&stem), &src).unwrap();
            std::fs::write(out_dir.join("out").join(&stem), &out).unwrap();
            n += 1;
        }
    }
    println!("wrote {n}");
}
