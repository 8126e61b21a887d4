//! A document's life: created with a first draft, changed one step at a time, files uploaded and read back.

use super::*;

/// Creates a document with version 1 as a draft, drafted by the actor. A control
/// owner creates only documents they own themselves.
pub async fn create_document(cx: &Cx, actor: &Actor, new: NewDocument) -> AppResult<Document> {
    if let Some(me) = actor.narrowed(cx, UseCase::EditDocuments).await?
        && !new.owner.trim().eq_ignore_ascii_case(me.as_str())
    {
        return Err(forbidden("a control owner creates only documents they own themselves"));
    }
    let by = &actor.who(cx).await?;
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let mut doc = Document {
        id: String::new(),
        title: new.title.trim().to_owned(),
        kind: new.kind,
        owner: new.owner.trim().to_lowercase(),
        classification: new.classification,
        clauses: new.clauses.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect(),
        controls: new
            .controls
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| crate::controls::normalize_control_id(c))
            .collect(),
        review_months: new.review_months,
        acknowledged_by: new.acknowledged_by,
        versions: vec![],
        acknowledgements: vec![],
        reviewed_on: None,
    };
    doc.start_version(new.body, by, cx.clock.now(), "first draft").map_err(|e| refused(&e))?;
    registers::create(cx, actor, org, doc).await
}

/// Applies one step to a document as the actor: approving needs the approval right;
/// everything else the edit right (a control owner: on documents they own, and they
/// cannot hand them on). Read and written in one transaction (see [`apply`]).
pub async fn change_document(cx: &Cx, actor: &Actor, id: &str, step: Step) -> AppResult<Document> {
    let only_owner = match &step {
        Step::Approve { .. } => {
            actor.require(UseCase::ApproveDocuments)?;
            None
        }
        Step::Describe(p) => match actor.narrowed(cx, UseCase::EditDocuments).await? {
            Some(_) if p.owner.is_some() => {
                return Err(forbidden("a control owner cannot hand a document on; ask the ISMS manager"));
            }
            me => me,
        },
        _ => actor.narrowed(cx, UseCase::EditDocuments).await?,
    };
    let by = actor.who(cx).await?;
    let only = only_owner.as_ref().map(Email::as_str);
    apply(cx, &actor.trail(), actor.org(), id, &by, step, only).await
}

/// Refuses, before an upload is read, an actor who may not edit this document (a
/// control owner: documents they own). The step itself checks again in its
/// transaction.
pub async fn check_document_editable(cx: &Cx, actor: &Actor, id: &str) -> AppResult<()> {
    let me = actor.narrowed(cx, UseCase::EditDocuments).await?;
    let doc = document_of(cx, actor.org(), id).await?;
    if let Some(me) = me
        && !doc.owner.eq_ignore_ascii_case(me.as_str())
    {
        return Err(forbidden(format!(
            "{id} is owned by {}; a control owner may only change documents they own",
            doc.owner
        )));
    }
    Ok(())
}

/// Streams an uploaded file into the blob store (identical content is stored once)
/// and returns it as a version body for a [`Step`]; refused before reading a byte when
/// the actor may not edit documents.
pub async fn upload_body(
    cx: &Cx,
    actor: &Actor,
    filename: &str,
    data: &mut (dyn tokio::io::AsyncRead + Unpin + Send),
) -> AppResult<Body> {
    actor.require(UseCase::EditDocuments)?;
    let blob = cx.blobs.put(data, cx.max_upload).await.map_err(crate::files::blob_error)?;
    Ok(Body::File { sha256: blob.sha256, size: blob.size, filename: crate::files::base_name(filename) })
}

/// A version's uploaded file as a stream, with its name.
pub async fn open_version_file(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    number: u32,
) -> AppResult<(String, isms_store::BlobReader, u64)> {
    actor.require(UseCase::ReadIsms)?;
    let doc = document_of(cx, actor.org(), id).await?;
    let v = doc
        .versions
        .iter()
        .find(|v| v.number == number)
        .ok_or_else(|| AppError::new(Code::NotFound, format!("{id} has no version {number}")))?;
    let Body::File { sha256, filename, .. } = &v.body else {
        return Err(AppError::new(
            Code::NotAFile,
            format!("version {number} of {id} is written in isms, not an uploaded file"),
        ));
    };
    let (reader, size) = cx.blobs.open(sha256).await.map_err(crate::files::blob_error)?;
    Ok((filename.clone(), reader, size))
}

/// Submits the open draft for approval.
#[cfg(test)]
pub(crate) async fn submit(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str) -> AppResult<Document> {
    apply(cx, actor, org, id, "", Step::Submit, None).await
}

/// Approves the version in review as `by`.
#[cfg(test)]
pub(crate) async fn approve(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    by: &str,
    comment: &str,
) -> AppResult<Document> {
    apply(cx, actor, org, id, by, Step::Approve { comment: comment.to_owned() }, None).await
}
