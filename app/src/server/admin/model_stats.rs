//! The dashboard's figures per model: jobs, failures, mean generation time and what fal charges
//! for them. One query groups the jobs by model and resolution (a price is per resolution);
//! the catalogue's prices and names are applied here.

use super::DAY_MS;
use crate::errors::AppError;
use crate::model::admin::{ModelFigures, ModelStats, ModelStatsRow, MODEL_STATS_DAYS};
use crate::server::models::{Catalogue, LEGACY_MODEL};
use crate::server::platform::db::{now_ms, Db};

/// The id and name of the row counting fal's layerize-text.
const LAYERS_ID: &str = "layerize-text";
const LAYERS_NAME: &str = "Make the text editable (fal layerize-text)";

/// Per (layerize-text or not, model, resolution, created in the recent period or not): jobs,
/// completed, failed (not cancelled), the sum of the completed ones' submission → completion
/// times and how many of them have both times. `text_edit` versions are rendered by us, not
/// drawn by a model. Sums are cast: PostgreSQL's SUM of BIGINT is NUMERIC.
const QUERY: &str = "SELECT CAST(CASE WHEN kind = 'layers' THEN 1 ELSE 0 END AS BIGINT), model, resolution, \
    CAST(CASE WHEN created_at >= $1 THEN 1 ELSE 0 END AS BIGINT), COUNT(*), \
    CAST(COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN status = 'failed' AND cancelled_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN status = 'completed' AND submitted_at IS NOT NULL AND completed_at IS NOT NULL \
        THEN completed_at - submitted_at ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN status = 'completed' AND submitted_at IS NOT NULL AND completed_at IS NOT NULL \
        THEN 1 ELSE 0 END), 0) AS BIGINT) \
    FROM infographs WHERE kind <> 'text_edit' GROUP BY 1, 2, 3, 4";

type Row = (i64, Option<String>, String, i64, i64, i64, i64, i64, i64);

/// One group of the query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    pub layers: bool,
    /// `None`: a job from before the choice of model.
    pub model: Option<String>,
    pub resolution: String,
    pub recent: bool,
    pub jobs: i64,
    pub completed: i64,
    pub failed: i64,
    pub duration_sum_ms: i64,
    pub timed: i64,
}

impl From<Row> for Group {
    fn from((layers, model, resolution, recent, jobs, completed, failed, duration_sum_ms, timed): Row) -> Self {
        Self { layers: layers != 0, model, resolution, recent: recent != 0, jobs, completed, failed, duration_sum_ms, timed }
    }
}

pub async fn model_stats(db: &Db, catalogue: &Catalogue) -> Result<ModelStats, AppError> {
    let since = now_ms() - MODEL_STATS_DAYS * DAY_MS;
    let rows: Vec<Row> = sqlx::query_as(QUERY).bind(since).fetch_all(db.read()).await?;
    Ok(aggregate(catalogue, rows.into_iter().map(Group::from)))
}

/// Sums that become a [`ModelFigures`]: the mean needs the total time and how many were timed.
#[derive(Debug, Default, Clone)]
struct Sums {
    jobs: i64,
    completed: i64,
    failed: i64,
    duration_sum_ms: i64,
    timed: i64,
    usd: f64,
    unpriced: i64,
}

impl Sums {
    fn add(&mut self, group: &Group, usd_per_image: Option<f64>) {
        self.jobs += group.jobs;
        self.completed += group.completed;
        self.failed += group.failed;
        self.duration_sum_ms += group.duration_sum_ms;
        self.timed += group.timed;
        match usd_per_image {
            Some(price) => self.usd += price * group.completed as f64,
            None => self.unpriced += group.completed,
        }
    }

    fn figures(&self) -> ModelFigures {
        let finished = self.completed + self.failed;
        ModelFigures {
            jobs: self.jobs,
            completed: self.completed,
            failed: self.failed,
            failure_rate: (finished > 0).then(|| self.failed as f64 / finished as f64),
            mean_ms: (self.timed > 0).then(|| (self.duration_sum_ms as f64 / self.timed as f64).round() as i64),
            usd: self.usd,
            unpriced: self.unpriced,
        }
    }
}

struct Tally {
    id: String,
    name: Option<String>,
    recent: Sums,
    all_time: Sums,
}

impl Tally {
    fn new(id: &str, name: Option<&str>) -> Self {
        Self { id: id.to_string(), name: name.map(str::to_string), recent: Sums::default(), all_time: Sums::default() }
    }

    fn add(&mut self, group: &Group, usd_per_image: Option<f64>) {
        self.all_time.add(group, usd_per_image);
        if group.recent {
            self.recent.add(group, usd_per_image);
        }
    }

    fn row(&self) -> ModelStatsRow {
        ModelStatsRow { id: self.id.clone(), name: self.name.clone(), recent: self.recent.figures(), all_time: self.all_time.figures() }
    }
}

