//! Where everything goes on an emulated picture: a title card (with the brand logo in its
//! corner), the subtitle, an edit's banner, and the sections arranged as the chosen layout asks —
//! a list of blocks, a timeline on an axis, process steps joined by arrows, two columns for a
//! comparison, big figures for statistics, a pyramid for a hierarchy, a ring for a cycle, pins
//! on a map, or (auto) today's shape-driven grid with a chart. The per-submission variant moves
//! details (which side, which accent, the card's decoration), never the words.

use super::picture::Picture;
use super::text::{self, Align, Area, Weight};
use super::words::Role;
use crate::model::design::Layout;

/// The smallest text drawn (smaller still would be unreadable even to a model): below it,
/// words are cut instead.
pub(super) const MIN_PX: f32 = 7.0;

/// The colours a picture is drawn with.
pub struct Theme {
    pub top: [u8; 3],
    pub bottom: [u8; 3],
    pub accents: Vec<[u8; 3]>,
    /// Cards: light, with dark ink, readable on any background.
    pub panel: [u8; 3],
    pub ink: [u8; 3],
    /// Text straight on the background.
    pub on_bg: [u8; 3],
    pub banner: [u8; 3],
}

impl Theme {
    fn accent(&self, i: usize) -> [u8; 3] {
        self.accents[i % self.accents.len().max(1)]
    }
}

pub enum Shape {
    Rect(Area, [u8; 3]),
    Disc { cx: f32, cy: f32, r: f32, colour: [u8; 3] },
    Ring { cx: f32, cy: f32, rx: f32, ry: f32, thickness: f32, colour: [u8; 3] },
    /// A triangle pointing right (or down) filling the area.
    Arrow { area: Area, down: bool, colour: [u8; 3] },
    Logo(Area),
}

/// A piece of text and how it is drawn.
pub struct Placed {
    pub role: Role,
    pub text: String,
    pub area: Area,
    pub weight: Weight,
    pub max_px: f32,
    pub align: Align,
    pub colour: [u8; 3],
}

#[derive(Default)]
pub struct Scene {
    pub shapes: Vec<Shape>,
    pub texts: Vec<Placed>,
}

/// One section's (or body line's) texts.
#[derive(Default, Clone)]
struct Item {
    texts: Vec<(Role, String)>,
}

pub fn compose(p: &Picture, blocks: &[(Role, String)], w: f32, h: f32, theme: &Theme) -> Scene {
    let mut scene = Scene::default();
    let unit = w.min(h);
    let margin = unit * 0.05;
    let text = |role| blocks.iter().find(|(r, _)| *r == role).map(|(_, t)| t.clone());
    // The title card, with the logo at its end.
    let card = Area { x: margin, y: margin, w: w - 2.0 * margin, h: h * if p.subtitle.is_some() { 0.14 } else { 0.17 } };
    scene.shapes.push(Shape::Rect(card, theme.panel));
    scene.shapes.push(Shape::Rect(Area { h: (unit * 0.012).max(2.0), y: card.y + card.h - (unit * 0.012).max(2.0), ..card }, theme.accent(0)));
    let mut title_area = Area { x: card.x + margin * 0.6, y: card.y + card.h * 0.1, w: card.w - margin * 1.2, h: card.h * 0.78 };
    if p.logo.is_some() {
        let side = card.h * 0.76;
        scene.shapes.push(Shape::Logo(Area { x: card.x + card.w - side - card.h * 0.12, y: card.y + card.h * 0.12, w: side, h: side }));
        title_area.w -= side + card.h * 0.2;
    }
    let (title_role, title) = match text(Role::Note) {
        Some(note) => (Role::Note, Some(note)),
        None => (Role::Title, text(Role::Title)),
    };
    if let Some(title) = title {
        scene.texts.push(Placed { role: title_role, text: title, area: title_area, weight: Weight::Bold, max_px: unit * 0.08, align: Align::Centre, colour: theme.ink });
    }
    let mut y = card.y + card.h + margin * 0.4;
    if let Some(subtitle) = text(Role::Subtitle) {
        let area = Area { x: margin, y, w: w - 2.0 * margin, h: h * 0.07 };
        scene.texts.push(Placed { role: Role::Subtitle, text: subtitle, area, weight: Weight::Regular, max_px: unit * 0.045, align: Align::Centre, colour: theme.on_bg });
        y += area.h + margin * 0.3;
    }
    if let Some(banner) = text(Role::Banner) {
        let band = Area { x: margin, y, w: w - 2.0 * margin, h: h * 0.07 };
        scene.shapes.push(Shape::Rect(band, theme.banner));
        let area = Area { x: band.x + margin * 0.4, y: band.y + band.h * 0.12, w: band.w - margin * 0.8, h: band.h * 0.76 };
        scene.texts.push(Placed { role: Role::Banner, text: banner, area, weight: Weight::Bold, max_px: unit * 0.04, align: Align::Left, colour: [255, 255, 255] });
        y += band.h + margin * 0.4;
    }
    let body = Area { x: margin, y, w: w - 2.0 * margin, h: (h - y - margin).max(1.0) };
    let items = items_of(p, blocks);
    arrange(&mut scene, p, &items, body, unit, theme);
    scene
}

