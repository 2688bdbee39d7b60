//! Connector hosts: `@local`, `@ssh/<address>`, `@docker/<id>`, ...
//!
//! As in pyinfra, a connector turns one inventory name into one or more
//! hosts, each with data (`ssh_hostname`, `docker_identifier`, ...) and
//! implicit groups (`@docker`). Library users can register their own.

use std::collections::BTreeMap;
use std::sync::Arc;

/// A host a connector makes from an inventory name.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectorHost {
    /// The host's name (for the built-in connectors, the name as written).
    pub name: String,
    /// Data the connector gives the host (ranked below host data).
    pub data: toml::Table,
    /// Implicit groups, placed after the host's explicit groups.
    pub groups: Vec<String>,
}

/// Turns `@name/argument` into hosts.
pub trait Connector: Send + Sync {
    /// The name after `@` (`docker`).
    fn name(&self) -> &str;

    /// Makes the hosts for `@name` (argument `None`) or `@name/argument`.
    /// An `Err` is a message for the person who wrote the inventory.
    fn expand(&self, argument: Option<&str>) -> Result<Vec<ConnectorHost>, String>;
}

/// The connectors pyinfra ships, with the same data and groups.
#[derive(Clone, Copy, Debug)]
enum Builtin {
    Local,
    Ssh,
    Docker,
    Podman,
    Chroot,
    DockerSsh,
    PodmanSsh,
}

impl Builtin {
    const ALL: [Builtin; 7] = [
        Builtin::Local,
        Builtin::Ssh,
        Builtin::Docker,
        Builtin::Podman,
        Builtin::Chroot,
        Builtin::DockerSsh,
        Builtin::PodmanSsh,
    ];
}

fn one(name: String, data: &[(&str, String)], group: Option<&str>) -> Vec<ConnectorHost> {
    vec![ConnectorHost {
        name,
        data: data
            .iter()
            .map(|(k, v)| (k.to_string(), toml::Value::String(v.clone())))
            .collect(),
        groups: group.map(str::to_string).into_iter().collect(),
    }]
}

/// The connector's argument, or why it is missing: what it names, then an
/// example (`no address given; write `@ssh/10.0.0.5``).
fn required<'a>(argument: Option<&'a str>, what: &str, example: &str) -> Result<&'a str, String> {
    argument
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("no {what} given; write `{example}`"))
}

impl Connector for Builtin {
    fn name(&self) -> &str {
        match self {
            Builtin::Local => "local",
            Builtin::Ssh => "ssh",
            Builtin::Docker => "docker",
            Builtin::Podman => "podman",
            Builtin::Chroot => "chroot",
            Builtin::DockerSsh => "dockerssh",
            Builtin::PodmanSsh => "podmanssh",
        }
    }

    fn expand(&self, argument: Option<&str>) -> Result<Vec<ConnectorHost>, String> {
        let name = self.name();
        Ok(match self {
            Builtin::Local => {
                if argument.is_some() {
                    return Err(
                        "`@local` takes no argument: there is only one local machine".into(),
                    );
                }
                one("@local".into(), &[], Some("@local"))
            }
            Builtin::Ssh => {
                let host = required(argument, "address", "@ssh/10.0.0.5")?;
                one(
                    format!("@ssh/{host}"),
                    &[("ssh_hostname", host.to_string())],
                    None,
                )
            }
            Builtin::Docker | Builtin::Podman => {
                let id = required(argument, "container or image", &format!("@{name}/<id>"))?;
                one(
                    format!("@{name}/{id}"),
                    &[("docker_identifier", id.to_string())],
                    Some(&format!("@{name}")),
                )
            }
            Builtin::Chroot => {
                let dir = required(argument, "directory", "@chroot/srv/root")?;
                let directory = format!("/{}", dir.trim_start_matches('/'));
                one(
                    format!("@chroot/{dir}"),
                    &[("chroot_directory", directory)],
                    Some("@chroot"),
                )
            }
            Builtin::DockerSsh | Builtin::PodmanSsh => {
                let arg = required(
                    argument,
                    "host and image",
                    &format!("@{name}/<host>:<image>"),
                )?;
                let Some((host, image)) = arg
                    .split_once(':')
                    .filter(|(h, i)| !h.is_empty() && !i.is_empty())
                else {
                    return Err(format!(
                        "`{arg}` is not `<host>:<image>`; write `@{name}/builder.example.com:ubuntu:24.04`"
                    ));
                };
                one(
                    format!("@{name}/{host}:{image}"),
                    &[
                        ("ssh_hostname", host.to_string()),
                        ("docker_image", image.to_string()),
                    ],
                    Some(&format!("@{name}")),
                )
            }
        })
    }
}

