//! Markdown written in isms, rendered to HTML safely: raw HTML in the text is shown as
//! text (never passed through), and links or images with a scheme other than http,
//! https or mailto (`javascript:`, `data:`) lose their target. The result is inserted
//! into pages unescaped, so this is the only place document text becomes markup.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // No scheme: a relative link or an anchor, unless the colon sits after a path
        // or query character (`a/b:c`, `?x=y:z`).
        None => true,
        Some((scheme, _)) if scheme.contains(['/', '?', '#']) => true,
        Some((scheme, _)) => matches!(scheme, "http" | "https" | "mailto"),
    }
}

/// The HTML for `text`.
pub(crate) fn render(text: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(text, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) if !safe_url(&dest_url) => {
            Event::Start(Tag::Link { link_type, dest_url: CowStr::Borrowed("#"), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) if !safe_url(&dest_url) => {
            Event::Start(Tag::Image { link_type, dest_url: CowStr::Borrowed("#"), title, id })
        }
        other => other,
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let out = render("# Policy\n\n- one\n- **two**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(out.contains("<h1>Policy</h1>") && out.contains("<strong>two</strong>") && out.contains("<table>"));
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let out = render(
            "Hello <script>alert(1)</script>\n\n<div onclick=\"x()\">block</div>\n\n<img src=x onerror=alert(1)>",
        );
        assert!(!out.contains("<script") && !out.contains("<div") && !out.contains("<img"), "{out}");
        assert!(out.contains("&lt;script&gt;") && out.contains("&lt;img"), "{out}");
    }

    #[test]
    fn dangerous_link_targets_are_dropped() {
        for bad in ["javascript:alert(1)", "JavaScript:alert(1)", " data:text/html,x", "vbscript:x"] {
            let out = render(&format!("[click]({bad}) ![i]({bad})"));
            assert!(!out.to_ascii_lowercase().contains("script:") && !out.contains("data:"), "{bad}: {out}");
        }
        let out = render("[a](https://example.com) [b](/controls/A.5.1) [c](#top) [d](mailto:x@y.z)");
        for good in ["https://example.com", "/controls/A.5.1", "#top", "mailto:x@y.z"] {
            assert!(out.contains(&format!("href=\"{good}\"")), "{good}: {out}");
        }
    }
}
