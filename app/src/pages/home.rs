use crate::components::create_form::{CreateForm, LookFields};
use crate::components::gallery::Gallery;
use crate::components::verify_banner::{VerifyBanner, VerifyOutcome};
use crate::context::{workspace, AccountResource};
use crate::model::models::ModelList;
use crate::model::InfographView;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let AccountResource(account) = expect_context();
    let items = Resource::new(|| (), |_| async {
        // The kits only fill the form's choice: without them the gallery still shows.
        let kits = crate::api::server_fns::design::list_brand_kits().await.unwrap_or_default();
        let models = crate::api::server_fns::models::list_models().await?;
        Ok::<_, crate::errors::AppError>((crate::api::server_fns::infographs::list_infographs().await?, kits, models))
    });
    view! {
        <VerifyOutcome/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || account.get().map(|result| match result {
                Ok(Some(acc)) => {
                    // Drafts are kept per account: another person on this browser never sees them.
                    let draft_key = crate::components::form_draft::key_for(&acc.email);
                    view! {
                        <h1 class="sr-only">"Your infographics"</h1>
                        {(!acc.email_verified).then(|| view! { <VerifyBanner email=acc.email.clone()/> })}
                        {move || items.get().map(|list| match list {
                            Ok((list, kits, models)) => {
                                // Not every model can place a logo: the choice says so beside them.
                                let logo_kits: Vec<String> = kits.iter().filter(|k| k.logo_url.is_some()).map(|k| k.id.clone()).collect();
                                let kit_logo = kits.iter().any(|k| k.is_default && k.logo_url.is_some());
                                let names = crate::components::models::ModelNames::of(&models);
                                view! {
                                <div class="workspace">
                                    // Hydrated when first used (focus, a press, a key, a card's "use
                                    // these settings"): a visit to look at the gallery does not fetch
                                    // the form's code. Until then it is a plain form that posts.
                                    <div data-hydrate="on-use">
                                        <CreateFormIsland draft_key=draft_key.clone() models logo_kits kit_logo><LookFields kits=kits/></CreateFormIsland>
                                    </div>
                                    <GalleryIsland items=list draft_key=draft_key.clone() model_names=names/>
                                </div>
                            }.into_any()},
                            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        })}
                    }.into_any()
                }
                _ => view! { <Landing/> }.into_any(),
            })}
        </Suspense>
    }
}

/// The create form; its children are the server-rendered look fields. `draft_key`: where the
/// account's unsent work is kept in the browser.
#[island(lazy)]
fn CreateFormIsland(draft_key: String, models: ModelList, logo_kits: Vec<String>, kit_logo: bool, children: Children) -> impl IntoView {
    view! { <CreateForm look=children() draft_key models logo_kits kit_logo/> }.into_any()
}

/// The gallery and its cards (push, polling, progress, actions). The list is page-wide: the
/// form's island adds to it after a create.
/// `model_names`: each model's short name by id, for the cards.
#[island(lazy)]
fn GalleryIsland(items: Vec<InfographView>, draft_key: String, model_names: Vec<(String, String)>) -> impl IntoView {
    crate::components::models::model_names().0.set(model_names);
    // Live at once, unlike the form: when the form has unsent work to bring back, it wakes it.
    Effect::new(move |_| crate::components::create_form::wake_for_draft(&draft_key));
    let list = workspace().items;
    // Unless the form, woken early, has already reloaded a newer list (never empty: it follows a
    // create).
    if list.with_untracked(Vec::is_empty) {
        list.set(items);
    }
    view! { <Gallery/> }.into_any()
}

/// The first visit: what Infograph does, three pictures made with it, how credits work, sign up.
/// Server-rendered with no island: a signed-out visitor downloads no wasm here.
#[component]
fn Landing() -> impl IntoView {
    view! {
        <section class="landing">
            <div class="hero">
                <h1>"Turn a prompt — or a blog post — into an infographic."</h1>
                <p class="lead">
                    "Describe what you want, or paste your post's address: Infograph reads the post, writes the "
                    "outline and has the picture drawn in the size you post it at. Refine it with a sentence, "
                    "keep every version."
                </p>
                <p class="cta"><a class="button" href="/signup">"Create a free account"</a> <a class="button secondary" href="/signin">"Sign in"</a></p>
            </div>
            <h2>"Made with Infograph"</h2>
            <Showcase/>
            <h2>"How it works"</h2>
            <ol class="steps">
                <li><strong>"Describe it."</strong> " A sentence is enough; add a blog post's URL and its main points are used."</li>
                <li><strong>"Pick the format."</strong> " Aspect ratio and resolution for where it goes: a post header, a pin, a slide."</li>
                <li><strong>"Get the picture."</strong> " It appears in your gallery in about a minute; refine it, download it."</li>
            </ol>
            <h2>"How credits work"</h2>
            <ul class="credits-info">
                <li>{signup_credits_text()}</li>
                <li>"An image costs 1 credit at 1K or 2K and 2 credits at 4K."</li>
                <li>"If a generation fails, its credits come back to you, automatically."</li>
            </ul>
            <p class="cta"><a class="button" href="/signup">"Start with your free credits"</a></p>
        </section>
    }
}

