pub mod auth;
pub mod home;
