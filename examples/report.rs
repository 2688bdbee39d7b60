//! A small deploy-tool front end on top of the strata library: loads an
//! inventory, selects hosts like `--limit`, reads typed connection settings,
//! and says where each one comes from.
//!
//! ```sh
//! cargo run -q -p strata --example report -- examples/basic 'webservers'
//! ```

use serde::Deserialize;

/// The part of each host's data this "deploy tool" needs.
#[derive(Debug, Deserialize)]
struct Connection {
    ssh_user: Option<String>,
    ssh_port: Option<u16>,
    ssh_hostname: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root = args.next().unwrap_or_else(|| "examples/basic".into());
    let limit = args.next().unwrap_or_else(|| "all".into());

    let inventory = match strata::Inventory::load(&root) {
        Ok(inv) => inv,
        Err(err) => {
            // Every problem, each with its file, line and column.
            for d in err.diagnostics() {
                eprintln!("{}", d.one_line(err.files()));
            }
            std::process::exit(1);
        }
    };

    for host in inventory.select(&limit)? {
        let data = host.data();
        let conn: Connection = data.deserialize()?;
        let groups: Vec<&str> = host.groups().map(|g| g.name()).collect();
        println!("{} [{}]", host.name(), groups.join(", "));
        let target = conn.ssh_hostname.as_deref().unwrap_or(host.name());
        println!(
            "  connect: {}@{}:{}",
            conn.ssh_user.as_deref().unwrap_or("root"),
            target,
            conn.ssh_port.unwrap_or(22)
        );
        for key in ["ssh_user", "ssh_port"] {
            if let Some(origin) = data.origin(key) {
                println!("  {key} from {origin}");
            }
        }
    }
    Ok(())
}
