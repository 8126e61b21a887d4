//! The organization's logo on its PDF deliverables: set by the owner or the ISMS
//! manager (PNG, JPEG or SVG, at most 1 MiB), kept in the file store by its SHA-256.

use isms_domain::OrgId;
use isms_domain::access::UseCase;
use isms_domain::register::Branding;

use crate::access::Actor;
use crate::{AppError, AppResult, Code, Cx, registers};

/// The largest logo taken.
pub const MAX_LOGO: u64 = 1024 * 1024;

/// The organization's branding (no logo when none was set).
pub async fn branding(cx: &Cx, actor: &Actor) -> AppResult<Branding> {
    actor.require(UseCase::ReadIsms)?;
    branding_of(cx, actor.org()).await
}

async fn branding_of(cx: &Cx, org: OrgId) -> AppResult<Branding> {
    match registers::get::<Branding>(cx, org, "").await {
        Ok(b) => Ok(b),
        Err(e) if e.code == Code::NotFound => Ok(Branding::default()),
        Err(e) => Err(e),
    }
}

/// Sets the logo from an image's bytes: the owner or the ISMS manager.
pub async fn set_logo(cx: &Cx, actor: &Actor, bytes: &[u8]) -> AppResult<Branding> {
    actor.require(UseCase::ApproveDocuments)?;
    if bytes.len() as u64 > MAX_LOGO {
        return Err(AppError::invalid_field("logo", format!("a logo is at most {} KiB", MAX_LOGO / 1024)));
    }
    let format = isms_pdf::LogoFormat::sniff(bytes)
        .ok_or_else(|| AppError::invalid_field("logo", "not a PNG, JPEG or SVG image"))?;
    // The logo must lay out, so a broken image is refused now rather than in every PDF.
    let probe = isms_pdf::Document {
        title: "Logo".into(),
        organization: String::new(),
        subtitle: String::new(),
        version: String::new(),
        generated: String::new(),
        approval: Vec::new(),
        logo: Some(isms_pdf::Logo::new(bytes.to_vec()).map_err(|e| AppError::invalid_field("logo", e))?),
        sections: Vec::new(),
    };
    tokio::task::spawn_blocking(move || isms_pdf::render(&probe))
        .await
        .map_err(|e| AppError::new(Code::ExportFailed, e.to_string()))?
        .map_err(|e| AppError::invalid_field("logo", format!("the image cannot be used: {e}")))?;
    let mut reader = bytes;
    let blob = cx.blobs.put(&mut reader, MAX_LOGO).await.map_err(crate::files::blob_error)?;
    let media = match format {
        isms_pdf::LogoFormat::Png => "image/png",
        isms_pdf::LogoFormat::Jpeg => "image/jpeg",
        isms_pdf::LogoFormat::Svg => "image/svg+xml",
    };
    let value = Branding {
        id: String::new(),
        logo_sha256: Some(blob.sha256),
        logo_media_type: Some(media.into()),
        logo_bytes: Some(blob.size),
    };
    registers::put_singleton(cx, &actor.trail(), actor.org(), value).await
}

/// Removes the logo: the owner or the ISMS manager.
pub async fn remove_logo(cx: &Cx, actor: &Actor) -> AppResult<Branding> {
    actor.require(UseCase::ApproveDocuments)?;
    registers::put_singleton(cx, &actor.trail(), actor.org(), Branding::default()).await
}

/// The logo for a PDF, if one is set.
pub(crate) async fn logo_of(cx: &Cx, org: OrgId) -> AppResult<Option<isms_pdf::Logo>> {
    let Some(sha) = branding_of(cx, org).await?.logo_sha256 else { return Ok(None) };
    Ok(isms_pdf::Logo::new(crate::files::read_blob(cx, &sha).await?).ok())
}
