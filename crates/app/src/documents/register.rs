//! The document register: every document with its acknowledgements, and where each stands.

use super::*;

/// Every document, by id, with its acknowledgements.
pub async fn list_documents(cx: &Cx, actor: &Actor) -> AppResult<Vec<Document>> {
    actor.require(UseCase::ReadIsms)?;
    documents_of(cx, actor.org()).await
}

/// [`list_documents`] for the app's own use inside a checked use case.
pub(crate) async fn documents_of(cx: &Cx, org: OrgId) -> AppResult<Vec<Document>> {
    Ok(documents_shared(cx, org).await?.as_ref().clone())
}

/// [`documents_of`] without a copy, kept while the organization's data stays the same.
pub(crate) async fn documents_shared(cx: &Cx, org: OrgId) -> AppResult<std::sync::Arc<Vec<Document>>> {
    crate::cache::kept(cx, org, "documents_with_acknowledgements", || async {
        let mut docs = registers::list::<Document>(cx, org).await?;
        merge_acknowledgements(cx, org, &mut docs).await?;
        Ok(docs)
    })
    .await
}

/// One document, with its acknowledgements.
pub async fn document(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Document> {
    actor.require(UseCase::ReadIsms)?;
    document_of(cx, actor.org(), id).await
}

pub(super) async fn document_of(cx: &Cx, org: OrgId, id: &str) -> AppResult<Document> {
    let mut docs = [registers::get::<Document>(cx, org, id).await?];
    merge_acknowledgements(cx, org, &mut docs).await?;
    let [doc] = docs;
    Ok(doc)
}

/// Adds the acknowledgements stored on their own to the documents they belong to.
pub(super) async fn merge_acknowledgements(cx: &Cx, org: OrgId, docs: &mut [Document]) -> AppResult<()> {
    let acks = registers::list::<DocumentAcknowledgement>(cx, org).await?;
    for a in acks {
        if let Some(d) = docs.iter_mut().find(|d| d.id == a.document)
            && !d.acknowledged(a.ack.version, &a.ack.by)
        {
            d.acknowledgements.push(a.ack);
        }
    }
    Ok(())
}

/// A line of the document register.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DocumentSummary {
    /// `DOC-001`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: DocumentType,
    /// The owner's e-mail.
    pub owner: String,
    /// Its classification.
    pub classification: String,
    /// Clauses it satisfies.
    pub clauses: Vec<String>,
    /// Controls it supports.
    pub controls: Vec<String>,
    /// The version in force.
    pub in_force: Option<u32>,
    /// When the version in force was approved.
    #[serde(with = "isms_domain::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub approved_on: Option<time::Date>,
    /// The open version (draft or in review) and its state.
    pub open_version: Option<u32>,
    /// `draft` or `in review`.
    pub open_state: Option<&'static str>,
    /// When the next review is due.
    #[serde(with = "isms_domain::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub review_due: Option<time::Date>,
    /// `not approved`, `current`, `due soon` (within 30 days) or `overdue`.
    pub review_status: &'static str,
    /// Members who still have to acknowledge the version in force.
    pub pending_acknowledgements: usize,
}

/// A review status in words: `not approved`, `current`, `due soon` or `overdue`.
pub fn review_word(status: Option<isms_domain::review::ReviewStatus>) -> &'static str {
    use isms_domain::review::ReviewStatus as S;
    match status {
        None => "not approved",
        Some(S::Current { .. }) => "current",
        Some(S::Due { .. }) => "due soon",
        Some(S::Overdue { .. }) => "overdue",
    }
}

/// The document register: every document with where it stands.
pub async fn summaries(cx: &Cx, actor: &Actor) -> AppResult<Vec<DocumentSummary>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let today = cx.clock.today();
    let members = active_members(cx, org).await?;
    Ok(documents_shared(cx, org)
        .await?
        .iter()
        .cloned()
        .map(|d| {
            let due = d.review_due();
            let open = d.open_version();
            DocumentSummary {
                in_force: d.in_force().map(|v| v.number),
                approved_on: d.in_force().and_then(|v| v.approval.as_ref()).map(|a| a.at.date()),
                open_version: open.map(|v| v.number),
                open_state: open.map(|v| v.state.as_str()),
                review_due: due,
                review_status: review_word(d.review(today)),
                pending_acknowledgements: d.unacknowledged(&members).len(),
                id: d.id,
                title: d.title,
                kind: d.kind,
                owner: d.owner,
                classification: d.classification,
                clauses: d.clauses,
                controls: d.controls,
            }
        })
        .collect())
}
