//! `vet`'s quick check (`fastcheck`) may only accept documents that full
//! unification accepts too. These tests compare the two on generated
//! schemas and documents, and check that the quick path is really taken
//! for a typical Kubernetes-style schema.

use proptest::prelude::*;
use rcue_eval::Instance;

/// Field constraints the generated schemas use.
const CONSTRAINTS: &[&str] = &[
    "int",
    "int & >0 & <10",
    ">=-2 & <=2",
    "string",
    "=~\"^a\"",
    "!~\"^a\"",
    "\"x\" | \"y\"",
    "*\"d\" | string",
    "*1 | int",
    "*1 | *2 | int",
    "1",
    "1.0",
    "number",
    "float",
    "bool",
    "null",
    "_",
    "!=1",
    "<\"m\"",
    "[...int]",
    "[int, string]",
    "[int, ...string]",
    "[]",
    "{a: int}",
    "{a?: string, ...}",
    "{a: *0 | int, b?: bool}",
    "{[string]: int}",
    "{[=~\"^a\"]: string, b?: int}",
    "#Sub",
    "[...#Sub]",
    "int & string",
    "1 & 2",
    "{a: int} | {b: int}",
];

/// Data values the generated documents use.
const VALUES: &[&str] = &[
    "1",
    "0",
    "-2",
    "3.5",
    "1.0",
    "12",
    "\"a\"",
    "\"x\"",
    "\"d\"",
    "\"zz\"",
    "true",
    "null",
    "[]",
    "[1, 2]",
    "[1, \"a\"]",
    "[\"a\"]",
    "{}",
    "{\"a\": 1}",
    "{\"a\": \"x\"}",
    "{\"a\": 0, \"b\": true}",
    "{\"ab\": \"s\", \"b\": 2}",
    "[{\"a\": 1}, {}]",
];

const NAMES: &[&str] = &["f", "g", "h"];

fn schema(fields: &[(usize, usize, usize)], closed: bool) -> String {
    let mut s = String::from("#Sub: {a: int, b?: string}\n");
    s.push_str(if closed { "#S: {\n" } else { "#S: {\n\t...\n" });
    for &(name, marker, c) in fields {
        let marker = ["", "?", "!"][marker];
        s.push_str(&format!("\t{}{marker}: {}\n", NAMES[name], CONSTRAINTS[c]));
    }
    s.push_str("}\n");
    s
}

