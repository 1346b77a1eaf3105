//! Checking an input against an endpoint's fields (see `models`) the way fal's pydantic models
//! do: every refusal with its place (`loc`), its sentence (`msg`) and its kind (`type`), all of
//! them at once, answered as fal's HTTP 422 before any job is queued.

use serde_json::{json, Value};

/// One input field of an endpoint.
pub(super) struct Field {
    pub name: &'static str,
    pub required: bool,
    pub rule: Rule,
}

/// What a field's value must be.
#[derive(Clone, Copy)]
pub(super) enum Rule {
    /// A string of `min` to `max` characters.
    Text { min: usize, max: usize },
    /// One of these whitespace-separated words.
    OneOf(&'static str),
    Int { min: i64, max: i64 },
    Number { min: f64, max: f64 },
    Bool,
    /// A URL (a string).
    Url,
    /// A list of URLs.
    Urls,
    /// A list of strings.
    Strings,
    /// A preset name, or `{width, height}` within `bounds`.
    ImageSize { presets: &'static str, bounds: Bounds },
    /// Ideogram's `color_palette`: `{name}` or `{members: [{rgb: {r,g,b}, color_weight}]}`.
    Palette,
    /// Recraft's `colors`: `[{r,g,b}]`.
    Colours,
    /// One `{r,g,b}`.
    Colour,
}

/// What custom `{width, height}` sizes an endpoint takes.
#[derive(Clone, Copy)]
pub(super) enum Bounds {
    /// Each side from 1 to `max`.
    Edges { max: u32 },
    /// Seedream's: both sides 1920–4096, or 2560×1440 to 4096×4096 pixels in all.
    Seedream,
}

/// One refusal, as fal's 422 lists it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Refusal {
    pub loc: Vec<Value>,
    pub msg: String,
    pub kind: &'static str,
    pub ctx: Option<Value>,
    pub input: Value,
}

impl Refusal {
    pub(super) fn to_json(&self) -> Value {
        let mut item = json!({
            "loc": self.loc, "msg": self.msg, "type": self.kind,
            "url": format!("https://docs.fal.ai/errors#{}", self.kind), "input": self.input,
        });
        if let Some(ctx) = &self.ctx {
            item["ctx"] = ctx.clone();
        }
        item
    }
}

/// The body of fal's 422 for these refusals.
pub(super) fn detail(refusals: &[Refusal]) -> Value {
    json!({"detail": refusals.iter().map(Refusal::to_json).collect::<Vec<_>>()})
}

/// Every refusal of `input` by an endpoint taking `fields` and refusing the `exclusive` pairs
/// together; empty when it would be accepted.
pub(super) fn check(fields: &[Field], exclusive: &[(&'static str, &'static str)], input: &Value) -> Vec<Refusal> {
    let mut out = Vec::new();
    let Some(object) = input.as_object() else {
        out.push(refusal(Vec::new(), "Input should be a valid dictionary", "dict_type", None, input));
        return out;
    };
    for field in fields {
        let at = vec![json!(field.name)];
        match object.get(field.name) {
            None | Some(Value::Null) if field.required => out.push(refusal(at, "Field required", "missing", None, input)),
            None | Some(Value::Null) => {}
            Some(value) => check_value(field.rule, value, at, &mut out),
        }
    }
    for (first, second) in exclusive {
        if present(object.get(*first)) && present(object.get(*second)) {
            let msg = format!("Value error, {second} cannot be combined with {first}");
            out.push(refusal(vec![json!(second)], &msg, "value_error", None, &object[*second]));
        }
    }
    out
}

fn present(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Array(items)) => !items.is_empty(),
        Some(_) => true,
    }
}

/// A refusal at `at` below `body`.
fn refusal(at: Vec<Value>, msg: &str, kind: &'static str, ctx: Option<Value>, input: &Value) -> Refusal {
    let loc = std::iter::once(json!("body")).chain(at).collect();
    Refusal { loc, msg: msg.to_string(), kind, ctx, input: input.clone() }
}

fn below(at: &[Value], step: impl Into<Value>) -> Vec<Value> {
    at.iter().cloned().chain(std::iter::once(step.into())).collect()
}

