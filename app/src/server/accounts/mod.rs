//! Who the users are: accounts, sign-up and email verification, passwords (and resetting a
//! forgotten one), browser sessions and API tokens.

pub mod passwords;
pub mod reset;
pub mod secrets;
pub mod sessions;
pub mod signup;
pub mod tokens;
pub mod users;
pub mod verification;
