//! Who the users are: accounts, passwords, browser sessions and API tokens.

pub mod passwords;
pub mod secrets;
pub mod sessions;
pub mod tokens;
pub mod users;