/// Pydantic's way of listing what a literal may be: `'a', 'b' or 'c'`.
fn expected(words: &str) -> String {
    let quoted: Vec<String> = words.split_whitespace().map(|w| format!("'{w}'")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn check_value(rule: Rule, value: &Value, at: Vec<Value>, out: &mut Vec<Refusal>) {
    match rule {
        Rule::Text { min, max } => match value.as_str() {
            None => out.push(refusal(at, "Input should be a valid string", "string_type", None, value)),
            Some(text) => {
                let length = text.chars().count();
                if length < min {
                    let msg = format!("String should have at least {min} character{}", if min == 1 { "" } else { "s" });
                    out.push(refusal(at, &msg, "string_too_short", Some(json!({"min_length": min})), value));
                } else if length > max {
                    let msg = format!("String should have at most {max} characters");
                    out.push(refusal(at, &msg, "string_too_long", Some(json!({"max_length": max})), value));
                }
            }
        },
        Rule::OneOf(words) => {
            if !value.as_str().is_some_and(|v| words.split_whitespace().any(|w| w == v)) {
                let expected = expected(words);
                out.push(refusal(at, &format!("Input should be {expected}"), "literal_error", Some(json!({"expected": expected})), value));
            }
        }
        Rule::Int { min, max } => check_int(value, min, max, at, out),
        Rule::Number { min, max } => match value.as_f64() {
            None => out.push(refusal(at, "Input should be a valid number", "float_type", None, value)),
            Some(v) if v < min => out.push(refusal(at, &format!("Input should be greater than or equal to {min}"), "greater_than_equal", Some(json!({"ge": min})), value)),
            Some(v) if v > max => out.push(refusal(at, &format!("Input should be less than or equal to {max}"), "less_than_equal", Some(json!({"le": max})), value)),
            Some(_) => {}
        },
        Rule::Bool => {
            if !value.is_boolean() {
                out.push(refusal(at, "Input should be a valid boolean", "bool_type", None, value));
            }
        }
        Rule::Url => {
            if !value.is_string() {
                out.push(refusal(at, "Input should be a valid string", "string_type", None, value));
            }
        }
        Rule::Urls | Rule::Strings => each(value, at, out, |item, at, out| check_value(Rule::Url, item, at, out)),
        Rule::ImageSize { presets, bounds } => check_image_size(value, presets, bounds, at, out),
        Rule::Palette => check_palette(value, at, out),
        Rule::Colours => each(value, at, out, check_colour),
        Rule::Colour => check_colour(value, at, out),
    }
}

/// Each item of a list, checked by `item`.
fn each(value: &Value, at: Vec<Value>, out: &mut Vec<Refusal>, item: impl Fn(&Value, Vec<Value>, &mut Vec<Refusal>)) {
    match value.as_array() {
        None => out.push(refusal(at, "Input should be a valid list", "list_type", None, value)),
        Some(items) => {
            for (index, value) in items.iter().enumerate() {
                item(value, below(&at, index), out);
            }
        }
    }
}

fn check_int(value: &Value, min: i64, max: i64, at: Vec<Value>, out: &mut Vec<Refusal>) {
    // Like pydantic: 2.0 is an integer, 2.5 is not.
    let int = value.as_i64().or_else(|| value.as_f64().filter(|v| v.fract() == 0.0 && v.abs() < 9e15).map(|v| v as i64));
    match int {
        None => out.push(refusal(at, "Input should be a valid integer", "int_type", None, value)),
        Some(v) if v < min => out.push(refusal(at, &format!("Input should be greater than or equal to {min}"), "greater_than_equal", Some(json!({"ge": min})), value)),
        Some(v) if v > max => out.push(refusal(at, &format!("Input should be less than or equal to {max}"), "less_than_equal", Some(json!({"le": max})), value)),
        Some(_) => {}
    }
}

fn object<'a>(value: &'a Value, at: &[Value], out: &mut Vec<Refusal>) -> Option<&'a serde_json::Map<String, Value>> {
    let object = value.as_object();
    if object.is_none() {
        out.push(refusal(at.to_vec(), "Input should be a valid dictionary", "dict_type", None, value));
    }
    object
}

fn check_image_size(value: &Value, presets: &'static str, bounds: Bounds, at: Vec<Value>, out: &mut Vec<Refusal>) {
    if value.is_string() {
        return check_value(Rule::OneOf(presets), value, at, out);
    }
    let Some(size) = object(value, &at, out) else { return };
    let before = out.len();
    let max = match bounds {
        Bounds::Edges { max } => max,
        Bounds::Seedream => 14142,
    };
    for side in ["width", "height"] {
        if let Some(v) = size.get(side) {
            check_int(v, 1, i64::from(max), below(&at, side), out);
        }
    }
    if out.len() > before || !matches!(bounds, Bounds::Seedream) {
        return;
    }
    let side = |name: &str| size.get(name).and_then(Value::as_u64).unwrap_or(512);
    let (w, h) = (side("width"), side("height"));
    let edges = (1920..=4096).contains(&w) && (1920..=4096).contains(&h);
    let pixels = (2560 * 1440..=4096 * 4096).contains(&(w * h));
    if !edges && !pixels {
        let msg = "Value error, width and height must be between 1920 and 4096, or the total number of pixels between 2560*1440 and 4096*4096";
        out.push(refusal(at, msg, "value_error", None, value));
    }
}

fn check_palette(value: &Value, at: Vec<Value>, out: &mut Vec<Refusal>) {
    let Some(palette) = object(value, &at, out) else { return };
    if let Some(name) = palette.get("name").filter(|n| !n.is_null()) {
        check_value(Rule::OneOf("EMBER FRESH JUNGLE MAGIC MELON MOSAIC PASTEL ULTRAMARINE"), name, below(&at, "name"), out);
    }
    let Some(members) = palette.get("members").filter(|m| !m.is_null()) else { return };
    each(members, below(&at, "members"), out, |member, at, out| {
        let Some(member) = object(member, &at, out) else { return };
        match member.get("rgb") {
            None | Some(Value::Null) => out.push(refusal(below(&at, "rgb"), "Field required", "missing", None, &Value::Object(member.clone()))),
            Some(rgb) => check_colour(rgb, below(&at, "rgb"), out),
        }
        if let Some(weight) = member.get("color_weight").filter(|w| !w.is_null()) {
            check_value(Rule::Number { min: 0.05, max: 1.0 }, weight, below(&at, "color_weight"), out);
        }
    });
}

fn check_colour(value: &Value, at: Vec<Value>, out: &mut Vec<Refusal>) {
    let Some(colour) = object(value, &at, out) else { return };
    for channel in ["r", "g", "b"] {
        if let Some(v) = colour.get(channel) {
            check_int(v, 0, 255, below(&at, channel), out);
        }
    }
}
