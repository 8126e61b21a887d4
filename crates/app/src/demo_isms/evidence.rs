//! The demo's evidence.

use super::*;

/// Evidence for most implemented controls: exports stored as files (by SHA-256 in the
/// blob store, when one is configured) and links to tickets and reports; a few items
/// are past their validity and a few implemented controls have none, so the freshness
/// views have something to show.
pub(super) async fn seed_evidence(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    use isms_domain::evidence::{Content, Evidence, Target, TargetKind};
    let now = cx.clock.now();
    let today = now.date();
    let controls = controls_of(cx, org).await?;
    let implemented = controls.iter().filter(|c| c.record.status == ControlStatus::Implemented);
    for (i, c) in implemented.enumerate() {
        if i % 11 == 10 {
            continue;
        }
        let id = &c.record.control;
        let content = if i % 3 == 0 {
            let text = format!(
                "{id} {} — evidence export\nSystem: Cedar Ridge production\nResult: control operating as described; no exceptions.\n",
                c.title
            );
            match cx.blobs.put(&mut text.as_bytes(), cx.max_upload).await {
                Ok(blob) => Content::File {
                    sha256: blob.sha256,
                    size: blob.size,
                    filename: format!("{}-export.txt", id.replace('.', "-")),
                    media_type: "text/plain".into(),
                },
                Err(_) => Content::Link { url: format!("https://intranet.cedarridge.example/evidence/{id}") },
            }
        } else {
            Content::Link { url: format!("https://tickets.cedarridge.example/browse/SEC-{}", 100 + i) }
        };
        let age = Duration::days(3 * i as i64 + 5);
        let valid_until =
            if i % 7 == 6 { today - Duration::days(10) } else { today + Duration::days(60 + 10 * i as i64) };
        let mut item = Evidence {
            id: String::new(),
            title: format!("{} — operating evidence", c.title),
            content,
            targets: vec![Target { kind: TargetKind::Control, id: id.clone() }],
            collected_by: c.owner_email.clone().unwrap_or_else(|| IT.to_owned()),
            collected_at: now - age,
            period_start: Some(today - age - Duration::days(90)),
            period_end: Some(today - age),
            valid_until: Some(valid_until),
            note: String::new(),
        };
        if id == "A.8.13" {
            item.targets
                .push(Target { kind: TargetKind::Requirement, id: "hipaa-security:164.308(a)(7)(ii)(A)".into() });
        }
        create(cx, actor, org, item).await?;
    }
    Ok(())
}
