//! What a send that charges says and carries: the sentence once it started, and the key that
//! makes a second post of the same form charge once.

/// "Started 3 infographics for 3 credits." — counted words, never "(s)".
pub fn started(count: usize, thing: &str, credits: i64) -> String {
    let plural = |n: i64| if n == 1 { "" } else { "s" };
    format!("Started {count} {thing}{} for {credits} credit{}.", plural(count as i64), plural(credits))
}

/// A random key for one display of a form that charges (empty without the wasm).
#[cfg(feature = "hydrate")]
pub fn new_idempotency_key() -> String {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_default()
}

#[cfg(not(feature = "hydrate"))]
pub fn new_idempotency_key() -> String {
    String::new()
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_spelled_out() {
        assert_eq!(super::started(1, "infographic", 1), "Started 1 infographic for 1 credit.");
        assert_eq!(super::started(3, "infographic", 6), "Started 3 infographics for 6 credits.");
        assert_eq!(super::started(2, "refinement", 2), "Started 2 refinements for 2 credits.");
    }
}
