//! The dashboard's "Models" section: per model, the last days' and all time's jobs, failures,
//! mean generation time and fal's list price of what was drawn. Rendered on the server (no
//! action on the page changes it).

use super::seconds;
use crate::model::admin::{ModelFigures, ModelStats, ModelStatsRow};
use leptos::prelude::*;

pub fn models_section(stats: ModelStats) -> impl IntoView {
    let recent = format!("Last {} days", stats.days);
    view! {
        <section class="admin" data-testid="model-stats" aria-labelledby="models-heading">
            <h2 id="models-heading">"Models"</h2>
            <p class="muted">
                "Jobs by the model that drew them (refinements included), counted by the day they were created. "
                "Failed leaves out cancelled jobs; its rate is of the finished ones. Mean time: submission to completion "
                "of the completed jobs. fal cost is an estimate at fal's list price (the catalogue's price per image at the "
                "job's size) of the completed images only: fal bills some failures and not others, and none is counted. "
                "A job from before the choice of model counts as nano-banana-pro. Text edited in the browser is drawn by "
                "no model and is left out; \u{201c}Make the text editable\u{201d} (fal's layerize-text) has a line of its own, "
                "without a price."
            </p>
            {figures_table(&recent, "model-stats-recent", &stats, |row| &row.recent)}
            {figures_table("All time", "model-stats-all", &stats, |row| &row.all_time)}
        </section>
    }
}

fn figures_table(caption: &str, testid: &'static str, stats: &ModelStats, period: fn(&ModelStatsRow) -> &ModelFigures) -> impl IntoView {
    let rows: Vec<_> = stats.models.iter().chain([&stats.layers]).map(|row| figures_row(row, period(row))).collect();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=format!("Models, {}", caption.to_lowercase())>
            <table class="admin-table" data-testid=testid>
                <caption>{caption.to_string()}</caption>
                <thead><tr>
                    <th scope="col">"Model"</th><th scope="col">"Jobs"</th><th scope="col">"Completed"</th>
                    <th scope="col">"Failed"</th><th scope="col">"Mean time"</th><th scope="col">"fal cost (list price)"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn figures_row(row: &ModelStatsRow, f: &ModelFigures) -> impl IntoView {
    let name = match &row.name {
        Some(name) => name.clone(),
        None => "no longer in the catalogue".to_string(),
    };
    view! {
        <tr data-testid="model-row" data-model=row.id.clone()>
            <th scope="row">{name} <br/> <small class="muted">{row.id.clone()}</small></th>
            <td data-testid="model-jobs">{f.jobs}</td>
            <td data-testid="model-completed">{f.completed}</td>
            <td data-testid="model-failed">{failed(f)}</td>
            <td>{seconds(f.mean_ms)}</td>
            <td data-testid="model-cost">{cost(f)}</td>
        </tr>
    }
}

fn failed(f: &ModelFigures) -> String {
    match f.failure_rate {
        Some(rate) => format!("{} ({:.1} %)", f.failed, rate * 100.0),
        None => f.failed.to_string(),
    }
}

/// The list price in dollars, and how many completed images it could not price.
fn cost(f: &ModelFigures) -> String {
    match (f.unpriced, f.usd > 0.0 || f.completed == 0) {
        (0, _) => format!("${:.2}", f.usd),
        (n, true) => format!("${:.2} + {n} unpriced", f.usd),
        (n, false) => format!("{n} unpriced"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_say_what_they_could_not_price() {
        let priced = ModelFigures { completed: 3, usd: 0.45, ..Default::default() };
        assert_eq!(cost(&priced), "$0.45");
        assert_eq!(cost(&ModelFigures::default()), "$0.00");
        assert_eq!(cost(&ModelFigures { completed: 2, unpriced: 2, ..Default::default() }), "2 unpriced");
        assert_eq!(cost(&ModelFigures { unpriced: 1, ..priced }), "$0.45 + 1 unpriced");
        assert_eq!(failed(&ModelFigures { completed: 3, failed: 1, failure_rate: Some(0.25), ..Default::default() }), "1 (25.0 %)");
    }
}
