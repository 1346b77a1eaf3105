//! The models as the pages show them: what one costs, why it cannot draw what is asked, its
//! short name on a card. The catalogue is the server's (`server::models`); the browser has its
//! list (`ModelList`, from `list_models`) and says the same things from it.

use crate::model::models::ModelList;
use leptos::prelude::*;

/// "1 credit per image at 1K"; `thing`: what is priced ("image", "version").
pub fn price(credits: i64, thing: &str, resolution: &str) -> String {
    format!("{credits} credit{} per {thing} at {resolution}", plural(credits))
}

/// "Nano Banana 2" for "Nano Banana 2 (fast draft)": a card's room.
pub fn short_name(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name).trim()
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The models' short names by id, page-wide: the gallery island fills it from its props and
/// every card reads it.
#[derive(Clone, Copy)]
pub struct ModelNames(pub RwSignal<Vec<(String, String)>>);

impl ModelNames {
    pub fn of(list: &ModelList) -> Vec<(String, String)> {
        list.models.iter().map(|m| (m.id.clone(), short_name(&m.name).to_string())).collect()
    }

    /// The short name of `id`, else the id.
    pub fn name(self, id: &str) -> String {
        self.0.with(|names| names.iter().find(|(i, _)| i == id).map_or_else(|| id.to_string(), |(_, n)| n.clone()))
    }
}

pub fn model_names() -> ModelNames {
    crate::context::page_value(|| ModelNames(RwSignal::new(Vec::new())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_short_names_read_as_sentences() {
        assert_eq!(price(1, "image", "1K"), "1 credit per image at 1K");
        assert_eq!(price(2, "version", "4K"), "2 credits per version at 4K");
        assert_eq!(short_name("Nano Banana 2 (fast draft)"), "Nano Banana 2");
        assert_eq!(short_name("Seedream 4.5"), "Seedream 4.5");
    }
}
