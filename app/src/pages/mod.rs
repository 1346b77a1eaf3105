pub mod admin;
pub mod auth;
pub mod billing;
pub mod home;
pub mod settings;
pub mod viewer;
