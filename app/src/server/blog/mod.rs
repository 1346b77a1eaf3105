//! Reading a user's blog post: a safe fetch, a reader-view extraction, and the brief built from
//! it for the model.

pub mod brief;
pub mod extract;
pub mod fetch;
