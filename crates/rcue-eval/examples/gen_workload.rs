//! Generated inputs for the whole-command benchmarks (`bench/run.sh`).
//!
//! - `gen_workload apps N` writes a Kubernetes-style workload of N apps to
//!   stdout: definitions with bounds, regexes, defaults and disjunctions,
//!   apps unified with them, and Deployment / StatefulSet / DaemonSet
//!   manifests and Services built by `for` comprehensions with interpolation.
//! - `gen_workload module N DIR` writes an OPM module of N components into
//!   DIR, shaped like `examples/multi-tier-module` (it imports the embedded
//!   catalog `opmodel.dev/...@v1`).
//! - `gen_workload yaml MB DIR` writes about MB megabytes of Kubernetes-style
//!   objects as one YAML stream, `DIR/objects.yaml`, and the schema they are
//!   checked against, `DIR/schema.cue` (`rcue vet -d '#Object' ...`).
//!
//! Everything is deterministic: the same arguments give the same bytes.

use std::fmt::Write as _;
use std::path::Path;

/// A small deterministic generator (64-bit LCG), enough to vary the inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SCHEMA: &str = r#"package workload

#Name: =~"^[a-z][a-z0-9-]{0,62}$"

#Port: {
	name:          #Name
	containerPort: int & >0 & <65536
	protocol:      *"TCP" | "UDP" | "SCTP"
}

#Resources: {
	cpu:    *"100m" | =~"^[0-9]+m?$"
	memory: *"128Mi" | =~"^[0-9]+(Mi|Gi)$"
}

#App: {
	name:     #Name
	kind:     *"Deployment" | "StatefulSet" | "DaemonSet"
	image:    =~"^[a-z0-9./-]+(:[a-zA-Z0-9._-]+)?$"
	replicas: *1 | int & >=0 & <=100
	team:     #Name
	tier:     *"backend" | "frontend" | "data"
	ports: [...#Port]
	env: [string]: string
	resources: #Resources
}

apps: [Name=string]: #App & {name: Name}

manifests: {
	for n, a in apps {
		"\(a.kind)-\(n)": {
			if a.kind == "DaemonSet" {apiVersion: "apps/v1"}
			if a.kind != "DaemonSet" {apiVersion: "apps/v1"}
			kind: a.kind
			metadata: {
				name:      n
				namespace: "ns-\(a.team)"
				labels: {
					app:                       n
					team:                      a.team
					tier:                      a.tier
					"app.kubernetes.io/name":  n
					"app.kubernetes.io/part-of": "workload-\(a.team)"
				}
			}
			spec: {
				if a.kind != "DaemonSet" {replicas: a.replicas}
				if a.kind == "StatefulSet" {serviceName: n}
				selector: matchLabels: app: n
				template: {
					metadata: labels: {
						app:  n
						team: a.team
					}
					spec: containers: [{
						name:  n
						image: a.image
						ports: [for p in a.ports {
							name:          p.name
							containerPort: p.containerPort
							protocol:      p.protocol
						}]
						env: [for k, v in a.env {name: k, value: v}]
						resources: {
							requests: {cpu: a.resources.cpu, memory: a.resources.memory}
							limits: {cpu: a.resources.cpu, memory: a.resources.memory}
						}
					}]
				}
			}
		}
	}
}

services: {
	for n, a in apps if len(a.ports) > 0 {
		"svc-\(n)": {
			apiVersion: "v1"
			kind:       "Service"
			metadata: {
				name:      n
				namespace: "ns-\(a.team)"
				labels: app: n
			}
			spec: {
				selector: app: n
				ports: [for p in a.ports {
					name:       p.name
					port:       p.containerPort
					targetPort: p.containerPort
					protocol:   p.protocol
				}]
			}
		}
	}
}
"#;