/// Up to three pictures: the infographics an admin featured (newest featured first), each
/// linking to its share page, then the examples (files of the repository) in the places left.
/// The examples alone if the featured ones cannot be read: the page is still whole.
#[component]
fn Showcase() -> impl IntoView {
    use crate::model::showcase::{EXAMPLES, LANDING_PICTURES};
    let featured = Resource::new(|| (), |_| crate::api::server_fns::showcase::featured_infographics());
    view! {
        <Suspense fallback=|| ()>
            {move || featured.get().map(|list| {
                let list = list.unwrap_or_default();
                let examples = LANDING_PICTURES.saturating_sub(list.len());
                view! {
                    <ul class="examples" data-testid="examples">
                        {list.into_iter().enumerate().map(|(i, f)| view! { <FeaturedItem item=f first=i == 0/> }).collect_view()}
                        {EXAMPLES.iter().take(examples).enumerate().map(|(i, e)| view! { <ExampleItem example=e first=i == 0 && examples == LANDING_PICTURES/> }).collect_view()}
                    </ul>
                }
            })}
        </Suspense>
    }
}

/// How wide a picture of the list is shown: the screen less the page's padding on a phone, a
/// column of the grid (at most a third of the 1050 px container) on a larger screen.
const SHOWCASE_SIZES: &str = "(max-width: 700px) calc(100vw - 34px), 340px";

/// The first picture is the page's largest paint: fetched at once; the rest when near.
fn loading(first: bool) -> &'static str {
    if first { "eager" } else { "lazy" }
}

#[component]
fn FeaturedItem(item: crate::model::showcase::Featured, first: bool) -> impl IntoView {
    view! {
        <li data-testid="featured">
            <figure>
                <picture>
                    <source srcset=item.webp_srcset sizes=SHOWCASE_SIZES type="image/webp"/>
                    <img src=item.image_url alt=item.alt width=item.width height=item.height
                        loading=loading(first) fetchpriority=first.then_some("high")/>
                </picture>
                <figcaption><a href=item.page_url>{item.title}</a></figcaption>
            </figure>
        </li>
    }
}

#[component]
fn ExampleItem(example: &'static crate::model::showcase::Example, first: bool) -> impl IntoView {
    view! {
        <li data-testid="example">
            <figure>
                <picture>
                    <source srcset=example.url("webp") type="image/webp"/>
                    <img src=example.url("jpg") alt=example.alt() width=example.width height=example.height
                        loading=loading(first) fetchpriority=first.then_some("high")/>
                </picture>
                <figcaption>{example.caption}</figcaption>
            </figure>
        </li>
    }
}

/// "10 free credits when you confirm your email address", with the configured amount.
fn signup_credits_text() -> String {
    #[cfg(feature = "ssr")]
    let credits = use_context::<crate::server::platform::state::AppState>().map(|s| s.config.signup_credits);
    #[cfg(not(feature = "ssr"))]
    let credits: Option<i64> = None;
    match credits {
        Some(n) if n > 0 => format!("{n} free credit{} when you confirm your email address.", if n == 1 { "" } else { "s" }),
        _ => "Credits are granted by the site's administrators.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::design::SIZE_PRESETS;
    use crate::model::showcase::EXAMPLES;

    /// "16:9" for 960 × 540.
    fn ratio(width: u32, height: u32) -> String {
        let gcd = |mut a: u32, mut b: u32| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        let g = gcd(width, height);
        format!("{}:{}", width / g, height / g)
    }

    #[test]
    fn the_examples_name_the_places_whose_preset_has_their_shape() {
        for example in EXAMPLES {
            let shape = ratio(example.width, example.height);
            assert!(example.caption.ends_with(&format!(", {shape}")), "{}", example.caption);
            let caption = example.caption.to_lowercase();
            for preset in SIZE_PRESETS {
                // The place a preset is named after: "LinkedIn", "Pinterest", "Blog", "Square"…
                let place = preset.label.split_whitespace().next().unwrap_or_default().to_lowercase();
                if caption.contains(&place) {
                    assert_eq!(preset.aspect_ratio, shape, "{} is called a {} ({})", example.slug, preset.label, example.caption);
                }
            }
        }
    }
}
