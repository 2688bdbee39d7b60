//! External sources (`sources/<name>.toml`) in the resolver: asking for
//! their answers ([`fetch`]) and merging an answer's groups ([`merge`]).

pub mod fetch;
pub(crate) mod merge;
