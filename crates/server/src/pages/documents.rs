//! Documents: the register (what is in force, what waits for approval, which reviews
//! are due), starter templates to adopt, each document with its version in force
//! rendered from Markdown, the open draft to edit or upload, the approval workflow,
//! acknowledgements, and the mandatory documented information checklist.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use futures_util::TryStreamExt;
use isms_app::documents::{DocumentPatch, MandatoryItem, NewDocument, Step};
use isms_app::starters::STARTERS;
use isms_domain::access::{Grant, UseCase};
use isms_domain::document::{Audience, Body, Document, DocumentType, DocumentVersion};
use serde::Deserialize;
use tokio_util::io::StreamReader;

use super::{CsrfForm, PageError, Shell, Viewer, encode, markdown, notice, see_other, word};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/documents", get(register).post(create))
        .route("/documents/starters", post(adopt))
        .route("/documents/checklist", get(checklist))
        .route("/documents/{id}", get(page))
        .route("/documents/{id}/versions/{number}", get(version_page))
        .route("/documents/{id}/describe", post(describe))
        .route("/documents/{id}/versions", post(new_version))
        .route("/documents/{id}/draft", post(edit_draft))
        .route("/documents/{id}/upload", post(upload).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/documents/{id}/step", post(step))
}

pub(crate) struct Row {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub owner: String,
    pub in_force: String,
    pub open: String,
    pub review_due: String,
    pub review_status: &'static str,
    pub pending: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "documents.html")]
struct RegisterPage {
    shell: Shell,
    rows: Vec<Row>,
    total: usize,
    overdue: usize,
    due_soon: usize,
    waiting: usize,
    unapproved: usize,
    f_type: String,
    f_status: String,
    /// (key, title, type, already adopted as)
    starters: Vec<(&'static str, &'static str, String, String)>,
    mine: Vec<(String, String, u32)>,
    can_edit: bool,
    me: String,
    /// (e-mail, name) of who may own a document.
    owners: Vec<(String, String)>,
    done: Option<String>,
}

const TYPES: [&str; 5] = ["policy", "procedure", "standard", "plan", "record"];

fn kind_of(text: &str) -> Result<DocumentType, PageError> {
    DocumentType::parse(text).map_err(|m| PageError(isms_app::AppError::invalid_field("type", m)))
}

