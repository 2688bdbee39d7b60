//! External sources (`sources/<name>.toml`) in the resolver: asking for
//! their answers ([`fetch`]), planning an answer's groups ([`merge`]) and
//! placing the answer in the builder ([`place`]).

pub mod fetch;
pub(crate) mod merge;
mod place;