fn apps(n: usize) -> String {
    let mut rng = Rng(7);
    let mut s = String::with_capacity(SCHEMA.len() + n * 400);
    s.push_str(SCHEMA);
    s.push_str("\napps: {\n");
    for i in 0..n {
        let team = rng.below(40);
        let kind = match rng.below(6) {
            0 => "\n\t\tkind: \"StatefulSet\"",
            1 => "\n\t\tkind: \"DaemonSet\"",
            _ => "",
        };
        let replicas = match rng.below(3) {
            0 => String::new(),
            _ => format!("\n\t\treplicas: {}", 1 + rng.below(10)),
        };
        let tier = ["", "\n\t\ttier: \"frontend\"", "\n\t\ttier: \"data\""][rng.below(3) as usize];
        let mut ports = String::new();
        for p in 0..rng.below(3) {
            let proto = if rng.below(5) == 0 {
                ", protocol: \"UDP\""
            } else {
                ""
            };
            let _ = write!(
                ports,
                "{}{{name: \"port-{p}\", containerPort: {}{proto}}}",
                if p > 0 { ", " } else { "" },
                8000 + rng.below(1000)
            );
        }
        let mut env = String::new();
        for e in 0..1 + rng.below(4) {
            let _ = write!(env, "\n\t\t\tVAR_{e}: \"value-{i}-{e}\"");
        }
        let resources = if rng.below(2) == 0 {
            format!(
                "\n\t\tresources: {{cpu: \"{}m\", memory: \"{}Mi\"}}",
                100 * (1 + rng.below(8)),
                128 * (1 + rng.below(8))
            )
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "\t\"app-{i}\": {{\n\t\timage: \"registry.example.com/team-{team}/app-{i}:v1.{}.{}\"\n\t\tteam: \"team-{team}\"{kind}{replicas}{tier}\n\t\tports: [{ports}]\n\t\tenv: {{{env}\n\t\t}}{resources}\n\t}}\n",
            rng.below(20),
            rng.below(20),
        );
    }
    s.push_str("}\n");
    s
}

/// The four component shapes of `examples/multi-tier-module`, with `{N}`
/// standing for the component's index.
const COMPONENTS: [&str; 4] = [
    r#"	"database-{N}": {
		resources_workload.#Container
		resources_storage.#Volumes
		traits_workload.#Scaling
		traits_workload.#UpdateStrategy
		traits_workload.#HealthCheck
		metadata: labels: "core.opmodel.dev/workload-type": "stateful"
		spec: {
			container: {
				image: #config.c{N}.image
				ports: postgres: targetPort: 5432
				volumeMounts: data: mountPath: "/var/lib/postgresql/data"
			}
			volumes: data: persistentClaim: size: "10Gi"
			scaling: count: #config.c{N}.scaling
			updateStrategy: {
				type: "RollingUpdate"
				rollingUpdate: {
					maxUnavailable: 1
					partition:      0
				}
			}
			healthCheck: livenessProbe: {
				exec: command: ["pg_isready", "-U", "postgres"]
				initialDelaySeconds: 30
				periodSeconds:       10
			}
		}
	}
"#,
    r#"	"log-agent-{N}": {
		resources_workload.#Container
		resources_storage.#Volumes
		traits_workload.#RestartPolicy
		traits_workload.#HealthCheck
		metadata: labels: "core.opmodel.dev/workload-type": "daemon"
		spec: {
			container: {
				image: #config.c{N}.image
				ports: http: targetPort: 2020
				volumeMounts: varlog: {
					mountPath: "/var/log"
					readOnly:  true
				}
			}
			volumes: varlog: emptyDir: {}
			restartPolicy: "Always"
			healthCheck: readinessProbe: {
				httpGet: {
					path: "/api/v1/health"
					port: 2020
				}
				initialDelaySeconds: 5
				periodSeconds:       5
			}
		}
	}
"#,
    r#"	"setup-job-{N}": {
		resources_workload.#Container
		traits_workload.#JobConfig
		traits_workload.#RestartPolicy
		metadata: labels: "core.opmodel.dev/workload-type": "task"
		spec: {
			container: {
				image: #config.c{N}.image
				args: ["-path", "/migrations", "up"]
			}
			jobConfig: {
				completions:  1
				parallelism:  1
				backoffLimit: 4
			}
			restartPolicy: "OnFailure"
		}
	}
"#,
    r#"	"backup-job-{N}": {
		resources_workload.#Container
		traits_workload.#CronJobConfig
		traits_workload.#RestartPolicy
		metadata: labels: "core.opmodel.dev/workload-type": "scheduled-task"
		spec: {
			container: {
				image: #config.c{N}.image
				command: ["sh", "-c", "pg_dump -h database -U postgres postgres"]
			}
			cronJobConfig: {
				scheduleCron:      #config.c{N}.schedule
				concurrencyPolicy: "Forbid"
			}
			restartPolicy: "OnFailure"
		}
	}
"#,
];

