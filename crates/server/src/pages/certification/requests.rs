//! Evidence requests on the pages: an audit's list (on the audit page) with its
//! progress, a form to write one and to import the certification body's list, and
//! each request with its answer, the steps and the thread.

use axum::extract::Multipart;
use isms_app::requests::{NewRequest, RequestProgress, Step};
use isms_domain::request::{EvidenceRequest, RequestStatus};

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/audits/{id}/requests", post(write))
        .route(
            "/audits/{id}/requests/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT + 64 * 1024)),
        )
        .route("/requests/{id}", get(page))
        .route("/requests/{id}/attach", post(attach))
        .route("/requests/{id}/detach", post(detach))
        .route("/requests/{id}/step", post(step))
}

/// The largest request list the page takes (a list of thousands of rows is far less).
const IMPORT_LIMIT: usize = 5 * 1024 * 1024;

/// One request in a list.
pub(crate) struct RequestRow {
    pub id: String,
    pub reference: String,
    pub text: String,
    pub assignee: String,
    pub due: String,
    pub status: &'static str,
    pub overdue: bool,
}

pub(crate) fn request_row(r: &EvidenceRequest, today: time::Date) -> RequestRow {
    RequestRow {
        id: r.id.clone(),
        reference: r.reference.clone(),
        text: r.text.clone(),
        assignee: r.assignee.clone().unwrap_or_default(),
        due: r.due.map(|d| d.to_string()).unwrap_or_default(),
        status: r.status.as_str(),
        overdue: r.overdue(today),
    }
}

/// An audit's requests and how they stand, for the audit page.
pub(crate) async fn of_audit(
    s: &AppState,
    caller: &isms_app::access::Actor,
    audit: &str,
) -> Result<(Vec<RequestRow>, RequestProgress), PageError> {
    let today = s.cx.clock.today();
    let all = isms_app::requests::requests(&s.cx, caller, Some(audit)).await?;
    Ok((all.iter().map(|r| request_row(r, today)).collect(), RequestProgress::of(&all, today)))
}

#[derive(Debug, Deserialize)]
struct WriteForm {
    reference: String,
    text: String,
    #[serde(default)]
    references: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    assignee: String,
}

async fn write(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<WriteForm>,
) -> Result<Response, PageError> {
    let new = NewRequest {
        audit: id.clone(),
        reference: f.reference,
        text: f.text,
        references: vec![f.references],
        due: opt_date("due", &f.due)?,
        assignee: Some(f.assignee),
    };
    let r = isms_app::requests::write_request(&s.cx, &viewer.caller, new).await?;
    Ok(see_other(&format!("/audits/{id}?done={}#requests", encode(&format!("Wrote {} ({}).", r.id, r.reference)))))
}

async fn import(
    State(s): State<AppState>,
    Path(id): Path<String>,
    viewer: Viewer,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let mut seen = 0;
    while let Some(mut field) = form.next_field().await.map_err(|e| invalid("form", e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" && seen > 0 {
            let filename = field.file_name().unwrap_or("the request list").to_owned();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| invalid("file", e.body_text()))? {
                if bytes.len() + chunk.len() > IMPORT_LIMIT {
                    return Err(invalid("file", format!("a request list is at most {} MiB", IMPORT_LIMIT >> 20)));
                }
                bytes.extend_from_slice(&chunk);
            }
            let report = isms_app::requests::import_requests(&s.cx, &viewer.caller, &id, &filename, &bytes).await?;
            if !report.stored {
                let fields = report
                    .errors
                    .iter()
                    .map(|e| isms_app::FieldError {
                        field: format!("{filename}, line {}, {}", e.line, e.column),
                        message: e.message.clone(),
                    })
                    .collect();
                return Err(PageError(isms_app::AppError::invalid(fields)));
            }
            let said = format!(
                "Imported {} from {filename}.",
                isms_domain::text::plural(report.created.len(), "request", "requests")
            );
            return Ok(see_other(&format!("/audits/{id}?done={}#requests", encode(&said))));
        }
        super::super::upload_text(&viewer, &mut seen, &name, &mut field).await?;
    }
    Err(invalid("file", "choose a CSV or XLSX file"))
}