/// The items to lay out: a section's heading, line and figure together, or a body line; a
/// picture whose language is not drawn keeps its arrangement with empty cards.
fn items_of(p: &Picture, blocks: &[(Role, String)]) -> Vec<Item> {
    let count = if p.sections.is_empty() { p.lines.len() } else { p.sections.len() };
    let mut items = vec![Item::default(); count];
    for (role, text) in blocks {
        let index = match role {
            Role::Heading(i) | Role::Line(i) | Role::Figure(i) | Role::Body(i) => *i,
            _ => continue,
        };
        if let Some(item) = items.get_mut(index) {
            item.texts.push((*role, text.clone()));
        }
    }
    items
}

/// `n` cells in a grid of `cols` columns filling `area`.
fn grid(area: Area, n: usize, cols: usize, gap: f32, column_major: bool) -> Vec<Area> {
    let cols = cols.clamp(1, n.max(1));
    let rows = n.div_ceil(cols).max(1);
    let cw = (area.w - gap * (cols - 1) as f32) / cols as f32;
    let ch = (area.h - gap * (rows - 1) as f32) / rows as f32;
    (0..n)
        .map(|i| {
            let (col, row) = if column_major { (i / rows, i % rows) } else { (i % cols, i / cols) };
            Area { x: area.x + col as f32 * (cw + gap), y: area.y + row as f32 * (ch + gap), w: cw.max(1.0), h: ch.max(1.0) }
        })
        .collect()
}

