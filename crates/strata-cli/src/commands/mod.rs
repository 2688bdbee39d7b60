//! One module per subcommand, each with its `run`: it takes the command's
//! part of the [`Plan`](crate::plan::Plan), loads what it needs
//! (`load.rs`) and prints; the helpers they share.

pub mod ansible;
pub mod check;
pub mod diff;
pub mod explain;
pub mod graph;
pub mod groups;
pub mod help;
pub mod host;
pub mod hosts;
pub mod import;
pub mod list;
pub mod lsp;

use std::io::{self, Write};

use rayon::prelude::*;
use strata::{Host, Inventory};

/// Hosts rendered per batch by [`write_hosts`]: enough to keep every core
/// busy, few enough that a batch's text stays a few megabytes.
const BATCH: usize = 2048;

/// Writes `render(host)` for every host, separated by commas, in order.
/// Hosts are rendered in parallel, a batch at a time, and each batch is
/// written before the next is rendered: output is byte-for-byte what a
/// serial loop writes, memory stays bounded, and a closed pipe stops the
/// work at the next batch. Rendering a host's merged data as JSON is the
/// serial part of `list` and `ansible --list` that grows with the fleet.
pub fn write_hosts<'a, F>(out: &mut impl Write, hosts: &[Host<'a>], render: F) -> io::Result<()>
where
    F: Fn(&mut Vec<u8>, Host<'a>) -> io::Result<()> + Sync,
{
    write_hosts_between(out, hosts, b',', render)
}

/// [`write_hosts`] with `sep` between two hosts.
pub fn write_hosts_between<'a, F>(
    out: &mut impl Write,
    hosts: &[Host<'a>],
    sep: u8,
    render: F,
) -> io::Result<()>
where
    F: Fn(&mut Vec<u8>, Host<'a>) -> io::Result<()> + Sync,
{
    for (b, batch) in hosts.chunks(BATCH).enumerate() {
        let parts: Vec<io::Result<Vec<u8>>> = batch
            .par_chunks(64)
            .map(|hs| {
                let mut buf = Vec::with_capacity(hs.len() * 1024);
                for (i, h) in hs.iter().enumerate() {
                    if i > 0 {
                        buf.push(sep);
                    }
                    render(&mut buf, *h)?;
                }
                Ok(buf)
            })
            .collect();
        for (i, part) in parts.into_iter().enumerate() {
            if b > 0 || i > 0 {
                out.write_all(&[sep])?;
            }
            out.write_all(&part?)?;
        }
    }
    Ok(())
}

/// The groups to show for a selection: every group when nothing was
/// limited; otherwise each group with only its selected hosts, dropping
/// groups the limit emptied.
pub fn groups_for<'a>(
    inv: &'a Inventory,
    selected: &[Host<'a>],
    limited: bool,
) -> Vec<(&'a str, Members<'a>)> {
    if !limited {
        return inv.groups().map(|g| (g.name(), Members::All(g))).collect();
    }
    let mut chosen = vec![false; inv.len()];
    for h in selected {
        chosen[h.index()] = true;
    }
    inv.groups()
        .filter_map(|g| {
            let members: Vec<&str> = g
                .hosts()
                .filter(|h| chosen[h.index()])
                .map(|h| h.name())
                .collect();
            (!members.is_empty()).then_some((g.name(), Members::Chosen(members)))
        })
        .collect()
}

/// A group's hosts as a command shows them: every one, read from the
/// group as they are written (a list of names per group would be 4 MB at
/// 100,000 hosts), or those a limit chose.
pub enum Members<'a> {
    /// Every host of the group.
    All(strata::Group<'a>),
    /// The group's hosts that the limit selected.
    Chosen(Vec<&'a str>),
}

impl<'a> Members<'a> {
    /// The hosts' names in inventory order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = &'a str> + '_> {
        match self {
            Members::All(g) => Box::new(g.hosts().map(|h| h.name())),
            Members::Chosen(names) => Box::new(names.iter().copied()),
        }
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        match self {
            Members::All(g) => g.hosts().len() == 0,
            Members::Chosen(names) => names.is_empty(),
        }
    }
}

impl serde::Serialize for Members<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Batches and the chunks inside them join with exactly one comma, in
    /// host order, across every boundary.
    #[test]
    fn write_hosts_matches_a_serial_loop() {
        for n in [
            0,
            1,
            63,
            64,
            65,
            BATCH - 1,
            BATCH,
            BATCH + 1,
            2 * BATCH + 65,
        ] {
            let names: Vec<String> = (0..n).map(|i| format!("h{i}")).collect();
            let inv = Inventory::builder()
                .group("g", names.iter().map(String::as_str))
                .build()
                .unwrap();
            let hosts: Vec<Host<'_>> = inv.hosts().collect();
            let mut out = Vec::new();
            write_hosts(&mut out, &hosts, |buf, h| {
                buf.extend_from_slice(h.name().as_bytes());
                Ok(())
            })
            .unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                names.join(","),
                "{n} hosts"
            );
        }
    }

    #[test]
    fn write_hosts_stops_at_a_failed_write() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let inv = Inventory::builder().group("g", ["a", "b"]).build().unwrap();
        let hosts: Vec<Host<'_>> = inv.hosts().collect();
        let err = write_hosts(&mut Closed, &hosts, |buf, h| {
            buf.extend_from_slice(h.name().as_bytes());
            Ok(())
        })
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
}
