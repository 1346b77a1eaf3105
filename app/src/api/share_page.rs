//! The public side of a share link: `GET /s/{token}`, a page anyone can open (server-rendered,
//! no sign-in, no script), and `GET /s/{token}/{file}`, the picture behind it (and its other
//! sizes and formats, for embeds and link previews). The page shows the picture, its title and
//! alt text, "Made with Infograph" and the source post, and carries the Open Graph and Twitter
//! tags that make the link unfold with the picture. Nothing of the owner's: no email, no brief,
//! no credits, no other infograph. A revoked link, or one to a deleted infograph: 410 Gone.

use super::media::file_response;
use crate::errors::AppError;
use crate::model::share::escape;
use crate::server::delivery::renditions::Size;
use crate::server::platform::state::AppState;
use crate::server::sharing::{self, PublicShare};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use leptos::prelude::*;

/// Link previews are made from the 1200 px wide JPEG: what Facebook, LinkedIn and X recommend.
const PREVIEW_WIDTH: u32 = 1200;

pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let stylesheet = format!("/pkg/{}.css", state.leptos_options.output_name);
    match sharing::public_page(&state, &token).await {
        Ok(share) => {
            let page_url = format!("{}{}", state.public_base_url, sharing::page_path(&share.token));
            let picture_url = |file: &str| format!("{}/{file}", sharing::page_path(&share.token));
            let html = public_page(&share, &page_url, &state.public_base_url, &stylesheet, &picture_url);
            let mut response = Html(html).into_response();
            if !share.indexable {
                response.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex"));
            }
            response
        }
        Err(AppError::Gone(_)) => notice(StatusCode::GONE, "This link has been turned off", "Its owner stopped sharing this infographic.", &stylesheet),
        Err(AppError::NotFound) => notice(StatusCode::NOT_FOUND, "Page not found", "There is nothing here.", &stylesheet),
        Err(e) => e.into_response(),
    }
}

/// The picture (or a rendition of it) behind a live link: public, cacheable for a year (its name
/// is its content's hash); gone with the link.
pub async fn picture(State(state): State<AppState>, Path((token, file)): Path<(String, String)>) -> Result<Response, AppError> {
    let (found, indexable, id) = sharing::public_file(&state, &token, &file).await?;
    let mut response = file_response(&state, &id, found, "public, max-age=31536000, immutable").await?;
    if !indexable {
        response.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    Ok(response)
}

fn public_page(share: &PublicShare, page_url: &str, base: &str, stylesheet: &str, picture_url: &dyn Fn(&str) -> String) -> String {
    let title = share.title.clone();
    let alt = share.alt_text.clone();
    let (width, height) = (share.width.and_then(|w| u32::try_from(w).ok()), share.height.and_then(|h| u32::try_from(h).ok()));
    let preview = share.preview_file.as_deref().map(|file| {
        let (w, h) = match (width, height) {
            (Some(w), Some(h)) => Size::Width(PREVIEW_WIDTH).dimensions(w, h, 0),
            _ => (PREVIEW_WIDTH, PREVIEW_WIDTH),
        };
        (format!("{base}{}", picture_url(file)), w, h)
    });
    let image = share.image_file.as_deref().map(|file| (picture_url(file), sharing::webp_srcset(file, width, picture_url)));
    let source = share.blog_url.clone();
    // The head is written out by hand: `view!` has no `property` attribute for Open Graph's tags.
    let meta = |name: &str, content: &str| format!("<meta name=\"{name}\" content=\"{}\">", escape(content));
    let og = |property: &str, content: &str| format!("<meta property=\"{property}\" content=\"{}\">", escape(content));
    let mut head = vec![
        format!("<title>{} — Infograph</title>", escape(&title)),
        meta("description", &alt),
        format!("<link rel=\"canonical\" href=\"{}\">", escape(page_url)),
        og("og:type", "article"),
        og("og:site_name", "Infograph"),
        og("og:title", &title),
        og("og:description", &alt),
        og("og:url", page_url),
        meta("twitter:card", "summary_large_image"),
        meta("twitter:title", &title),
        meta("twitter:description", &alt),
    ];
    if !share.indexable {
        head.push(meta("robots", "noindex"));
    }
    if let Some((url, w, h)) = &preview {
        head.extend([
            og("og:image", url),
            og("og:image:type", "image/jpeg"),
            og("og:image:width", &w.to_string()),
            og("og:image:height", &h.to_string()),
            og("og:image:alt", &alt),
            meta("twitter:image", url),
            meta("twitter:image:alt", &alt),
        ]);
    }
    let body = view! {
        <header class="topbar"><a class="brand" href="/">"Infograph"</a></header>
        <main class="container share-page">
            <h1 class="viewer-title">{title.clone()}</h1>
            {match image {
                Some((full, webp)) => view! {
                    <figure class="stage" data-testid="shared-image">
                        <picture>
                            <source srcset=webp sizes=share_sizes(width) type="image/webp"/>
                            <img src=full alt=alt.clone() width=width height=height fetchpriority="high"/>
                        </picture>
                    </figure>
                }.into_any(),
                None => view! { <p class="notice">"The picture is on its way: open this page again in a moment."</p> }.into_any(),
            }}
            <p class="share-alt">{alt.clone()}</p>
            {source.map(|url| view! {
                <p class="share-source">"From the post " <a href=url.clone() rel="noopener nofollow">{url.clone()}</a></p>
            })}
            <p class="made-with">"Made with " <a href="/">"Infograph"</a> ": turn a prompt or a blog post into an infographic."</p>
        </main>
    };
    document(&head.join(""), stylesheet, body.to_html())
}

/// How wide the share page shows the picture: its column (the screen less the page's padding, up
/// to the container's 1050 px), never wider than the picture itself. With `srcset`, the browser
/// sizes the image by this (`style/main.css` lets it), so a 682 px picture is never stretched
/// to the 1050 px column.
fn share_sizes(width: Option<u32>) -> String {
    match width {
        Some(w) => format!("(max-width: 1100px) min(calc(100vw - 34px), {w}px), min(1050px, {w}px)"),
        None => "(max-width: 1100px) calc(100vw - 34px), 1050px".to_string(),
    }
}

/// A page that says why there is nothing to show, with its status; never indexed.
fn notice(status: StatusCode, heading: &'static str, text: &'static str, stylesheet: &str) -> Response {
    let head = format!("<title>{heading} — Infograph</title><meta name=\"robots\" content=\"noindex\">");
    let body = view! {
        <header class="topbar"><a class="brand" href="/">"Infograph"</a></header>
        <main class="container">
            <section class="notice not-found" data-testid="share-gone">
                <h1>{heading}</h1>
                <p>{text}</p>
                <p><a class="button" href="/">"Make your own infographic"</a></p>
            </section>
        </main>
    };
    let mut response = (status, Html(document(&head, stylesheet, body.to_html()))).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn document(head: &str, stylesheet: &str, body: String) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{head}\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"{}\"></head>\
         <body>{body}</body></html>",
        escape(stylesheet)
    )
}
