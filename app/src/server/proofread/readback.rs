//! The read-back on fal: a vision model (`PROOFREAD_MODEL`, any OpenRouter id) transcribes the
//! text of a picture through `openrouter/router/vision`, submitted to the same queue as images
//! with a webhook, and polled by the reconciler when the webhook does not come.

use serde_json::{json, Value};

pub const ENDPOINT: &str = "openrouter/router/vision";

/// A transcription is short; this bounds what a runaway answer costs.
const MAX_TOKENS: u32 = 2000;

const SYSTEM: &str = "You are a meticulous proofreader. You transcribe the text of images exactly as it is written, \
    character for character, without correcting anything.";

const PROMPT: &str = "Transcribe every piece of text in this infographic exactly as written: keep every spelling \
    mistake, wrong number and capitalisation, do not translate, do not correct, do not describe the picture. \
    Write one text block (a title, a heading, a line, a figure) per line, in reading order. Answer with the text only.";

/// The queue input for reading back the picture at `image_url`.
pub fn input(model: &str, image_url: &str) -> Value {
    json!({
        "image_urls": [image_url],
        "prompt": PROMPT,
        "system_prompt": SYSTEM,
        "model": model,
        "temperature": 0,
        "max_tokens": MAX_TOKENS,
    })
}

/// How a read-back ended, from fal's webhook body or its queue result.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadBack {
    Text(String),
    Failed(String),
}

/// The text of the model's output (`{"output": "…"}`); `Failed` when there is none.
pub fn from_output(output: &Value) -> ReadBack {
    match output.get("output").and_then(Value::as_str) {
        Some(text) if output.get("error").is_none_or(Value::is_null) => ReadBack::Text(text.trim().to_string()),
        _ => ReadBack::Failed(output.get("error").and_then(Value::as_str).unwrap_or("the model gave no text").to_string()),
    }
}

/// A webhook's body: `OK` with the output as its payload, or an error.
pub fn from_webhook(body: &Value) -> ReadBack {
    let ok = body.get("status").and_then(Value::as_str) == Some("OK");
    match body.get("payload").filter(|p| !p.is_null()) {
        Some(payload) if ok => from_output(payload),
        _ => ReadBack::Failed(body.get("error").and_then(Value::as_str).unwrap_or("the read-back failed").to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_models_text_is_read_from_its_output_and_errors_are_failures() {
        assert_eq!(from_output(&json!({"output": " TITLE\nLine \n"})), ReadBack::Text("TITLE\nLine".into()));
        assert!(matches!(from_output(&json!({"output": "x", "error": "rate limited"})), ReadBack::Failed(m) if m == "rate limited"));
        assert!(matches!(from_output(&json!({})), ReadBack::Failed(_)));
        let hook = json!({"status": "OK", "request_id": "r", "payload": {"output": "A"}});
        assert_eq!(from_webhook(&hook), ReadBack::Text("A".into()));
        assert!(matches!(from_webhook(&json!({"status": "ERROR", "error": "boom", "payload": null})), ReadBack::Failed(m) if m == "boom"));
    }

    #[test]
    fn the_input_names_the_picture_and_the_configured_model() {
        let input = input("google/gemini-2.5-flash", "https://fal.media/a.png");
        assert_eq!(input["image_urls"], json!(["https://fal.media/a.png"]));
        assert_eq!(input["model"], "google/gemini-2.5-flash");
        assert!(input["prompt"].as_str().is_some_and(|p| p.contains("exactly as written")));
    }
}
