//! Acknowledging the version in force, and who still has to.

use super::*;

/// Records that `by` acknowledged the version in force (once per version). The
/// acknowledgement is an entry of its own; the document is not rewritten.
pub(crate) async fn acknowledge(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str, by: &str) -> AppResult<Document> {
    let at = cx.clock.now();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let json = tx
        .entry(org, Document::KIND, id)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no document {id}")))?;
    let doc: Document =
        serde_json::from_str(&json).map_err(|e| AppError::new(Code::CorruptData, format!("document {id}: {e}")))?;
    let version = doc.in_force().map(|v| v.number).ok_or_else(|| refused(&DocumentError::NothingInForce))?;
    let mut already = doc.acknowledged(version, by);
    for (_, stored) in tx.entries(org, DocumentAcknowledgement::KIND).await? {
        if let Ok(a) = serde_json::from_str::<DocumentAcknowledgement>(&stored) {
            already |= a.document == id && a.ack.version == version && a.ack.by.eq_ignore_ascii_case(by);
        }
    }
    if !already {
        let mut entry = DocumentAcknowledgement {
            id: String::new(),
            document: id.to_owned(),
            ack: Acknowledgement { version, by: by.trim().to_lowercase(), at },
        };
        registers::create_in(&mut *tx, cx, actor, org, &mut entry).await?;
    }
    tx.commit().await?;
    document_of(cx, org, id).await
}

/// Who must acknowledge a document's version in force, and who has.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Acknowledgements {
    /// The version in force, if any.
    pub version: Option<u32>,
    /// Who must acknowledge it.
    pub audience: Option<Audience>,
    /// Who has (e-mail and when).
    pub done: Vec<Acknowledgement>,
    /// Who has not yet.
    pub pending: Vec<String>,
}

/// The organization's members whose accounts are enabled, with their roles (not its
/// external auditors, who read no policy of the organization).
pub(super) async fn active_members(cx: &Cx, org: OrgId) -> AppResult<Vec<(String, isms_domain::Role)>> {
    Ok(crate::users::members_of(cx, org)
        .await?
        .into_iter()
        .filter(|m| !m.disabled && m.role != isms_domain::Role::ExternalAuditor)
        .map(|m| (m.email.as_str().to_owned(), m.role))
        .collect())
}

/// Acknowledgement status of a document against the organization's members.
pub async fn acknowledgements(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Acknowledgements> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let doc = document_of(cx, org, id).await?;
    let members = active_members(cx, org).await?;
    let version = doc.in_force().map(|v| v.number);
    let done = doc.acknowledgements.iter().filter(|a| Some(a.version) == version).cloned().collect();
    let pending = doc.unacknowledged(&members).into_iter().map(str::to_owned).collect();
    Ok(Acknowledgements { version, audience: doc.acknowledged_by, done, pending })
}

/// The documents the acting member still has to acknowledge.
pub async fn my_acknowledgements(cx: &Cx, actor: &Actor) -> AppResult<Vec<Document>> {
    actor.require(UseCase::ReadIsms)?;
    let Some(role) = actor.role() else { return Ok(Vec::new()) };
    let me = [(actor.email(cx).await?.to_string(), role)];
    let docs = documents_shared(cx, actor.org()).await?;
    Ok(docs.iter().filter(|d| !d.unacknowledged(&me).is_empty()).cloned().collect())
}

/// Acknowledges a document's version in force as the acting member (every member
/// may).
pub async fn acknowledge_document(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Document> {
    actor.require(UseCase::ReadIsms)?;
    let me = actor.email(cx).await?;
    acknowledge(cx, &actor.trail(), actor.org(), id, me.as_str()).await
}
