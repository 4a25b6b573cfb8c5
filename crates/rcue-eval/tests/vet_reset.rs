//! `Instance::vet_data` drops what each document added to the engine. These
//! tests check that doing so changes no result and leaves no vertex, scope
//! or cached value pointing at dropped entries.

use rcue_eval::{Error, Instance};

const SCHEMA: &str = r#"
#Name: =~"^[a-z][a-z0-9-]*$"
_prefix: "app-"
#Port: {
    name?: #Name
    port:  int & >0 & <65536
    protocol: *"TCP" | "UDP"
}
#Object: {
    kind: "Deployment" | "Service"
    metadata: {
        name:      #Name
        namespace: *"default" | #Name
        labels: [string]: string
        let full = "\(namespace)/\(name)"
        id: *full | string
    }
    if kind == "Service" {
        spec: ports: [...#Port] & [_, ...]
    }
    spec: replicas?: int & >=0
    spec: matchN(>=1, [{replicas: >0}, {ports: _}])
    tag: *(_prefix + metadata.name) | string
}
"#;

const DOCS: &[&str] = &[
    r#"{"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"replicas": 2}}"#,
    r#"{"kind": "Service", "metadata": {"name": "b", "labels": {"x": "y"}}, "spec": {"ports": [{"port": 80}]}}"#,
    r#"{"kind": "Job", "metadata": {"name": "C"}, "spec": {}}"#,
    r#"{"kind": "Service", "metadata": {"name": "d"}, "spec": {"ports": []}}"#,
    r#"{"kind": "Deployment", "metadata": {"name": "e", "namespace": "prod"}, "spec": {"replicas": -1}}"#,
    r#"{"kind": "Deployment", "metadata": {"name": "f"}, "spec": {"replicas": 1}, "extra": 1}"#,
];

fn render(errors: &[Error]) -> Vec<String> {
    errors
        .iter()
        .map(|e| format!("{}: {} {:?}", e.path, e.msg, e.pos))
        .collect()
}

fn vet(inst: &mut Instance, doc: &str) -> Vec<String> {
    let ast = rcue_syntax::data::parse_json(doc).expect("test document is JSON");
    render(&inst.vet_data(Some("#Object"), "doc.json", doc, &ast, true))
}

fn check_consistent(inst: &Instance) {
    let e = &inst.engine;
    e.check_below(
        e.v.len() as u32,
        e.envs.len() as u32,
        e.prog.exprs.len() as u32,
    )
    .expect("no reference past the end of a store");
}

#[test]
fn results_do_not_depend_on_earlier_documents() {
    // Each document alone, in a fresh instance.
    let alone: Vec<Vec<String>> = DOCS
        .iter()
        .map(|d| {
            vet(
                &mut Instance::from_sources(&[("s.cue", SCHEMA)]).unwrap(),
                d,
            )
        })
        .collect();
    assert!(alone[0].is_empty() && alone[1].is_empty(), "{alone:?}");
    assert!(alone[2..].iter().all(|e| !e.is_empty()), "{alone:?}");
    // All of them, three times over, in one instance.
    let mut inst = Instance::from_sources(&[("s.cue", SCHEMA)]).unwrap();
    let mut sizes = Vec::new();
    for round in 0..3 {
        for (i, d) in DOCS.iter().enumerate() {
            assert_eq!(vet(&mut inst, d), alone[i], "document {i}, round {round}");
            check_consistent(&inst);
        }
        sizes.push(inst.engine.v.len());
    }
    // Once the schema is warm, documents leave nothing behind.
    assert_eq!(sizes[1], sizes[2], "{sizes:?}");
}

#[test]
fn memory_does_not_grow_with_the_stream() {
    let mut inst = Instance::from_sources(&[("s.cue", SCHEMA)]).unwrap();
    for _ in 0..5 {
        vet(&mut inst, DOCS[1]);
    }
    let warm = (
        inst.engine.v.len(),
        inst.engine.envs.len(),
        inst.engine.prog.exprs.len(),
    );
    for _ in 0..200 {
        vet(&mut inst, DOCS[0]);
        vet(&mut inst, DOCS[1]);
    }
    let after = (
        inst.engine.v.len(),
        inst.engine.envs.len(),
        inst.engine.prog.exprs.len(),
    );
    assert_eq!(warm, after);
}
