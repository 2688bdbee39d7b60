//! `strata import`: bring an existing Ansible or pyinfra inventory into
//! strata's format, and prove, host by host and key by key, that strata
//! resolves what the source tool resolves.
//!
//! The pipeline, one module per step:
//!
//! 1. **read** what the tool says the inventory is, into one tool-neutral
//!    [`Imported`] ([`model`]): [`ansible`] from `ansible-inventory --list
//!    --export` and `--list`, [`pyinfra`] from pyinfra's own loader. The
//!    tools run through `strata-exec` (the one crate that starts
//!    processes), and only because the user asked for an import.
//! 2. **place** each value where strata's waterfall yields the tool's
//!    answer, pinning per host what no placement can give.
//! 3. **write** hosts.toml, `group_data/`, `host_data/` and a README into a
//!    temporary folder renamed into place, never a half-written DIR.
//! 4. **prove**: load the written inventory with strata and compare every
//!    host's groups and data with the tool's answer.

pub mod ansible;
pub mod model;
mod names;
pub mod place;
pub mod prove;
pub mod pyinfra;
pub mod value;
pub mod write;

pub use model::{Imported, ImportedGroup, Problem, Resolved, Tool, Vars};
pub use place::{Placed, place};
pub use prove::{Difference, Proof, prove};
pub use write::{Provenance, WriteError, check_not_inputs, check_target, write};

impl std::fmt::Display for Problem {
    /// `group `web`, key `port`: what is wrong`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.key {
            Some(k) => write!(f, "{}, key `{k}`: {}", self.subject, self.message),
            None => write!(f, "{}: {}", self.subject, self.message),
        }
    }
}