fn arrange(scene: &mut Scene, p: &Picture, items: &[Item], body: Area, unit: f32, theme: &Theme) {
    let n = items.len();
    if n == 0 {
        return;
    }
    let v = p.variant;
    let flip = v & 1 == 1;
    let gap = unit * 0.02;
    let wide = body.w > body.h * 1.6;
    let tall = body.h > body.w * 1.3;
    let decorated = |scene: &mut Scene, i: usize, cell: Area| {
        let inner = decorate(scene, cell, theme.accent(i + 1), (v >> 1) % 3, flip, unit, theme.panel);
        place(scene, &items[i], inner, unit, theme.ink, false);
    };
    match p.layout {
        Layout::Auto => {
            // Today's arrangement: beside a chart when wide, above it when tall, a grid when square.
            let (list, chart) = match (wide, tall) {
                (true, _) => (Area { w: body.w * 0.55, ..body }, Some(Area { x: body.x + body.w * 0.55 + gap * 2.0, w: body.w * 0.45 - gap * 2.0, ..body })),
                (_, true) => (Area { h: body.h * 0.65, ..body }, Some(Area { y: body.y + body.h * 0.67, h: body.h * 0.33, ..body })),
                _ => (body, None),
            };
            let cols = if chart.is_none() && n > 1 { 2 } else { 1 };
            // Today's grid keeps room for three lines; an outline's sections take all the room.
            let cells = if p.sections.is_empty() { n.max(3) } else { n };
            for (i, cell) in grid(list, cells, cols, gap, false).into_iter().take(n).enumerate() {
                let dot = (cell.h * 0.3).min(unit * 0.05);
                scene.shapes.push(Shape::Rect(Area { x: cell.x, y: cell.y + cell.h * 0.2, w: dot, h: dot }, theme.accent(i)));
                let area = Area { x: cell.x + dot * 1.6, y: cell.y + cell.h * 0.1, w: cell.w - dot * 1.6, h: cell.h * 0.8 };
                place(scene, &items[i], area, unit, theme.on_bg, false);
            }
            if let Some(chart) = chart {
                bars(scene, chart, n.max(3), p.seed ^ v, theme);
            }
        }
        Layout::List => {
            let cols = if wide && n > 5 { 2 } else { 1 };
            for (i, cell) in grid(body, n, cols, gap, true).into_iter().enumerate() {
                let icon = (cell.h * 0.6).min(unit * 0.09);
                let x = if flip { cell.x + cell.w - icon - gap } else { cell.x + gap };
                scene.shapes.push(Shape::Rect(cell, theme.panel));
                scene.shapes.push(Shape::Rect(Area { x, y: cell.y + (cell.h - icon) / 2.0, w: icon, h: icon }, theme.accent(i + 1)));
                let inner = Area { x: if flip { cell.x + gap } else { cell.x + icon + gap * 2.0 }, y: cell.y + gap * 0.5, w: cell.w - icon - gap * 3.0, h: cell.h - gap };
                place(scene, &items[i], inner, unit, theme.ink, false);
            }
        }
        Layout::Timeline => {
            let axis_w = unit * 0.05;
            let axis_x = if flip { body.x + body.w - axis_w / 2.0 } else { body.x + axis_w / 2.0 };
            scene.shapes.push(Shape::Rect(Area { x: axis_x - unit * 0.005, y: body.y, w: unit * 0.01, h: body.h }, theme.accent(0)));
            let rows = Area { x: if flip { body.x } else { body.x + axis_w + gap }, w: body.w - axis_w - gap, ..body };
            for (i, cell) in grid(rows, n, 1, gap, false).into_iter().enumerate() {
                scene.shapes.push(Shape::Disc { cx: axis_x, cy: cell.y + cell.h / 2.0, r: (axis_w * 0.4).min(cell.h * 0.4), colour: theme.accent(i + 1) });
                decorated(scene, i, cell);
            }
        }
        Layout::Process => {
            let arrow = unit * 0.05;
            let (cols, column_major) = if wide { (n.min(4), false) } else { (n.div_ceil(n.min(5)), true) };
            let cells = grid(body, n, cols, arrow, column_major);
            for (i, cell) in cells.iter().enumerate() {
                decorated(scene, i, *cell);
                let Some(next) = cells.get(i + 1) else { continue };
                if (next.y - cell.y).abs() < 1.0 {
                    let area = Area { x: cell.x + cell.w + arrow * 0.2, y: cell.y + cell.h / 2.0 - arrow * 0.3, w: arrow * 0.6, h: arrow * 0.6 };
                    scene.shapes.push(Shape::Arrow { area, down: false, colour: theme.accent(0) });
                } else if (next.x - cell.x).abs() < 1.0 {
                    let area = Area { x: cell.x + cell.w / 2.0 - arrow * 0.3, y: cell.y + cell.h + arrow * 0.2, w: arrow * 0.6, h: arrow * 0.6 };
                    scene.shapes.push(Shape::Arrow { area, down: true, colour: theme.accent(0) });
                }
            }
        }
        Layout::Comparison => {
            let half = (body.w - gap * 3.0) / 2.0;
            let left_count = n.div_ceil(2);
            scene.shapes.push(Shape::Rect(Area { x: body.x + half + gap * 1.25, y: body.y, w: gap * 0.5, h: body.h }, theme.on_bg));
            for (side, (start, count)) in [(0, left_count), (left_count, n - left_count)].into_iter().enumerate() {
                let column = Area { x: body.x + side as f32 * (half + gap * 3.0), y: body.y, w: half, h: body.h };
                let head = Area { h: unit * 0.025, ..column };
                scene.shapes.push(Shape::Rect(head, theme.accent(side + if flip { 2 } else { 1 })));
                let rest = Area { y: column.y + head.h + gap, h: column.h - head.h - gap, ..column };
                for (k, cell) in grid(rest, count.max(1), 1, gap, false).into_iter().take(count).enumerate() {
                    decorated(scene, start + k, cell);
                }
            }
        }
        Layout::Statistics => {
            let cols = match n {
                0..=2 => n,
                3 | 4 => 2,
                _ if wide => 4,
                _ => 3,
            };
            for (i, cell) in grid(body, n, cols, gap, false).into_iter().enumerate() {
                scene.shapes.push(Shape::Rect(cell, theme.panel));
                let share = 0.35 + ((p.seed ^ v).rotate_left(i as u32 * 9) % 60) as f32 / 100.0;
                let bar = Area { x: cell.x + gap, y: cell.y + cell.h - gap * 1.4, w: (cell.w - gap * 2.0) * share, h: gap * 0.8 };
                scene.shapes.push(Shape::Rect(bar, theme.accent(i + 1)));
                let inner = Area { x: cell.x + gap, y: cell.y + gap * 0.5, w: cell.w - gap * 2.0, h: cell.h - gap * 2.4 };
                place(scene, &items[i], inner, unit, theme.ink, true);
            }
        }
        Layout::Hierarchy => {
            let rows = grid(body, n, 1, gap, false);
            for (i, row) in rows.into_iter().enumerate() {
                let share = 0.45 + 0.55 * i as f32 / (n - 1).max(1) as f32;
                let cell = Area { x: row.x + row.w * (1.0 - share) / 2.0, w: row.w * share, ..row };
                if i > 0 {
                    scene.shapes.push(Shape::Rect(Area { x: cell.x + cell.w / 2.0 - unit * 0.004, y: cell.y - gap, w: unit * 0.008, h: gap }, theme.on_bg));
                }
                decorated(scene, i, cell);
            }
        }
        Layout::Cycle => {
            let (cw, ch) = if n > 4 { (body.w * 0.24, body.h * 0.2) } else { (body.w * 0.3, body.h * 0.26) };
            let (cx, cy) = (body.x + body.w / 2.0, body.y + body.h / 2.0);
            let (rx, ry) = ((body.w - cw) / 2.0, (body.h - ch) / 2.0);
            scene.shapes.push(Shape::Ring { cx, cy, rx: rx * 0.9, ry: ry * 0.9, thickness: unit * 0.012, colour: theme.accent(0) });
            let turn = if flip { -1.0 } else { 1.0 };
            for i in 0..n {
                let angle = -std::f32::consts::FRAC_PI_2 + turn * std::f32::consts::TAU * i as f32 / n as f32;
                let cell = Area { x: cx + rx * angle.cos() - cw / 2.0, y: cy + ry * angle.sin() - ch / 2.0, w: cw, h: ch };
                decorated(scene, i, cell);
            }
        }
        Layout::Map => {
            for k in 1..6 {
                let t = k as f32 / 6.0;
                scene.shapes.push(Shape::Rect(Area { x: body.x, y: body.y + body.h * t, w: body.w, h: 1.0 }, theme.on_bg));
                scene.shapes.push(Shape::Rect(Area { x: body.x + body.w * t, y: body.y, w: 1.0, h: body.h }, theme.on_bg));
            }
            let cols = if wide { 3 } else { 2 };
            for (i, cell) in grid(body, n, cols, gap * 3.0, false).into_iter().enumerate() {
                let shift = if (i + v as usize).is_multiple_of(2) { 0.0 } else { gap };
                let cell = Area { x: cell.x + shift, y: cell.y + gap, w: cell.w - gap, h: cell.h - gap };
                decorated(scene, i, cell);
                let r = (unit * 0.02).min(cell.h * 0.25);
                scene.shapes.push(Shape::Disc { cx: cell.x, cy: cell.y, r, colour: theme.accent(i + 1) });
            }
        }
    }
}

