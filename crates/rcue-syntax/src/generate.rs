//! Deterministic generation of large, realistic CUE sources for benchmarks
//! and stress tests (Kubernetes-style definitions and values).

use std::fmt::Write;

/// Returns CUE text of at least `bytes` bytes: a schema followed by as many
/// app declarations as needed.
pub fn kubernetes_like(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 4096);
    s.push_str(
        r#"package bench

import "strings"

#Port: {
	name?:         =~"^[a-z][a-z0-9-]*$"
	containerPort: int & >0 & <65536
	protocol:      *"TCP" | "UDP" | "SCTP"
}

#Container: {
	name:  string
	image: =~"^[a-z0-9./-]+(:[a-zA-Z0-9._-]+)?$"
	ports: [...#Port]
	env: [string]: string
	resources: {
		limits?: {cpu?: string, memory?: string}
	}
}

#App: {
	name:     strings.MinRunes(1)
	replicas: *1 | int & >=0
	kind:     *"Deployment" | "StatefulSet" | "DaemonSet"
	labels: [string]: string
	containers: [...#Container]
}

"#,
    );
    let mut i = 0usize;
    while s.len() < bytes {
        let _ = write!(
            s,
            r#"apps: "app-{i}": #App & {{
	name:     "app-{i}"
	replicas: {r}
	labels: {{
		"app.kubernetes.io/name":    "app-{i}"
		"app.kubernetes.io/part-of": "bench" // owner
	}}
	containers: [{{
		name:  "main"
		image: "registry.example.com/team/app-{i}:v1.{r}.0"
		ports: [{{containerPort: {port}, name: "http"}}, {{containerPort: {port2}}}]
		env: {{
			LOG_LEVEL: "info"
			GREETING:  "hello \(name) number {i}"
		}}
		resources: limits: {{cpu: "500m", memory: "{mem}Mi"}}
	}}]
}}
services: "app-{i}": {{
	for c in apps["app-{i}"].containers for p in c.ports {{
		"\(c.name)-\(p.containerPort)": {{port: p.containerPort, targetPort: p.containerPort * 1 + 0}}
	}}
	if apps["app-{i}"].replicas > 1 {{ainfo: "scaled"}}
}}
"#,
            i = i,
            r = i % 7,
            port = 8000 + i % 1000,
            port2 = 9000 + i % 1000,
            mem = 128 << (i % 4),
        );
        i += 1;
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_source_parses() {
        let src = super::kubernetes_like(20_000);
        assert!(src.len() >= 20_000);
        let (_, errors) = crate::parse_file(&src);
        assert!(errors.is_empty(), "{:?}", errors);
    }
}
