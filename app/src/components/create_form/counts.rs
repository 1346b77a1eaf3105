//! What the form's fields add up to as they change: the characters of the long texts against
//! their limits, and the credits a send costs.

use crate::model::Resolution;
use leptos::prelude::*;

use super::page;

/// What the form's fields add up to: the characters of the long texts and the credits a send
/// costs, counted in the browser. Before the form is live: an empty form's.
#[derive(Clone, Copy)]
pub(super) struct Counts {
    pub(super) prompt: RwSignal<usize>,
    pub(super) source: RwSignal<usize>,
    pub(super) cost: RwSignal<i64>,
}

impl Counts {
    pub(super) fn new() -> Self {
        Self { prompt: RwSignal::new(0), source: RwSignal::new(0), cost: RwSignal::new(cost_of(None, None)) }
    }

    pub(super) fn take(self, form: &leptos::web_sys::HtmlFormElement) {
        let fields = page::Fields::of(form);
        // As the server counts: characters, not the browser's UTF-16 units.
        self.prompt.set(page::text_of(form, "prompt").chars().count());
        self.source.set(page::text_of(form, "source_text").chars().count());
        self.cost.set(cost_of(fields.get("number_of_infographs").as_deref(), fields.get("resolution").as_deref()));
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

/// The credits a send costs: images × credits per image (1 image at 1K when unreadable, as
/// the form starts).
fn cost_of(count: Option<&str>, resolution: Option<&str>) -> i64 {
    let count = count.and_then(|c| c.trim().parse::<i64>().ok()).unwrap_or(1).max(1);
    let per_image = resolution.and_then(|r| r.parse::<Resolution>().ok()).unwrap_or(Resolution::K1).credits_per_image();
    count * per_image
}

/// "Generate · 2 credits".
pub(super) fn generate_label(credits: i64) -> String {
    format!("Generate · {credits} credit{}", if credits == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_button_says_what_a_send_costs() {
        assert_eq!(super::generate_label(super::cost_of(Some("1"), Some("1K"))), "Generate · 1 credit");
        assert_eq!(super::generate_label(super::cost_of(Some("1"), Some("4K"))), "Generate · 2 credits");
        assert_eq!(super::generate_label(super::cost_of(Some("3"), Some("4K"))), "Generate · 6 credits");
        assert_eq!(super::cost_of(Some("2"), Some("2K")), 2);
        assert_eq!(super::cost_of(None, None), 1, "an empty form's");
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