/// A card with its variant's decoration (a strip on the side or the top, or a corner square);
/// returns the area left for its text.
fn decorate(scene: &mut Scene, cell: Area, accent: [u8; 3], style: u64, flip: bool, unit: f32, panel: [u8; 3]) -> Area {
    scene.shapes.push(Shape::Rect(cell, panel));
    let strip = (unit * 0.012).max(2.0);
    let pad = (unit * 0.012).min(cell.w * 0.05);
    match style {
        0 => {
            let x = if flip { cell.x + cell.w - strip } else { cell.x };
            scene.shapes.push(Shape::Rect(Area { x, w: strip, ..cell }, accent));
            Area { x: cell.x + pad + if flip { 0.0 } else { strip }, y: cell.y + pad * 0.5, w: cell.w - strip - pad * 2.0, h: cell.h - pad }
        }
        1 => {
            scene.shapes.push(Shape::Rect(Area { h: strip, ..cell }, accent));
            Area { x: cell.x + pad, y: cell.y + strip + pad * 0.5, w: cell.w - pad * 2.0, h: cell.h - strip - pad }
        }
        _ => {
            let side = (cell.h * 0.2).min(unit * 0.03);
            let x = if flip { cell.x } else { cell.x + cell.w - side };
            scene.shapes.push(Shape::Rect(Area { x, y: cell.y, w: side, h: side }, accent));
            Area { x: cell.x + pad + if flip { side } else { 0.0 }, y: cell.y + pad * 0.5, w: cell.w - side - pad * 2.0, h: cell.h - pad }
        }
    }
}

