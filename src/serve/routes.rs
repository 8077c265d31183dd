//! Which answer each path gets. Everything served is made from the
//! records: no path reads a file from disk, so none can leave them.

use super::http::{Request, Response, matches};
use super::pages::{Cached, RECORDS_KEPT};
use super::site::Site;

pub fn answer(site: &Site, req: &Request) -> Response {
    if req.method != "GET" && req.method != "HEAD" {
        return Response::text(405, "read-only: GET and HEAD only\n");
    }
    let pages = site.pages();
    match req.path.as_str() {
        "/" | "/index.html" => cached(&pages.wall, "text/html; charset=utf-8", req),
        "/api/triage" => cached(&pages.triage, JSON, req),
        "/api/stats" => cached(&pages.stats, JSON, req),
        path => {
            if let Some(id) = path.strip_prefix("/api/pm/") {
                record(site, id, req, Kind::Json)
            } else if let Some(id) = path.strip_prefix("/pm/") {
                record(site, id, req, Kind::Html)
            } else {
                not_found()
            }
        }
    }
}

const JSON: &str = "application/json";

fn not_found() -> Response {
    Response::text(
        404,
        "not found: / (the wall), /pm/ID, /api/triage, /api/stats, /api/pm/ID\n",
    )
}

/// A prepared answer, or `304` when the client has it already.
fn cached(c: &Cached, content_type: &'static str, req: &Request) -> Response {
    let status = if matches(req.if_none_match.as_deref(), &c.etag) {
        304
    } else {
        200
    };
    Response {
        status,
        content_type,
        body: c.body.clone(),
        etag: Some(c.etag.clone()),
    }
}

enum Kind {
    Json,
    Html,
}

/// One record: the JSON of `show ID --json`, or its readable page. An ID
/// is letters, digits and dashes (any unique prefix, as on the command
/// line); anything else is no record.
fn record(site: &Site, id: &str, req: &Request, kind: Kind) -> Response {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return not_found();
    }
    let pages = site.pages();
    let content_type = match kind {
        Kind::Json => JSON,
        Kind::Html => "text/html; charset=utf-8",
    };
    if let Some(c) = pages
        .records
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&req.path)
    {
        return cached(c, content_type, req);
    }
    let made = site.with_ctx(|ctx| {
        let Some(record) = crate::cli::show::current(ctx, id)? else {
            return Ok(None);
        };
        let body = match kind {
            Kind::Json => crate::render::json::to_bytes(&record)?,
            Kind::Html => crate::render::report::Reports::new(
                postmortem::templates::report_templates(&ctx.store)?,
                ctx.view(),
            )?
            .record_page(&record)?
            .into_bytes(),
        };
        Ok(Some(body))
    });
    let Some(made) = made else {
        return Response::text(
            404,
            "one post-mortem's page is served by `devops postmortem serve` in its repository\n",
        );
    };
    match made {
        Ok(Some(body)) => {
            let c = std::sync::Arc::new(Cached::new(pages.commit.as_deref(), body));
            let mut kept = pages.records.lock().unwrap_or_else(|e| e.into_inner());
            if kept.len() >= RECORDS_KEPT {
                kept.clear();
            }
            kept.insert(req.path.clone(), std::sync::Arc::clone(&c));
            cached(&c, content_type, req)
        }
        Ok(None) => Response::text(404, format!("no record {id} here\n")),
        Err(e) => {
            let e: postmortem::error::Error = e;
            Response::text(500, format!("{}\n", e.message))
        }
    }
}