fn document(fields: &[(usize, usize)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|&(name, v)| format!("\"{}\": {}", ["f", "g", "h", "k"][name], VALUES[v]))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// The errors of vetting `doc` against `#S`, with or without the quick
/// check.
fn vet(src: &str, doc: &str, fast: bool) -> Vec<String> {
    let mut inst = Instance::from_sources(&[("s.cue", src)]).expect("schema compiles");
    inst.fast_vet = fast;
    let ast = rcue_syntax::data::parse_json(doc).expect("document is JSON");
    inst.vet_data(Some("#S"), "d.json", doc, &ast, true)
        .iter()
        .map(|e| format!("{}: {}", e.path, e.msg))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn quick_check_accepts_only_valid_documents(
        fields in prop::collection::vec((0..NAMES.len(), 0..3usize, 0..CONSTRAINTS.len()), 0..4),
        closed in any::<bool>(),
        data in prop::collection::vec((0..4usize, 0..VALUES.len()), 0..4),
    ) {
        let src = schema(&fields, closed);
        let doc = document(&data);
        let full = vet(&src, &doc, false);
        let quick = vet(&src, &doc, true);
        // Whatever the quick check decides, the answer is the full one.
        prop_assert_eq!(quick, full, "schema:\n{}\ndocument: {}", src, doc);
    }
}

/// `e` (a JSON document) as block YAML, at `indent`.
fn block_yaml(e: &rcue_syntax::ast::Expr, indent: usize, out: &mut String) {
    use rcue_syntax::ast::{Decl, ExprKind, ListElem};
    let pad = " ".repeat(indent);
    match &e.kind {
        ExprKind::Struct(s) if !s.decls.is_empty() => {
            for d in &s.decls {
                let Decl::Field(f) = d else { unreachable!() };
                let key = rcue_syntax::data::key_of(&f.label.kind).unwrap();
                out.push_str(&format!("\n{pad}{key}:"));
                block_yaml(&f.value, indent + 2, out);
            }
        }
        ExprKind::List(l) if !l.elems.is_empty() => {
            for el in &l.elems {
                let ListElem::Expr(x) = el else {
                    unreachable!()
                };
                out.push_str(&format!("\n{pad}-"));
                block_yaml(x, indent + 2, out);
            }
        }
        ExprKind::Struct(_) => out.push_str(" {}"),
        ExprKind::List(_) => out.push_str(" []"),
        // Strings quoted, so that `"1"` stays a string.
        ExprKind::String(s) => out.push_str(&format!(" '{}'", s.as_plain().unwrap())),
        _ => out.push_str(&format!(" {}", rcue_syntax::format::format_expr(e))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The check gives the same verdict on a document read by the block
    /// YAML reader as on its syntax tree, and accepts only valid ones.
    #[test]
    fn block_documents_get_the_same_verdict(
        fields in prop::collection::vec((0..NAMES.len(), 0..3usize, 0..CONSTRAINTS.len()), 0..4),
        closed in any::<bool>(),
        data in prop::collection::vec((0..4usize, 0..VALUES.len()), 0..4),
    ) {
        let src = schema(&fields, closed);
        let json = rcue_syntax::data::parse_json(&document(&data)).expect("document is JSON");
        let mut yaml = String::new();
        block_yaml(&json, 0, &mut yaml);
        let yaml = format!("---{yaml}\n");
        let mut tree = rcue_syntax::data::BlockTree::default();
        prop_assume!(rcue_syntax::data::read_block_document(&yaml, 0..yaml.len(), &mut tree));
        let mut inst = Instance::from_sources(&[("s.cue", &src)]).expect("schema compiles");
        if let Some(fast) = inst.fast_schema(Some("#S")) {
            let ast = rcue_syntax::data::parse_yaml_stream(&yaml).expect("valid YAML");
            let verdict = fast.accepts_block(&tree);
            prop_assert_eq!(verdict, fast.accepts(&ast[0]), "schema:\n{}\ndocument:{}", src, yaml);
            inst.fast_vet = false;
            let errors = inst.vet_data(Some("#S"), "d.yaml", &yaml, &ast[0], true);
            prop_assert!(!verdict || errors.is_empty(), "schema:\n{}\ndocument:{}", src, yaml);
        }
    }
}

/// A duplicate key unifies two values; the quick check leaves it alone.
#[test]
fn duplicate_keys_go_to_full_evaluation() {
    let src = "#S: {a: int}\n";
    let doc = r#"{"a": 1, "a": 2}"#;
    assert_eq!(vet(src, doc, true), vet(src, doc, false));
}

const K8S: &str = r#"
#Name: =~"^[a-z][a-z0-9-]{0,62}$"
#Object: {
    apiVersion: "apps/v1" | "v1"
    kind: "Deployment" | "Service"
    metadata: {
        name: #Name
        namespace: *"default" | #Name
        labels: [string]: string
    }
    spec: {
        replicas?: int & >=0 & <=100
        template?: spec: containers: [...#Container]
    }
}
#Container: {
    name: #Name
    image: string
    ports?: [...{containerPort: int & >0 & <65536, protocol: *"TCP" | "UDP"}]
}
"#;

const VALID: &str = r#"{"apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "labels": {"app": "web"}},
  "spec": {"replicas": 3, "template": {"spec": {"containers": [
    {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}}}}"#;

#[test]
fn typical_schema_takes_the_quick_path() {
    let mut inst = Instance::from_sources(&[("s.cue", K8S)]).expect("schema compiles");
    let fast = inst
        .fast_schema(Some("#Object"))
        .expect("the schema is in the quick check's subset");
    let ok = rcue_syntax::data::parse_json(VALID).unwrap();
    assert!(fast.accepts(&ok));
    for bad in [
        VALID.replace("\"web\", \"labels\"", "\"Web\", \"labels\""),
        VALID.replace("\"replicas\": 3", "\"replicas\": 300"),
        VALID.replace("\"containerPort\": 80", "\"containerPort\": 80, \"x\": 1"),
        VALID.replace("\"kind\": \"Deployment\",", ""),
    ] {
        let doc = rcue_syntax::data::parse_json(&bad).unwrap();
        assert!(!fast.accepts(&doc), "{bad}");
        assert!(!inst
            .vet_data(Some("#Object"), "d.json", &bad, &doc, true)
            .is_empty());
    }
}

#[test]
fn schemas_outside_the_subset_have_no_quick_check() {
    for src in [
        "#S: {a: int, b: a}",
        "#S: {a: int, if a > 1 {b: int}}",
        "#S: {#Base, a: int}\n#Base: {b: int}",
        "import \"strings\"\n#S: {a: strings.MinRunes(2)}",
        "x: int\n#S: {a: x}",
    ] {
        let mut inst = Instance::from_sources(&[("s.cue", src)]).expect("schema compiles");
        assert!(inst.fast_schema(Some("#S")).is_none(), "{src}");
    }
}

#[test]
fn self_referencing_definitions_end() {
    let src = "#S: #S & {a: int}\n";
    let doc = r#"{"a": 1}"#;
    assert_eq!(vet(src, doc, true), vet(src, doc, false));
}