#[derive(Template, WebTemplate)]
#[template(path = "request.html")]
struct RequestPage {
    shell: Shell,
    r: EvidenceRequest,
    overdue: bool,
    /// (id, title) of the evidence attached, and of the documents.
    evidence: Vec<(String, String)>,
    documents: Vec<(String, String)>,
    /// What may be attached: (id, label).
    evidence_choices: Vec<(String, String)>,
    document_choices: Vec<(String, String)>,
    /// The thread: (when, who, status word, text).
    thread: Vec<(String, String, &'static str, String)>,
    can_answer: bool,
    can_decide: bool,
    can_comment: bool,
    /// An external auditor: links go to the audit's workspace files.
    external: bool,
    with_team: bool,
    submitted: bool,
    done: Option<String>,
}

async fn page(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<RequestPage, PageError> {
    let caller = viewer.caller;
    let r = isms_app::requests::request(&s.cx, &caller, &id).await?;
    let shell = viewer.shell("audits");
    let me = shell.user_email.to_lowercase();
    let mine = r.assignee.as_deref().is_some_and(|a| a == me);
    let can_answer = shell.can.any(UseCase::ActOnFindings) || (shell.can.some(UseCase::ActOnFindings) && mine);
    // An external auditor reaches only the requests of their audits (the use case
    // checked), and decides them there.
    let external = !shell.can.some(UseCase::ReadIsms);
    let can_decide = shell.can.any(UseCase::RecordFindings) || external;
    let (all_evidence, all_documents) = if external {
        (Vec::new(), Vec::new())
    } else {
        (
            isms_app::evidence::list_evidence(&s.cx, &caller).await?,
            isms_app::documents::list_documents(&s.cx, &caller).await?,
        )
    };
    let title_of = |id: &str| all_evidence.iter().find(|e| e.id == id).map(|e| e.title.clone()).unwrap_or_default();
    let doc_of = |v: &str| {
        let doc = v.split('@').next().unwrap_or_default();
        all_documents.iter().find(|d| d.id == doc).map(|d| d.title.clone()).unwrap_or_default()
    };
    let with_team = r.status.with_team();
    Ok(RequestPage {
        overdue: r.overdue(s.cx.clock.today()),
        evidence: r.evidence.iter().map(|e| (e.clone(), title_of(e))).collect(),
        documents: r.documents.iter().map(|d| (d.clone(), doc_of(d))).collect(),
        evidence_choices: if can_answer && with_team {
            all_evidence.iter().map(|e| (e.id.clone(), format!("{} {}", e.id, e.title))).collect()
        } else {
            Vec::new()
        },
        document_choices: if can_answer && with_team {
            all_documents
                .iter()
                .filter(|d| d.in_force().is_some())
                .map(|d| (d.id.clone(), format!("{} {}", d.id, d.title)))
                .collect()
        } else {
            Vec::new()
        },
        thread: r
            .comments
            .iter()
            .map(|c| {
                (
                    isms_domain::dates::minute(c.at),
                    c.by.clone(),
                    c.status.map_or("", RequestStatus::as_str),
                    c.text.clone(),
                )
            })
            .collect(),
        can_comment: can_answer || can_decide,
        external,
        can_answer,
        can_decide,
        with_team,
        submitted: r.status == RequestStatus::Submitted,
        r,
        shell,
        done: notice(q.get("done").map(String::as_str)),
    })
}

#[derive(Debug, Deserialize)]
struct AttachForm {
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    document: String,
}

async fn attach(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<AttachForm>,
) -> Result<Response, PageError> {
    let pick = |v: &str| v.split_whitespace().next().map(str::to_owned).into_iter().collect::<Vec<_>>();
    let r = isms_app::requests::attach(&s.cx, &viewer.caller, &id, &pick(&f.evidence), &pick(&f.document)).await?;
    Ok(see_other(&format!("/requests/{}?done={}", r.id, encode("Attached."))))
}

#[derive(Debug, Deserialize)]
struct DetachForm {
    item: String,
}

async fn detach(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<DetachForm>,
) -> Result<Response, PageError> {
    let item = f.item.trim().to_owned();
    let (evidence, documents) =
        if item.to_ascii_uppercase().starts_with("DOC-") { (Vec::new(), vec![item]) } else { (vec![item], Vec::new()) };
    let r = isms_app::requests::detach(&s.cx, &viewer.caller, &id, &evidence, &documents).await?;
    Ok(see_other(&format!("/requests/{}?done={}", r.id, encode("Taken off the answer."))))
}

#[derive(Debug, Deserialize)]
struct StepForm {
    step: String,
    #[serde(default)]
    comment: String,
}

async fn step(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let step = match f.step.as_str() {
        "submit" => Step::Submit,
        "accept" => Step::Accept,
        "return" => Step::Return,
        "comment" => Step::Comment,
        other => return Err(invalid("step", format!("{other:?} is not submit, accept, return or comment"))),
    };
    let r = isms_app::requests::step(&s.cx, &viewer.caller, &id, step, &f.comment).await?;
    let said = if step == Step::Comment {
        "Comment added.".to_owned()
    } else {
        format!("The request is {}.", r.status.as_str())
    };
    Ok(see_other(&format!("/requests/{}?done={}", r.id, encode(&said))))
}
