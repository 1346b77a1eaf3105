//! Which world the server runs in, said out loud: with fal.ai (`FAL_KEY`) or with the built-in
//! emulator (`FAL_EMULATOR=true`), never one silently standing in for the other. The settings
//! that only make sense in a test set-up are refused outside one, and live money is refused
//! next to pictures drawn by test code. Checked before anything starts.

use super::config::Config;
use std::net::IpAddr;

/// Why the configuration cannot be served, as a whole sentence naming the settings and the ways out.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct ModeError(String);

/// The checks, in the order an operator would fix them.
pub fn check(config: &Config) -> Result<(), ModeError> {
    fal_source(config)?;
    no_live_money_with_the_emulator(config)?;
    test_settings_only_in_tests(config)?;
    Ok(())
}

fn fal_source(config: &Config) -> Result<(), ModeError> {
    match (config.fal.key.is_some(), config.fal.emulator) {
        (false, false) => Err(ModeError(
            "FAL_KEY is not set, so there is nothing to draw pictures with. Set FAL_KEY to your fal.ai API key, \
             or set FAL_EMULATOR=true (or pass --fal-emulator) to draw with the built-in emulator, for development and tests."
                .into(),
        )),
        (true, true) => Err(ModeError(
            "FAL_KEY and FAL_EMULATOR=true are both set: choose one. Unset FAL_EMULATOR to draw with fal.ai, \
             or unset FAL_KEY to draw with the built-in emulator."
                .into(),
        )),
        _ => Ok(()),
    }
}

/// Stripe's live keys start `sk_live_` / `rk_live_` (secret, restricted) and `pk_live_`.
fn is_live_stripe_key(key: &str) -> bool {
    ["sk_live_", "rk_live_", "pk_live_"].iter().any(|prefix| key.starts_with(prefix))
}

fn no_live_money_with_the_emulator(config: &Config) -> Result<(), ModeError> {
    let billing = &config.billing;
    let live = billing.secret_key.as_ref().is_some_and(|k| is_live_stripe_key(k.expose()))
        || billing.publishable_key.as_deref().is_some_and(is_live_stripe_key);
    if live && config.fal.emulator {
        return Err(ModeError(
            "STRIPE_SECRET_KEY (or STRIPE_PUBLISHABLE_KEY) is a live Stripe key while FAL_EMULATOR=true: customers \
             would pay for pictures drawn by the built-in emulator. Set FAL_KEY and unset FAL_EMULATOR, or use \
             Stripe test keys (sk_test_…, pk_test_…)."
                .into(),
        ));
    }
    Ok(())
}

/// Whether a URL's host is this machine: a fal queue there is a test set-up (a standalone emulator).
fn on_loopback(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else { return false };
    match parsed.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A test set-up: the built-in emulator, or a fal queue on this machine.
fn is_test_setup(config: &Config) -> bool {
    config.fal.emulator || config.fal.queue_url.as_deref().is_some_and(on_loopback)
}

fn test_settings_only_in_tests(config: &Config) -> Result<(), ModeError> {
    if !config.fetch_allow.is_empty() && !is_test_setup(config) {
        return Err(ModeError(
            "FETCH_ALLOW_ADDRS is a test-only setting (it lets the blog reader reach private addresses) and is \
             refused with a real fal queue. Unset it; it is accepted only with FAL_EMULATOR=true or a FAL_QUEUE_URL \
             on loopback."
                .into(),
        ));
    }
    let live_key = config.billing.secret_key.as_ref().is_some_and(|k| is_live_stripe_key(k.expose()));
    let default_api = config.billing.api_base == "https://api.stripe.com";
    if live_key && !default_api {
        return Err(ModeError(format!(
            "STRIPE_API_BASE is {} while STRIPE_SECRET_KEY is a live key: a live key is only ever sent to \
             https://api.stripe.com. Unset STRIPE_API_BASE (it is for test servers such as localstripe).",
            config.billing.api_base
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::platform::config::Secret;

    fn with_key() -> Config {
        let mut config = Config::default();
        config.fal.key = Some(Secret::new("fal-key"));
        config
    }

    fn emulated() -> Config {
        let mut config = Config::default();
        config.fal.emulator = true;
        config
    }

    fn refusal(config: &Config) -> String {
        check(config).expect_err("refused").to_string()
    }

    #[test]
    fn nothing_to_draw_with_is_refused_naming_both_ways_out() {
        let message = refusal(&Config::default());
        assert!(message.contains("FAL_KEY") && message.contains("FAL_EMULATOR=true") && message.contains("--fal-emulator"), "{message}");
        assert_eq!(check(&with_key()), Ok(()));
        assert_eq!(check(&emulated()), Ok(()));
    }

    #[test]
    fn a_key_and_the_emulator_together_are_ambiguous() {
        let mut config = with_key();
        config.fal.emulator = true;
        assert!(refusal(&config).contains("choose one"));
    }

    #[test]
    fn live_stripe_keys_never_sell_emulated_pictures() {
        for (secret, publishable) in [("sk_live_abc", "pk_test_x"), ("rk_live_abc", "pk_test_x"), ("sk_test_abc", "pk_live_x")] {
            let mut config = emulated();
            config.billing.secret_key = Some(Secret::new(secret));
            config.billing.publishable_key = Some(publishable.into());
            let message = refusal(&config);
            assert!(message.contains("live Stripe key") && message.contains("FAL_KEY"), "{message}");
            let mut real = with_key();
            real.billing = config.billing.clone();
            assert_eq!(check(&real), Ok(()), "{secret} with fal.ai");
        }
        let mut test_keys = emulated();
        test_keys.billing.secret_key = Some(Secret::new("sk_test_abc"));
        test_keys.billing.publishable_key = Some("pk_test_abc".into());
        assert_eq!(check(&test_keys), Ok(()));
    }

    #[test]
    fn fetch_allow_addrs_only_in_a_test_setup() {
        let allow = vec!["127.0.0.1:8080".parse().expect("addr")];
        let mut real = with_key();
        real.fetch_allow = allow.clone();
        assert!(refusal(&real).contains("FETCH_ALLOW_ADDRS"));
        real.fal.queue_url = Some("https://queue.fal.run".into());
        assert!(check(&real).is_err());
        for local in ["http://127.0.0.1:3900/queue", "http://localhost:3900", "http://[::1]:9/queue"] {
            real.fal.queue_url = Some(local.into());
            assert_eq!(check(&real), Ok(()), "{local}");
        }
        real.fal.queue_url = Some("http://127.0.0.1.example.com/queue".into());
        assert!(check(&real).is_err());
        let mut emulator = emulated();
        emulator.fetch_allow = allow;
        assert_eq!(check(&emulator), Ok(()));
    }

    #[test]
    fn a_live_stripe_key_goes_only_to_stripe() {
        let mut config = with_key();
        config.billing.secret_key = Some(Secret::new("sk_live_abc"));
        config.billing.api_base = "http://127.0.0.1:8420".into();
        assert!(refusal(&config).contains("STRIPE_API_BASE"));
        config.billing.api_base = "https://api.stripe.com".into();
        assert_eq!(check(&config), Ok(()));
    }
}
