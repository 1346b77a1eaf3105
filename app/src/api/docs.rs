//! The OpenAPI document rendered as a page people can read (`GET /api/docs/`). Server-rendered
//! HTML from the same document as `/api/openapi.json`, so it can never disagree with it, and none
//! of it ships in the browser's wasm.

use crate::model::share::escape as esc;
use serde_json::Value;
use std::fmt::Write;

/// `#/components/schemas/X` → a link to X's section; inline schemas → their type.
fn schema_name(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", schema_name(items));
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let names: Vec<String> = options.iter().map(schema_name).collect();
        return names.join(" or ");
    }
    match schema.get("type") {
        Some(Value::String(t)) => esc(t),
        Some(Value::Array(ts)) => esc(&ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | ")),
        _ => "any".into(),
    }
}

fn render_operation(out: &mut String, method: &str, path: &str, op: &Value) {
    let summary = op.get("summary").and_then(Value::as_str).unwrap_or_default();
    let secured = op.get("security").is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty()));
    let _ = write!(
        out,
        "<section class=\"op\"><h3><code class=\"method {m}\">{M}</code> <code>{p}</code>{lock}</h3><p>{s}</p>",
        m = esc(method),
        M = esc(&method.to_uppercase()),
        p = esc(path),
        lock = if secured { " <small>(Token)</small>" } else { "" },
        s = esc(summary),
    );
    if let Some(d) = op.get("description").and_then(Value::as_str) {
        let _ = write!(out, "<p>{}</p>", esc(d));
    }
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        out.push_str("<h4>Parameters</h4><ul>");
        for p in params {
            let _ = write!(
                out,
                "<li><code>{}</code> ({}{}) {}</li>",
                esc(p.get("name").and_then(Value::as_str).unwrap_or_default()),
                esc(p.get("in").and_then(Value::as_str).unwrap_or_default()),
                if p.get("required").and_then(Value::as_bool).unwrap_or(false) { ", required" } else { "" },
                esc(p.get("description").and_then(Value::as_str).unwrap_or_default()),
            );
        }
        out.push_str("</ul>");
    }
    if let Some(body) = op.pointer("/requestBody/content") {
        out.push_str("<h4>Request body</h4><ul>");
        for (ctype, media) in body.as_object().into_iter().flatten() {
            let schema = media.get("schema").map(schema_name).unwrap_or_default();
            let _ = write!(out, "<li><code>{}</code>: {}</li>", esc(ctype), schema);
        }
        out.push_str("</ul>");
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        out.push_str("<h4>Responses</h4><ul>");
        for (status, r) in responses {
            let schema = r
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .map(schema_name)
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li><code>{}</code> {} {}</li>",
                esc(status),
                esc(r.get("description").and_then(Value::as_str).unwrap_or_default()),
                schema
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

fn render_schema(out: &mut String, name: &str, schema: &Value) {
    let _ = write!(out, "<section class=\"schema\" id=\"schema-{0}\"><h3>{0}</h3>", esc(name));
    if let Some(d) = schema.get("description").and_then(Value::as_str) {
        let _ = write!(out, "<p>{}</p>", esc(d));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let list: Vec<String> = values.iter().map(|v| format!("<code>{}</code>", esc(&v.to_string()))).collect();
        let _ = write!(out, "<p>One of {}</p>", list.join(", "));
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out.push_str("<table><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>");
        for (field, p) in props {
            let _ = write!(
                out,
                "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
                esc(field),
                if required.contains(&field.as_str()) { " *" } else { "" },
                schema_name(p),
                esc(p.get("description").and_then(Value::as_str).unwrap_or_default()),
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}

pub fn render(doc: &Value) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Infograph API</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/pkg/infograph.css\"></head><body><main class=\"container api-docs\">",
    );
    let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API");
    let description = doc.pointer("/info/description").and_then(Value::as_str).unwrap_or_default();
    let _ = write!(
        out,
        "<p><a href=\"/\">← Infograph</a></p><h1>{}</h1><p>{}</p>\
         <p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI 3.1).</p><h2>Endpoints</h2>",
        esc(title),
        esc(description)
    );
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            render_operation(&mut out, method, path, op);
        }
    }
    out.push_str("<h2>Schemas</h2>");
    for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        render_schema(&mut out, name, schema);
    }
    out.push_str("</main></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_document_is_escaped() {
        let doc = serde_json::json!({
            "info": {"title": "<script>x</script>"},
            "paths": {"/a": {"get": {"summary": "\"quoted\" & <b>", "responses": {}}}},
        });
        let html = render(&doc);
        assert!(!html.contains("<script>x"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("&quot;quoted&quot; &amp; &lt;b&gt;"));
    }
}
