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

/// Text from the document: escaped, with its `code` spans (Markdown's backticks) as `<code>`.
fn prose(text: &str) -> String {
    esc(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("<code>{part}</code>") } else { part.to_string() })
        .collect()
}

/// `#/components/schemas/X` → X's schema.
fn resolved<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .and_then(|name| doc.pointer(&format!("/components/schemas/{name}")))
        .unwrap_or(schema)
}

/// A JSON body for the example: the schema's fields that carry an example.
fn example_body(doc: &Value, schema: &Value) -> Option<String> {
    let props = resolved(doc, schema).get("properties")?.as_object()?;
    let example: serde_json::Map<String, Value> = props.iter().filter_map(|(k, p)| Some((k.clone(), p.get("example")?.clone()))).collect();
    (!example.is_empty()).then(|| Value::Object(example).to_string())
}

/// A `curl` line that calls the operation (with `$TOKEN` where it needs one).
fn curl_example(doc: &Value, method: &str, path: &str, op: &Value) -> String {
    let mut line = format!("curl -X {} \"$INFOGRAPH_URL{path}\"", method.to_uppercase());
    if op.get("security").is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty())) {
        line.push_str(" \\\n  -H \"Authorization: Token $TOKEN\"");
    }
    if let Some(body) = op.pointer("/requestBody/content/application~1json/schema").and_then(|s| example_body(doc, s)) {
        line.push_str(&format!(" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{body}'"));
    }
    line
}

fn render_operation(out: &mut String, doc: &Value, method: &str, path: &str, op: &Value) {
    let summary = op.get("summary").and_then(Value::as_str).unwrap_or_default();
    let secured = op.get("security").is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty()));
    let _ = write!(
        out,
        "<section class=\"op\"><h3><code class=\"method {m}\">{M}</code> <code>{p}</code>{lock}</h3><p>{s}</p>",
        m = esc(method),
        M = esc(&method.to_uppercase()),
        p = esc(path),
        lock = if secured { " <small>(Token)</small>" } else { "" },
        s = prose(summary),
    );
    if let Some(d) = op.get("description").and_then(Value::as_str) {
        let _ = write!(out, "<p>{}</p>", prose(d));
    }
    let _ = write!(out, "<pre class=\"curl\"><code>{}</code></pre>", esc(&curl_example(doc, method, path, op)));
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        out.push_str("<h4>Parameters</h4><ul>");
        for p in params {
            let _ = write!(
                out,
                "<li><code>{}</code> ({}{}) {}</li>",
                esc(p.get("name").and_then(Value::as_str).unwrap_or_default()),
                esc(p.get("in").and_then(Value::as_str).unwrap_or_default()),
                if p.get("required").and_then(Value::as_bool).unwrap_or(false) { ", required" } else { "" },
                prose(p.get("description").and_then(Value::as_str).unwrap_or_default()),
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
                prose(r.get("description").and_then(Value::as_str).unwrap_or_default()),
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
        let _ = write!(out, "<p>{}</p>", prose(d));
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
                prose(p.get("description").and_then(Value::as_str).unwrap_or_default()),
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}

/// The page, styled by the site's stylesheet at `stylesheet` (in the bundle's content-named
/// directory: see `api::assets`).
pub fn render(doc: &Value, stylesheet: &str) -> String {
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Infograph API</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"{}\"></head><body><main class=\"container api-docs\">",
        esc(stylesheet)
    );
    let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API");
    let description = doc.pointer("/info/description").and_then(Value::as_str).unwrap_or_default();
    let _ = write!(
        out,
        "<p><a href=\"/\">← Infograph</a></p><h1>{}</h1><p>{}</p>\
         <p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI 3.1).</p>\
         <p>The examples read the server's address from <code>$INFOGRAPH_URL</code> and an API token from <code>$TOKEN</code> \
         (make one in Settings, or with <code>POST /api/auth/token/</code>).</p><h2>Endpoints</h2>",
        esc(title),
        prose(description)
    );
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            render_operation(&mut out, doc, method, path, op);
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
        let html = render(&doc, "/pkg/abc/infograph.css\"><script>");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("&quot;quoted&quot; &amp; &lt;b&gt;"));
    }

    #[test]
    fn code_spans_and_curl_examples_render() {
        let doc = serde_json::json!({
            "paths": {"/api/x/": {"post": {
                "summary": "Makes an `x` from `<y>`",
                "security": [{"token": []}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/XRequest"}}}},
                "responses": {},
            }}},
            "components": {"schemas": {"XRequest": {"properties": {"prompt": {"type": "string", "example": "Bees"}, "other": {"type": "string"}}}}},
        });
        let html = render(&doc, "/pkg/h/infograph.css");
        assert!(html.contains("href=\"/pkg/h/infograph.css\""), "the bundle's stylesheet");
        assert!(html.contains("Makes an <code>x</code> from <code>&lt;y&gt;</code>"), "{html}");
        assert!(!html.contains('`'), "no literal backticks");
        assert!(html.contains("curl -X POST &quot;$INFOGRAPH_URL/api/x/&quot;"), "{html}");
        assert!(html.contains("Authorization: Token $TOKEN") && html.contains("-d &#39;{&quot;prompt&quot;:&quot;Bees&quot;}&#39;"), "{html}");
    }
}