/// The set of connectors an inventory may use, by name.
#[derive(Clone)]
pub struct Connectors {
    by_name: BTreeMap<String, Arc<dyn Connector>>,
}

impl std::fmt::Debug for Connectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.by_name.keys()).finish()
    }
}

impl Default for Connectors {
    fn default() -> Self {
        Connectors::builtin()
    }
}

impl Connectors {
    /// pyinfra's connectors: `local`, `ssh`, `docker`, `podman`, `chroot`,
    /// `dockerssh`, `podmanssh`.
    pub fn builtin() -> Connectors {
        let mut c = Connectors::none();
        for b in Builtin::ALL {
            c.register(b);
        }
        c
    }

    /// No connector at all: every `@name` is unknown.
    pub fn none() -> Connectors {
        Connectors {
            by_name: BTreeMap::new(),
        }
    }

    /// Adds (or replaces) a connector.
    pub fn register(&mut self, connector: impl Connector + 'static) -> &mut Connectors {
        self.by_name
            .insert(connector.name().to_string(), Arc::new(connector));
        self
    }

    /// The connector called `name`.
    pub fn get(&self, name: &str) -> Option<&dyn Connector> {
        self.by_name.get(name).map(|c| c.as_ref())
    }

    /// Names of the registered connectors.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }
}

/// Splits `@name/argument` into the connector name and its argument.
/// Returns `None` for a name that does not start with `@`.
pub fn split(name: &str) -> Option<(&str, Option<&str>)> {
    let rest = name.strip_prefix('@')?;
    Some(match rest.split_once('/') {
        Some((n, a)) => (n, Some(a)),
        None => (rest, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(name: &str) -> Result<Vec<ConnectorHost>, String> {
        let (c, arg) = split(name).unwrap();
        Connectors::builtin().get(c).ok_or("unknown")?.expand(arg)
    }

    #[test]
    fn builtin_connectors() {
        // (name, data, groups) as pyinfra 3.10 makes them.
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);
        let cases: &[Case] = &[
            ("@local", &[], &["@local"]),
            ("@ssh/10.0.0.5", &[("ssh_hostname", "10.0.0.5")], &[]),
            ("@docker/web", &[("docker_identifier", "web")], &["@docker"]),
            ("@podman/db", &[("docker_identifier", "db")], &["@podman"]),
            (
                "@chroot/srv/root",
                &[("chroot_directory", "/srv/root")],
                &["@chroot"],
            ),
            (
                "@dockerssh/h1:ubuntu:22.04",
                &[("ssh_hostname", "h1"), ("docker_image", "ubuntu:22.04")],
                &["@dockerssh"],
            ),
            (
                "@podmanssh/h1:alpine",
                &[("ssh_hostname", "h1"), ("docker_image", "alpine")],
                &["@podmanssh"],
            ),
        ];
        for (name, data, groups) in cases {
            let hosts = expand(name).unwrap();
            assert_eq!(hosts.len(), 1);
            assert_eq!(hosts[0].name, *name);
            let want: toml::Table = data
                .iter()
                .map(|(k, v)| (k.to_string(), toml::Value::from(*v)))
                .collect();
            assert_eq!(hosts[0].data, want, "{name}");
            assert_eq!(hosts[0].groups, *groups, "{name}");
        }
    }

    #[test]
    fn bad_arguments() {
        for name in [
            "@local/x",
            "@ssh",
            "@ssh/",
            "@docker",
            "@chroot",
            "@dockerssh/h1",
            "@dockerssh/h1:",
            "@dockerssh/:img",
        ] {
            assert!(expand(name).is_err(), "{name}");
        }
    }
}