/// Every catalogue model (in its order, with or without jobs), then the models it no longer has
/// (by id), and layerize-text apart. Layerize-text has no price in the catalogue: its images
/// count as unpriced.
pub(crate) fn aggregate(catalogue: &Catalogue, groups: impl IntoIterator<Item = Group>) -> ModelStats {
    let mut known: Vec<Tally> = catalogue.list().models.iter().map(|m| Tally::new(&m.id, Some(&m.name))).collect();
    let mut retired: Vec<Tally> = Vec::new();
    let mut layers = Tally::new(LAYERS_ID, Some(LAYERS_NAME));
    for group in groups {
        if group.layers {
            layers.add(&group, None);
            continue;
        }
        let id = group.model.as_deref().unwrap_or(LEGACY_MODEL);
        let price = catalogue.get(id).and_then(|m| m.usd_per_image.get(&group.resolution).copied());
        let tally = match known.iter().position(|t| t.id == id) {
            Some(i) => &mut known[i],
            None => match retired.iter().position(|t| t.id == id) {
                Some(i) => &mut retired[i],
                None => {
                    retired.push(Tally::new(id, None));
                    retired.last_mut().expect("just pushed")
                }
            },
        };
        tally.add(&group, price);
    }
    retired.sort_by(|a, b| a.id.cmp(&b.id));
    ModelStats { days: MODEL_STATS_DAYS, models: known.iter().chain(&retired).map(Tally::row).collect(), layers: layers.row() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(layers: bool, model: Option<&str>, resolution: &str, recent: bool, counts: [i64; 5]) -> Group {
        let [jobs, completed, failed, duration_sum_ms, timed] = counts;
        Group { layers, model: model.map(str::to_string), resolution: resolution.into(), recent, jobs, completed, failed, duration_sum_ms, timed }
    }

    fn row<'a>(stats: &'a ModelStats, id: &str) -> &'a ModelStatsRow {
        stats.models.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no row {id}: {stats:?}"))
    }

    #[test]
    fn figures_are_summed_per_model_and_priced_per_resolution() {
        let catalogue = Catalogue::built_in().expect("catalogue");
        let stats = aggregate(
            &catalogue,
            [
                group(false, Some("nano-banana-pro"), "1K", true, [3, 2, 1, 20_000, 2]),
                group(false, Some("nano-banana-pro"), "4K", false, [1, 1, 0, 40_000, 1]),
                // Before the choice of model: nano-banana-pro's.
                group(false, None, "2K", true, [1, 1, 0, 30_000, 1]),
                group(false, Some("retired-b"), "1K", true, [1, 1, 0, 1_000, 1]),
                group(false, Some("retired-a"), "1K", false, [2, 0, 2, 0, 0]),
                group(true, Some("nano-banana-pro"), "1K", true, [1, 1, 0, 5_000, 1]),
            ],
        );
        let ids: Vec<&str> = stats.models.iter().map(|r| r.id.as_str()).collect();
        let catalogued: Vec<&str> = catalogue.list().models.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids[..catalogued.len()], catalogued[..], "every catalogue model, in its order");
        assert_eq!(ids[catalogued.len()..], ["retired-a", "retired-b"]);

        let pro = row(&stats, "nano-banana-pro");
        assert_eq!((pro.all_time.jobs, pro.all_time.completed, pro.all_time.failed), (5, 4, 1));
        assert_eq!((pro.recent.jobs, pro.recent.completed, pro.recent.failed), (4, 3, 1));
        assert_eq!(pro.all_time.mean_ms, Some(22_500), "(20 + 40 + 30) s over 4");
        assert_eq!(pro.all_time.failure_rate, Some(0.2));
        assert!((pro.all_time.usd - (2.0 * 0.15 + 0.30 + 0.15)).abs() < 1e-9, "{}", pro.all_time.usd);
        assert!((pro.recent.usd - 0.45).abs() < 1e-9, "{}", pro.recent.usd);

        let idle = row(&stats, "ideogram-v3");
        assert_eq!(idle.all_time, ModelFigures::default(), "no jobs, no figures");
        assert_eq!(idle.name.as_deref(), Some("Ideogram 3 (typography)"));

        let gone = row(&stats, "retired-b");
        assert_eq!((gone.name.as_deref(), gone.all_time.usd, gone.all_time.unpriced), (None, 0.0, 1));
        let failed = row(&stats, "retired-a");
        assert_eq!((failed.recent.jobs, failed.all_time.failure_rate, failed.all_time.mean_ms), (0, Some(1.0), None));

        assert_eq!((stats.layers.all_time.jobs, stats.layers.all_time.unpriced, stats.layers.all_time.usd), (1, 1, 0.0));
    }
}
