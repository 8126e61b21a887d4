//! Evidence: which applicable controls have current, stale or missing evidence, every
//! item with its file or link, and a form to add a file (multipart, streamed to the
//! blob store field by field — the file is never held in memory).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::TryStreamExt;
use isms_app::evidence::NewEvidence;
use isms_domain::access::{Grant, UseCase};
use isms_domain::evidence::{Content, Coverage, Freshness, Target, TargetKind};
use tokio_util::io::StreamReader;

use super::{PageError, Shell, Viewer, encode, notice, see_other};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    // The form carries a file: no 2 MiB body limit here; the upload limit applies.
    Router::new()
        .route("/evidence", get(page).post(upload).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/evidence/link", axum::routing::post(add_link))
}

pub(crate) struct ItemRow {
    pub id: String,
    pub title: String,
    pub what: String,
    pub href: String,
    pub targets: Vec<(String, String)>,
    pub collected: String,
    pub by: String,
    pub valid_until: String,
    pub stale: bool,
}

pub(crate) struct CoverageRow {
    pub control: String,
    pub title: String,
    pub owner: String,
    pub state: &'static str,
    pub items: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "evidence.html")]
struct EvidencePage {
    shell: Shell,
    coverage: Vec<CoverageRow>,
    missing: usize,
    stale: usize,
    current: usize,
    items: Vec<ItemRow>,
    total: usize,
    f_control: String,
    f_coverage: String,
    /// Controls the caller may attach evidence to: (id, title).
    attachable: Vec<(String, String)>,
    done: Option<String>,
    /// The link form: what was typed when it came back refused.
    link: LinkForm,
    problems: Vec<(String, String)>,
}

/// Evidence that lives elsewhere: a ticket, a dashboard, a report.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct LinkForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    control: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    valid_for_days: String,
    #[serde(default)]
    note: String,
}

pub(crate) fn item_row(e: &isms_domain::evidence::Evidence, today: time::Date, names: &super::Names) -> ItemRow {
    let (what, href) = match &e.content {
        Content::File { filename, size, .. } => {
            (format!("{filename} ({})", human(*size)), format!("/api/v1/evidence/{}/file", e.id))
        }
        Content::Link { url } => (url.clone(), url.clone()),
    };
    ItemRow {
        id: e.id.clone(),
        title: e.title.clone(),
        what,
        href,
        targets: e
            .targets
            .iter()
            .map(|t| {
                let link = match t.kind {
                    TargetKind::Control => format!("/controls/{}", t.id),
                    TargetKind::Risk => format!("/risks/{}", t.id),
                    TargetKind::Audit => format!("/audits/{}", t.id),
                    _ => format!("/crosswalk?item={}", encode(&t.id)),
                };
                (t.id.clone(), link)
            })
            .collect(),
        collected: e.collected_at.date().to_string(),
        by: names.of(&e.collected_by),
        valid_until: e.valid_until.map_or_else(|| "no expiry".to_owned(), |d| d.to_string()),
        stale: e.freshness(today) == Freshness::Stale,
    }
}

pub(crate) fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.0} kB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

async fn page(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<EvidencePage, PageError> {
    render(&s, &viewer, &q, None).await
}

async fn render(
    s: &AppState,
    viewer: &Viewer,
    q: &BTreeMap<String, String>,
    refused: Option<(LinkForm, Vec<(String, String)>)>,
) -> Result<EvidencePage, PageError> {
    let caller = viewer.caller;
    let today = s.cx.clock.today();
    let f_control = q.get("control").map(|c| isms_app::controls::normalize_control_id(c)).unwrap_or_default();
    let f_control = if q.get("control").is_some_and(|c| !c.is_empty()) { f_control } else { String::new() };
    let f_coverage = q.get("coverage").cloned().unwrap_or_default();
    let rows = isms_app::evidence::freshness(&s.cx, &caller).await?;
    let count = |c: Coverage| rows.iter().filter(|r| r.coverage == c).count();
    let (missing, stale, current) = (count(Coverage::Missing), count(Coverage::Stale), count(Coverage::Current));
    let coverage = rows
        .iter()
        .filter(|r| match f_coverage.as_str() {
            "missing" => r.coverage == Coverage::Missing,
            "stale" => r.coverage == Coverage::Stale,
            "current" => r.coverage == Coverage::Current,
            _ => r.coverage != Coverage::Current,
        })
        .map(|r| CoverageRow {
            control: r.control.clone(),
            title: r.title.clone(),
            owner: r.owner_name.clone().unwrap_or_default(),
            state: match r.coverage {
                Coverage::Current => "current",
                Coverage::Stale => "stale",
                Coverage::Missing => "missing",
            },
            items: r.items,
        })
        .collect();
    let all = isms_app::evidence::list_evidence(&s.cx, &caller).await?;
    let names = super::Names::load(&s.cx, &caller).await?;
    let total = all.len();
    let items = all
        .iter()
        .filter(|e| f_control.is_empty() || e.attached_to(TargetKind::Control, &f_control))
        .take(100)
        .map(|e| item_row(e, today, &names))
        .collect();
    let grant = viewer.shell("evidence").can.grant(UseCase::EditControls);
    let attachable = if grant == Grant::Denied {
        vec![]
    } else {
        isms_app::controls::list_controls(&s.cx, &caller)
            .await?
            .into_iter()
            .filter(|c| grant == Grant::Any || c.record.owner == caller.user())
            .map(|c| (c.record.control, c.title))
            .collect()
    };
    Ok(EvidencePage {
        shell: viewer.shell("evidence"),
        coverage,
        missing,
        stale,
        current,
        items,
        total,
        f_control,
        f_coverage,
        attachable,
        done: notice(q.get("done").map(String::as_str)),
        link: refused
            .as_ref()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| LinkForm { valid_for_days: "365".into(), ..LinkForm::default() }),
        problems: refused.map(|r| r.1).unwrap_or_default(),
    })
}

