//! What the form's fields add up to as they change: the characters of the long texts against
//! their limits, the look the model must be able to draw, and the credits a send costs.

use crate::model::models::{ModelInfo, ModelList};
use crate::model::Resolution;
use leptos::prelude::*;

use super::page;

/// What the model choice depends on: the fields as they stand (before the form is live: as the
/// page draws them).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Look {
    pub(super) aspect: String,
    pub(super) resolution: String,
    pub(super) count: u32,
    /// Whether the brand kit chosen places a logo.
    pub(super) logo: bool,
    pub(super) model: String,
}

/// What the form's fields add up to: the characters of the long texts, the look, and (from the
/// chosen model's price) the credits a send costs, counted in the browser. Before the form is
/// live: an empty form's.
#[derive(Clone, Copy)]
pub(super) struct Counts {
    pub(super) prompt: RwSignal<usize>,
    pub(super) source: RwSignal<usize>,
    pub(super) look: RwSignal<Look>,
    pub(super) models: StoredValue<ModelList>,
    /// The brand kits whose logo is placed in the picture.
    logo_kits: StoredValue<Vec<String>>,
}

impl Counts {
    /// `kit_logo`: whether the kit the form starts with places a logo.
    pub(super) fn new(models: ModelList, logo_kits: Vec<String>, kit_logo: bool) -> Self {
        let look = Look {
            aspect: crate::model::AspectRatio::R16x9.as_fal().to_string(),
            resolution: Resolution::K1.as_str().to_string(),
            count: 1,
            logo: kit_logo,
            model: models.default.clone(),
        };
        Self {
            prompt: RwSignal::new(0),
            source: RwSignal::new(0),
            look: RwSignal::new(look),
            models: StoredValue::new(models),
            logo_kits: StoredValue::new(logo_kits),
        }
    }

    pub(super) fn take(self, form: &leptos::web_sys::HtmlFormElement) {
        let fields = page::Fields::of(form);
        // As the server counts: characters, not the browser's UTF-16 units.
        self.prompt.set(page::text_of(form, "prompt").chars().count());
        self.source.set(page::text_of(form, "source_text").chars().count());
        let before = self.look.get_untracked();
        let kit = fields.get("brand_kit_id").unwrap_or_default();
        let look = Look {
            aspect: fields.get("aspect_ratio").unwrap_or(before.aspect.clone()),
            resolution: fields.get("resolution").unwrap_or(before.resolution.clone()),
            count: fields.get("number_of_infographs").and_then(|c| c.trim().parse().ok()).unwrap_or(1),
            logo: self.logo_kits.with_value(|kits| kits.contains(&kit)),
            model: fields.get("model").unwrap_or(before.model.clone()),
        };
        if look != before {
            self.look.set(look);
        }
    }

    /// The credits a send costs, at the chosen model's price.
    pub(super) fn cost(self) -> i64 {
        self.look.with(|l| self.models.with_value(|m| cost_of(m.get(&l.model), l.count, &l.resolution)))
    }
}

/// "1,200 / 4,000 characters", and how many too many past the limit.
#[component]
pub(super) fn CharCount(id: &'static str, count: RwSignal<usize>, max: usize) -> impl IntoView {
    // Said when it happens, once: a paste past the limit is not silent, and typing on past it
    // does not announce every key.
    let over = Memo::new(move |_| count.get() > max);
    view! {
        <p id=id class=move || count_class(over.get()) data-testid=id>
            {move || format!("{} / {} characters", grouped(count.get()), grouped(max))}
            {move || too_many(count.get(), max)}
        </p>
        <p class="sr-only" aria-live="polite">{move || over.get().then_some("Over the limit.")}</p>
    }
}

fn count_class(over: bool) -> &'static str {
    if over { "hint count over" } else { "hint count" }
}

/// " — 120 too many" past `max`, nothing up to it.
fn too_many(count: usize, max: usize) -> String {
    match count.checked_sub(max) {
        Some(over) if over > 0 => format!(" — {} too many", grouped(over)),
        _ => String::new(),
    }
}

/// 4000 → "4,000".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The credits a send costs: images × the model's credits per image at `resolution` (the
/// resolution's usual price when the model is unknown or does not offer it: the server refuses
/// such a send anyway).
fn cost_of(model: Option<&ModelInfo>, count: u32, resolution: &str) -> i64 {
    let usual = resolution.parse::<Resolution>().unwrap_or(Resolution::K1).credits_per_image();
    i64::from(count.max(1)) * model.and_then(|m| m.credits_for(resolution)).unwrap_or(usual)
}

/// "Generate · 2 credits".
pub(super) fn generate_label(credits: i64) -> String {
    format!("Generate · {credits} credit{}", if credits == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_button_says_what_a_send_costs_at_the_models_price() {
        use crate::model::models::ModelInfo;
        let model = |credits: &[(&str, i64)]| ModelInfo {
            id: "m".into(),
            name: "M".into(),
            endpoint: "fal-ai/m".into(),
            edit_endpoint: None,
            vector: false,
            credits: credits.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            aspect_ratios: vec!["16:9".into()],
            max_images: 4,
            places_logo: true,
        };
        let pro = model(&[("1K", 1), ("2K", 1), ("4K", 2)]);
        let seedream = model(&[("2K", 1), ("4K", 1)]);
        assert_eq!(super::generate_label(super::cost_of(Some(&pro), 1, "1K")), "Generate · 1 credit");
        assert_eq!(super::generate_label(super::cost_of(Some(&pro), 1, "4K")), "Generate · 2 credits");
        assert_eq!(super::generate_label(super::cost_of(Some(&pro), 3, "4K")), "Generate · 6 credits");
        assert_eq!(super::cost_of(Some(&seedream), 3, "4K"), 3, "its own price at 4K");
        assert_eq!(super::cost_of(None, 2, "2K"), 2, "an unknown model: the usual price");
    }

    #[test]
    fn counters_say_how_far_over_the_limit() {
        assert_eq!(super::grouped(4000), "4,000");
        assert_eq!(super::grouped(50_000), "50,000");
        assert_eq!(super::grouped(1_234_567), "1,234,567");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::too_many(4120, 4000), " — 120 too many");
        assert_eq!(super::too_many(4000, 4000), "");
        assert_eq!(super::too_many(12, 4000), "");
    }
}