/// An item's texts in its area: stacked, or side by side in a long thin area; the figure large
/// and first when `figure_first` (statistics).
fn place(scene: &mut Scene, item: &Item, area: Area, unit: f32, colour: [u8; 3], figure_first: bool) {
    let style = |role: &Role| match role {
        Role::Heading(_) => (3.0, Weight::Bold, unit * 0.045),
        Role::Line(_) => (4.0, Weight::Regular, unit * 0.034),
        Role::Figure(_) if figure_first => (5.0, Weight::Bold, unit * 0.11),
        Role::Figure(_) => (2.5, Weight::Bold, unit * 0.06),
        _ => (4.0, Weight::Regular, unit * 0.045),
    };
    let mut order: Vec<usize> = (0..item.texts.len()).collect();
    if figure_first {
        order.sort_by_key(|&i| !matches!(item.texts[i].0, Role::Figure(_)));
    }
    let total: f32 = item.texts.iter().map(|(r, _)| style(r).0).sum::<f32>().max(1.0);
    let across = area.w > area.h * 3.5 && item.texts.len() > 1;
    let mut placed: Vec<Placed> = Vec::new();
    let mut offset = 0.0;
    for &i in &order {
        let (role, text) = &item.texts[i];
        let (share, weight, max_px) = style(role);
        let part = share / total;
        let sub = if across {
            Area { x: area.x + area.w * offset, w: area.w * part - unit * 0.01, ..area }
        } else {
            Area { y: area.y + area.h * offset, h: area.h * part, ..area }
        };
        offset += part;
        let align = if figure_first && matches!(role, Role::Figure(_)) { Align::Centre } else { Align::Left };
        placed.push(Placed { role: *role, text: text.clone(), area: sub, weight, max_px, align, colour });
    }
    if !across {
        stack(&mut placed, area, unit);
    }
    // In reading order, whatever the arrangement.
    placed.sort_by_key(|p| item.texts.iter().position(|(r, _)| *r == p.role));
    scene.texts.extend(placed);
}

/// Stacked texts moved up under each other, each as tall as it is once fitted (plus a gap),
/// so a card has no holes between its heading, line and figure.
fn stack(placed: &mut [Placed], area: Area, unit: f32) {
    let heights: Vec<f32> = placed.iter().map(|p| text::fit(p.weight, &p.text, p.area, p.max_px, MIN_PX).height(p.weight) + 1.0).collect();
    let spare = area.h - heights.iter().sum::<f32>();
    let gap = (spare / placed.len().max(1) as f32).clamp(0.0, unit * 0.025);
    let mut y = area.y;
    for (p, h) in placed.iter_mut().zip(heights) {
        p.area = Area { y, h: h.max(1.0), ..p.area };
        y += h + gap;
    }
}

fn bars(scene: &mut Scene, chart: Area, count: usize, seed: u64, theme: &Theme) {
    let bw = (chart.w / (count as f32 * 1.5)).max(1.0);
    for i in 0..count {
        let v = 30 + ((seed >> (i * 7)) % 70) as u32;
        let bh = (chart.h * v as f32 / 100.0).max(1.0);
        scene.shapes.push(Shape::Rect(Area { x: chart.x + i as f32 * bw * 1.5, y: chart.y + chart.h - bh, w: bw, h: bh }, theme.accent(i)));
    }
}