fn module(n: usize, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("cue.mod"))?;
    std::fs::write(
        dir.join("cue.mod/module.cue"),
        "module: \"example.com/generated-module@v0\"\nlanguage: version: \"v0.13.0\"\ndeps: \"opmodel.dev@v1\": v: \"v1.0.0\"\n",
    )?;
    let mut m = String::from(
        "package main\n\nimport (\n\t\"opmodel.dev/core@v1\"\n\tschemas \"opmodel.dev/schemas@v1\"\n)\n\ncore.#Module\n\nmetadata: {\n\tname:             \"generated-module\"\n\tversion:          \"0.1.0\"\n\tdefaultNamespace: \"default\"\n}\n\n#config: {\n",
    );
    let mut values = String::from("package main\n\nvalues: {\n");
    let mut comps = String::from(
        "package main\n\nimport (\n\tresources_workload \"opmodel.dev/resources/workload@v1\"\n\tresources_storage \"opmodel.dev/resources/storage@v1\"\n\ttraits_workload \"opmodel.dev/traits/workload@v1\"\n)\n\n#components: {\n",
    );
    for i in 0..n {
        let shape = i % 4;
        match shape {
            0 => {
                let _ = writeln!(
                    m,
                    "\tc{i}: {{\n\t\timage:   schemas.#Image\n\t\tscaling: int & >=1\n\t}}"
                );
                let _ = writeln!(
                    values,
                    "\tc{i}: {{image: \"postgres:15-alpine\", scaling: {}}}",
                    1 + i % 5
                );
            }
            3 => {
                let _ = writeln!(
                    m,
                    "\tc{i}: {{\n\t\timage:    schemas.#Image\n\t\tschedule: schemas.#CronSchedule\n\t}}"
                );
                let _ = writeln!(
                    values,
                    "\tc{i}: {{image: \"postgres:15-alpine\", schedule: \"0 {} * * *\"}}",
                    i % 24
                );
            }
            _ => {
                let _ = writeln!(m, "\tc{i}: image: schemas.#Image");
                let _ = writeln!(values, "\tc{i}: image: \"example/image-{i}:v1\"");
            }
        }
        comps.push_str(&COMPONENTS[shape].replace("{N}", &i.to_string()));
    }
    m.push_str("}\n");
    values.push_str("}\n");
    comps.push_str("}\n");
    std::fs::write(dir.join("module.cue"), m)?;
    std::fs::write(dir.join("values.cue"), values)?;
    std::fs::write(dir.join("components.cue"), comps)
}

const YAML_SCHEMA: &str = r#"package objects

#Name: =~"^[a-z][a-z0-9-]{0,62}$"

#Object: {
	apiVersion: "apps/v1" | "v1"
	kind:       "Deployment" | "StatefulSet" | "DaemonSet" | "Service"
	metadata: {
		name:      #Name
		namespace: *"default" | #Name
		labels: [string]: string
	}
	spec: {
		replicas?: int & >=0 & <=100
		selector?: matchLabels: [string]: string
		template?: {
			metadata: labels: [string]: string
			spec: containers: [...#Container]
		}
		ports?: [...{
			name:       #Name
			port:       int & >0 & <65536
			targetPort: int & >0 & <65536
			protocol:   *"TCP" | "UDP" | "SCTP"
		}]
	}
}

#Container: {
	name:  #Name
	image: =~"^[a-z0-9./-]+(:[a-zA-Z0-9._-]+)?$"
	ports?: [...{
		containerPort: int & >0 & <65536
		protocol:      *"TCP" | "UDP" | "SCTP"
	}]
	env?: [...{name: string, value: string}]
	resources?: [string]: {cpu?: string, memory?: string}
}
"#;

fn yaml(mb: usize, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("schema.cue"), YAML_SCHEMA)?;
    let mut rng = Rng(11);
    let target = mb << 20;
    let mut s = String::with_capacity(target + 4096);
    let mut i = 0;
    while s.len() < target {
        let team = rng.below(40);
        if i % 4 == 3 {
            let _ = write!(
                s,
                "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\n  namespace: ns-team-{team}\n  labels:\n    app: app-{i}\nspec:\n  selector:\n    matchLabels:\n      app: app-{i}\n  ports:\n    - name: http\n      port: {p}\n      targetPort: {p}\n",
                p = 8000 + rng.below(1000)
            );
        } else {
            let kind = ["Deployment", "StatefulSet", "DaemonSet"][rng.below(3) as usize];
            let _ = write!(
                s,
                "---\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: app-{i}\n  namespace: ns-team-{team}\n  labels:\n    app: app-{i}\n    team: team-{team}\nspec:\n  replicas: {r}\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      containers:\n        - name: app-{i}\n          image: registry.example.com/team-{team}/app-{i}:v1.{v}\n          ports:\n            - containerPort: {p}\n          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: INSTANCE\n              value: \"{i}\"\n          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n",
                r = rng.below(10),
                v = rng.below(20),
                p = 8000 + rng.below(1000)
            );
        }
        i += 1;
    }
    std::fs::write(dir.join("objects.yaml"), s)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num =
        |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("apps") => {
            print!("{}", apps(num(1, 1000)));
            Ok(())
        }
        Some("module") if args.len() == 3 => module(num(1, 500), Path::new(&args[2])),
        Some("yaml") if args.len() == 3 => yaml(num(1, 50), Path::new(&args[2])),
        _ => {
            eprintln!("usage: gen_workload apps N | module N DIR | yaml MB DIR");
            std::process::exit(2)
        }
    }
}
