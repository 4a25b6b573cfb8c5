//! The `rcue` examples, built and run from a separate crate.

#[path = "../../rcue/examples/validate_config.rs"]
mod validate_config;

#[path = "../../rcue/examples/render_module.rs"]
mod render_module;

#[test]
fn validate_config_example() {
    let out = validate_config::run().unwrap();
    let (good, bad) = out.split_once("invalid:\n").unwrap();
    assert!(good.contains("log_level: Some(\"info\")"), "{good}");
    let paths: Vec<&str> = bad
        .lines()
        .filter(|l| l.starts_with("  #"))
        .filter_map(|l| l.trim().split(": ").next())
        .collect();
    assert_eq!(
        paths,
        [
            "#Config.name",
            "#Config.replicas",
            "#Config.port",
            "#Config.log_level"
        ],
        "{bad}"
    );
}

#[test]
fn validate_accepts_and_rejects() {
    let good = validate_config::Config {
        name: "web".into(),
        replicas: 1,
        port: 8443,
        log_level: Some("debug".into()),
    };
    assert_eq!(validate_config::check(&good).unwrap(), good);
    let bad = validate_config::Config { port: 22, ..good };
    let err = validate_config::check(&bad).unwrap_err();
    assert_eq!(err.issues().len(), 1);
    assert_eq!(err.issues()[0].path, "#Config.port");
}

#[test]
fn render_module_example() {
    let (summary, yaml) = render_module::run(&render_module::example_module(), "staging").unwrap();
    assert_eq!(summary.len(), 7, "{summary:#?}");
    assert!(summary.iter().any(|l| l.starts_with("StatefulSet ")));
    assert_eq!(yaml.matches("namespace: staging").count(), 7);
}

#[test]
fn render_missing_module_is_an_error() {
    let err = render_module::run(std::path::Path::new("/nonexistent/module"), "x").unwrap_err();
    assert!(!err.issues().is_empty());
}