async fn add_link(
    State(s): State<AppState>,
    super::CsrfForm(viewer, f): super::CsrfForm<LinkForm>,
) -> Result<Response, PageError> {
    let result = async {
        let mut new =
            NewEvidence { title: f.title.trim().to_owned(), note: f.note.trim().to_owned(), ..NewEvidence::default() };
        let control = super::picked(&f.control).to_owned();
        if control.is_empty() {
            return Err(isms_app::AppError::invalid_field("control", "choose the control it supports"));
        }
        new.targets.push(Target { kind: TargetKind::Control, id: control });
        if !f.valid_for_days.trim().is_empty() {
            new.valid_for_days = Some(f.valid_for_days.trim().parse().map_err(|_| {
                isms_app::AppError::invalid_field(
                    "valid_for_days",
                    format!("{:?} is not a number of days", f.valid_for_days),
                )
            })?);
        }
        isms_app::evidence::add_link(&s.cx, &viewer.caller, new, f.url.trim()).await
    }
    .await;
    match result {
        Ok(saved) => Ok(see_other(&format!("/evidence?done={}#{}", encode(&format!("Added {}.", saved.id)), saved.id))),
        Err(e) if matches!(e.kind, isms_app::ErrorKind::Invalid | isms_app::ErrorKind::NotFound) => {
            let problems = super::form_problems(&e);
            let page = render(&s, &viewer, &BTreeMap::new(), Some((f, problems))).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn invalid(field: &str, message: impl std::fmt::Display) -> PageError {
    PageError(isms_app::AppError::invalid_field(field, message))
}

/// The form's token and text fields come first (browsers send fields in document
/// order), then the file, which is streamed straight into the blob store. The role is
/// checked before any of the body is read (see [`super::upload_form`]).
async fn upload(State(s): State<AppState>, viewer: Viewer, mut form: Multipart) -> Result<Response, PageError> {
    viewer.caller.require(UseCase::EditControls)?;
    let mut new = NewEvidence::default();
    let mut back = "/evidence".to_owned();
    let mut seen = 0;
    while let Some(mut field) = form.next_field().await.map_err(|e| invalid("form", e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" && seen > 0 {
            let filename = field.file_name().unwrap_or("upload").to_owned();
            let media = field.content_type().unwrap_or("application/octet-stream").to_owned();
            if new.title.trim().is_empty() {
                new.title.clone_from(&filename);
            }
            let mut reader = StreamReader::new(field.map_err(std::io::Error::other));
            let saved =
                isms_app::evidence::add_file(&s.cx, &viewer.caller, new, &filename, &media, &mut reader).await?;
            return Ok(see_other(&format!("{back}?done={}", encode(&format!("Added {}.", saved.id)))));
        }
        let Some(value) = super::upload_text(&viewer, &mut seen, &name, &mut field).await? else { continue };
        match name.as_str() {
            "title" => new.title = value,
            "control" if !super::picked(&value).is_empty() => {
                new.targets.push(Target { kind: TargetKind::Control, id: super::picked(&value).to_owned() });
            }
            "audit" if !value.trim().is_empty() => {
                back = format!("/audits/{}", encode(value.trim()));
                new.targets.push(Target { kind: TargetKind::Audit, id: value.trim().to_owned() });
            }
            "valid_for_days" if !value.is_empty() => {
                new.valid_for_days = Some(value.parse().map_err(|_| invalid("valid_for_days", "a number of days"))?);
            }
            "note" => new.note = value,
            _ => {}
        }
    }
    Err(invalid("file", "choose a file"))
}