async fn register(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<RegisterPage, PageError> {
    let caller = viewer.caller;
    let shell = viewer.shell("documents");
    let all = isms_app::documents::summaries(&s.cx, &caller).await?;
    let names = super::Names::load(&s.cx, &caller).await?;
    let count = |st: &str| all.iter().filter(|d| d.review_status == st).count();
    let f_type = q.get("type").cloned().unwrap_or_default();
    let f_status = q.get("status").cloned().unwrap_or_default();
    let starters = STARTERS
        .iter()
        .map(|st| {
            let adopted = all.iter().find(|d| d.title == st.title).map(|d| d.id.clone()).unwrap_or_default();
            (st.key, st.title, word(&st.kind), adopted)
        })
        .collect();
    let rows = all
        .iter()
        .filter(|d| f_type.is_empty() || word(&d.kind) == f_type)
        .filter(|d| match f_status.as_str() {
            "" => true,
            "open" => d.open_version.is_some(),
            "in review" => d.open_state == Some("in review"),
            st => d.review_status == st,
        })
        .map(|d| Row {
            id: d.id.clone(),
            title: d.title.clone(),
            kind: word(&d.kind),
            owner: names.of(&d.owner),
            in_force: d.in_force.map_or_else(String::new, |v| format!("v{v}")),
            open: match (d.open_version, d.open_state) {
                (Some(v), Some(st)) => format!("v{v} {st}"),
                _ => String::new(),
            },
            review_due: d.review_due.map_or_else(String::new, |d| d.to_string()),
            review_status: d.review_status,
            pending: d.pending_acknowledgements,
        })
        .collect();
    let mine = isms_app::documents::my_acknowledgements(&s.cx, &caller)
        .await?
        .into_iter()
        .filter_map(|d| d.in_force().map(|v| v.number).map(|v| (d.id.clone(), d.title.clone(), v)))
        .collect();
    Ok(RegisterPage {
        total: all.len(),
        overdue: count("overdue"),
        due_soon: count("due soon"),
        waiting: all.iter().filter(|d| d.open_state == Some("in review")).count(),
        unapproved: count("not approved"),
        rows,
        f_type,
        f_status,
        starters,
        mine,
        can_edit: shell.can.some(UseCase::EditDocuments),
        me: viewer.principal.user.email.to_string(),
        owners: names.owners(),
        shell,
        done: notice(q.get("done").map(String::as_str)),
    })
}

#[derive(Debug, Deserialize)]
struct CreateForm {
    title: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    clauses: String,
    #[serde(default)]
    controls: String,
    #[serde(default)]
    text: String,
}

fn list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

async fn create(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<CreateForm>) -> Result<Response, PageError> {
    let owner = if f.owner.trim().is_empty() { viewer.principal.user.email.to_string() } else { f.owner };
    let new = NewDocument {
        title: f.title,
        kind: kind_of(&f.kind)?,
        owner,
        classification: "Internal".into(),
        clauses: list(&f.clauses),
        controls: list(&f.controls),
        review_months: 12,
        acknowledged_by: None,
        body: Body::Markdown { text: f.text },
    };
    let doc = isms_app::documents::create_document(&s.cx, &viewer.caller, new).await?;
    Ok(see_other(&format!("/documents/{}?done={}", doc.id, encode("Created with a first draft."))))
}

#[derive(Debug, Deserialize)]
struct AdoptForm {
    key: String,
}

async fn adopt(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<AdoptForm>) -> Result<Response, PageError> {
    let doc = isms_app::starters::adopt(&s.cx, &viewer.caller, &f.key, None).await?;
    Ok(see_other(&format!(
        "/documents/{}?done={}",
        doc.id,
        encode("Adopted as a first draft: fill in the [bracketed] parts, then submit it for approval.")
    )))
}

#[derive(Template, WebTemplate)]
#[template(path = "documents_checklist.html")]
struct ChecklistPage {
    shell: Shell,
    items: Vec<MandatoryItem>,
    missing: usize,
}

async fn checklist(State(s): State<AppState>, viewer: Viewer) -> Result<ChecklistPage, PageError> {
    let items = isms_app::documents::mandatory_checklist(&s.cx, &viewer.caller).await?;
    let missing = items.iter().filter(|i| !i.satisfied).count();
    Ok(ChecklistPage { shell: viewer.shell("documents"), items, missing })
}

/// A version as a page shows it.
pub(crate) struct VersionView {
    pub number: u32,
    pub state: &'static str,
    /// Rendered Markdown (safe HTML), or empty for a file.
    pub html: String,
    /// The Markdown source, for editing a draft.
    pub text: String,
    /// (file name, size, download link) for an uploaded file.
    pub file: Option<(String, String, String)>,
    pub note: String,
    pub author: String,
    pub created: String,
    /// (by, on, comment)
    pub approval: Option<(String, String, String)>,
    /// Template placeholders still in the text (`[name]`, `[YYYY-MM-DD]`).
    pub placeholders: Vec<String>,
}

fn version_view(id: &str, v: &DocumentVersion, names: &super::Names) -> VersionView {
    let (html, text, file) = match &v.body {
        Body::Markdown { text } => (markdown::render(text), text.clone(), None),
        Body::File { filename, size, .. } => (
            String::new(),
            String::new(),
            Some((
                filename.clone(),
                super::evidence::human(*size),
                format!("/api/v1/documents/{id}/versions/{}/file", v.number),
            )),
        ),
    };
    VersionView {
        placeholders: isms_domain::document::placeholders(&text),
        number: v.number,
        state: v.state.as_str(),
        html,
        text,
        file,
        note: v.change_note.clone(),
        author: names.of(&v.author),
        created: v.created_at.date().to_string(),
        approval: v.approval.as_ref().map(|a| (names.of(&a.by), a.at.date().to_string(), a.comment.clone())),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "document.html")]
struct DocumentPage {
    shell: Shell,
    doc: Document,
    kind: String,
    audience: String,
    /// `none`, `everyone` or a role's key, for the form.
    audience_key: String,
    in_force: Option<VersionView>,
    open: Option<VersionView>,
    /// (number, state, created, author, note, approval line)
    versions: Vec<(u32, &'static str, String, String, String, String)>,
    review_due: String,
    review_status: &'static str,
    acked: Vec<(String, String)>,
    /// The owner's name.
    owner_name: String,
    /// (e-mail, name) of who may own the document.
    owners: Vec<(String, String)>,
    /// Whether the owner is among them (a former member is not).
    owner_listed: bool,
    pending: Vec<String>,
    i_must_ack: bool,
    can_edit: bool,
    can_approve: bool,
    /// Markdown to start a new version from (the version in force's text).
    next_text: String,
    types: [&'static str; 5],
    done: Option<String>,
}

async fn page(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<DocumentPage, PageError> {
    let caller = viewer.caller;
    let shell = viewer.shell("documents");
    let doc = isms_app::documents::document(&s.cx, &caller, &id).await?;
    let acks = isms_app::documents::acknowledgements(&s.cx, &caller, &id).await?;
    let me = viewer.principal.user.email.to_string();
    let can_edit = match shell.can.grant(UseCase::EditDocuments) {
        Grant::Any => true,
        Grant::Assigned => doc.owner.eq_ignore_ascii_case(&me),
        Grant::Denied => false,
    };
    let due = doc.review_due();
    let next_text = match doc.in_force().map(|v| &v.body) {
        Some(Body::Markdown { text }) => text.clone(),
        _ => String::new(),
    };
    let names = super::Names::load(&s.cx, &caller).await?;
    let owners = names.owners();
    Ok(DocumentPage {
        kind: word(&doc.kind),
        audience: match doc.acknowledged_by {
            None => String::new(),
            Some(Audience::Everyone) => "everyone".into(),
            Some(Audience::Role(r)) => format!("every {}", r.label()),
        },
        audience_key: match doc.acknowledged_by {
            None => "none".into(),
            Some(Audience::Everyone) => "everyone".into(),
            Some(Audience::Role(r)) => word(&r).replace(' ', "_"),
        },
        in_force: doc.in_force().map(|v| version_view(&doc.id, v, &names)),
        open: doc.open_version().map(|v| version_view(&doc.id, v, &names)),
        versions: doc
            .versions
            .iter()
            .rev()
            .map(|v| {
                let approval = v.approval.as_ref().map_or_else(String::new, |a| {
                    format!(
                        "approved by {} on {}{}",
                        names.of(&a.by),
                        a.at.date(),
                        if a.comment.is_empty() { String::new() } else { format!(": {}", a.comment) }
                    )
                });
                (
                    v.number,
                    v.state.as_str(),
                    v.created_at.date().to_string(),
                    names.of(&v.author),
                    v.change_note.clone(),
                    approval,
                )
            })
            .collect(),
        review_due: due.map_or_else(String::new, |d| d.to_string()),
        review_status: isms_app::documents::review_word(doc.review(s.cx.clock.today())),
        acked: acks.done.iter().map(|a| (names.of(&a.by), a.at.date().to_string())).collect(),
        owner_name: names.of(&doc.owner),
        owner_listed: owners.iter().any(|o| o.0.eq_ignore_ascii_case(&doc.owner)),
        owners,
        i_must_ack: acks.pending.iter().any(|p| p.eq_ignore_ascii_case(&me)),
        pending: acks.pending.iter().map(|p| names.of(p)).collect(),
        can_edit,
        can_approve: shell.can.any(UseCase::ApproveDocuments),
        next_text,
        types: TYPES,
        doc,
        shell,
        done: notice(q.get("done").map(String::as_str)),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "document_version.html")]
struct VersionPage {
    shell: Shell,
    id: String,
    title: String,
    v: VersionView,
}

async fn version_page(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((id, number)): Path<(String, u32)>,
) -> Result<VersionPage, PageError> {
    let doc = isms_app::documents::document(&s.cx, &viewer.caller, &id).await?;
    let v = doc.versions.iter().find(|v| v.number == number).ok_or_else(|| {
        PageError(isms_app::AppError::new(isms_app::Code::NotFound, format!("{id} has no version {number}")))
    })?;
    Ok(VersionPage {
        shell: viewer.shell("documents"),
        v: version_view(&doc.id, v, &super::Names::load(&s.cx, &viewer.caller).await?),
        id: doc.id.clone(),
        title: doc.title,
    })
}

fn back(id: &str, message: &str) -> Response {
    see_other(&format!("/documents/{id}?done={}", encode(message)))
}

#[derive(Debug, Deserialize)]
struct DescribeForm {
    title: String,
    #[serde(rename = "type")]
    kind: String,
    owner: String,
    classification: String,
    #[serde(default)]
    clauses: String,
    #[serde(default)]
    controls: String,
    review_months: u32,
    #[serde(default)]
    acknowledged_by: String,
}

async fn describe(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<DescribeForm>,
) -> Result<Response, PageError> {
    let current = isms_app::documents::document(&s.cx, &viewer.caller, &id).await?;
    let acknowledged_by = Audience::parse(&f.acknowledged_by)
        .map_err(|m| PageError(isms_app::AppError::invalid_field("acknowledged_by", m)))?;
    // Only send the owner when it changes: a control owner may edit but not hand on.
    let owner = (!f.owner.trim().eq_ignore_ascii_case(&current.owner)).then_some(f.owner);
    let patch = DocumentPatch {
        title: Some(f.title),
        kind: Some(kind_of(&f.kind)?),
        owner,
        classification: Some(f.classification),
        clauses: Some(list(&f.clauses)),
        controls: Some(list(&f.controls)),
        review_months: Some(f.review_months),
        acknowledged_by: Some(acknowledged_by),
    };
    isms_app::documents::change_document(&s.cx, &viewer.caller, &id, Step::Describe(patch)).await?;
    Ok(back(&id, "Saved."))
}

#[derive(Debug, Deserialize)]
struct TextForm {
    #[serde(default)]
    number: u32,
    text: String,
    #[serde(default)]
    note: String,
}

async fn new_version(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<TextForm>,
) -> Result<Response, PageError> {
    let step = Step::StartVersion { body: Body::Markdown { text: f.text }, note: f.note };
    let doc = isms_app::documents::change_document(&s.cx, &viewer.caller, &id, step).await?;
    let n = doc.versions.last().map_or(0, |v| v.number);
    Ok(back(&id, &format!("Started version {n} as a draft.")))
}

async fn edit_draft(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<TextForm>,
) -> Result<Response, PageError> {
    let step = Step::EditVersion { number: f.number, body: Body::Markdown { text: f.text }, note: f.note };
    isms_app::documents::change_document(&s.cx, &viewer.caller, &id, step).await?;
    Ok(back(&id, &format!("Saved the draft of version {}.", f.number)))
}

fn invalid(field: &str, message: impl std::fmt::Display) -> PageError {
    PageError(isms_app::AppError::invalid_field(field, message))
}

/// A new version from an uploaded file: the token and note come first, then the
/// file, streamed into the blob store. The role is checked before any of the body is
/// read (see [`super::upload_form`]).
async fn upload(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    isms_app::documents::check_document_editable(&s.cx, &viewer.caller, &id).await?;
    let mut note = String::new();
    let mut seen = 0;
    while let Some(mut field) = form.next_field().await.map_err(|e| invalid("form", e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" && seen > 0 {
            let filename = field.file_name().unwrap_or("upload").to_owned();
            let mut reader = StreamReader::new(field.map_err(std::io::Error::other));
            let body = isms_app::documents::upload_body(&s.cx, &viewer.caller, &filename, &mut reader).await?;
            let doc =
                isms_app::documents::change_document(&s.cx, &viewer.caller, &id, Step::StartVersion { body, note })
                    .await?;
            let n = doc.versions.last().map_or(0, |v| v.number);
            return Ok(back(&id, &format!("Uploaded {filename} as version {n} (a draft).")));
        }
        if let Some(value) = super::upload_text(&viewer, &mut seen, &name, &mut field).await?
            && name == "note"
        {
            note = value;
        }
    }
    Err(invalid("file", "choose a file"))
}

#[derive(Debug, Deserialize)]
struct StepForm {
    action: String,
    #[serde(default)]
    comment: String,
    /// `yes` when the approver has seen the placeholders left in the text.
    #[serde(default)]
    placeholders_checked: String,
}

async fn step(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let (step, message) = match f.action.as_str() {
        "submit" => (Step::Submit, "Submitted for approval."),
        "send-back" => (Step::SendBack, "Sent back to draft."),
        "approve" => {
            let doc = isms_app::documents::document(&s.cx, &viewer.caller, &id).await?;
            let left = match doc.open_version().map(|v| &v.body) {
                Some(Body::Markdown { text }) => isms_domain::document::placeholders(text),
                _ => Vec::new(),
            };
            if !left.is_empty() && f.placeholders_checked != "yes" {
                return Err(invalid(
                    "placeholders_checked",
                    format!(
                        "the text still has template placeholders ({}): fill them in, or confirm that they are meant to stay",
                        left.join(", ")
                    ),
                ));
            }
            (Step::Approve { comment: f.comment }, "Approved: this version is now in force.")
        }
        "review" => {
            (Step::Review, "Review recorded: the version in force stays; the next review is a full interval away.")
        }
        "acknowledge" => {
            isms_app::documents::acknowledge_document(&s.cx, &viewer.caller, &id).await?;
            return Ok(back(&id, "Thank you: your acknowledgement is recorded."));
        }
        other => return Err(invalid("action", format!("{other:?} is not a step"))),
    };
    isms_app::documents::change_document(&s.cx, &viewer.caller, &id, step).await?;
    Ok(back(&id, message))
}
