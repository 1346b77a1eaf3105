pub mod card;
pub mod card_actions;
pub mod create_form;
pub mod format;
pub mod gallery;
pub mod header;
pub mod live;
pub mod verify_banner;
