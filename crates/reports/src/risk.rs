//! Risk reports: the heat map as SVG, and the risk register and treatment plan as
//! XLSX, CSV and Markdown.

use std::fmt::Write as _;

use isms_domain::risk::Methodology;

/// Escapes text for XML content and attribute values.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// Black or white text, whichever reads better on a `#rrggbb` fill.
fn ink(fill: &str) -> &'static str {
    let hex = fill.trim_start_matches('#');
    let channel = |i: usize| u32::from_str_radix(hex.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    let luma = 299 * channel(0) + 587 * channel(2) + 114 * channel(4);
    if luma > 150_000 { "#111827" } else { "#ffffff" }
}

/// A heat map: likelihood rows (highest at the top), impact columns (lowest on the
/// left), each cell coloured by its level and showing its count. Each cell carries
/// `data-likelihood`, `data-impact`, `data-level` and `data-count` for tools and tests.
pub fn heatmap_svg(m: &Methodology, counts: &[Vec<usize>], title: &str) -> String {
    const CELL_W: usize = 96;
    const CELL_H: usize = 64;
    const LEFT: usize = 150;
    const TOP: usize = 56;
    let (rows, cols) = (m.likelihood.len(), m.impact.len());
    let width = LEFT + cols * CELL_W + 24;
    let height = TOP + rows * CELL_H + 96;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">"#,
        xml(title)
    );
    let _ = write!(svg, r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##);
    let _ = write!(
        svg,
        r##"<text x="{LEFT}" y="28" font-size="18" font-weight="600" fill="#111827">{}</text>"##,
        xml(title)
    );
    for (r, level) in m.likelihood.iter().enumerate().rev() {
        let y = TOP + (rows - 1 - r) * CELL_H;
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#374151">{} {}</text>"##,
            LEFT - 10,
            y + CELL_H / 2 + 4,
            level.value,
            xml(&level.label)
        );
        for (c, impact) in m.impact.iter().enumerate() {
            let x = LEFT + c * CELL_W;
            let cell_level = m.level_of(isms_domain::risk::Rating { likelihood: level.value, impact: impact.value });
            let count = counts.get(r).and_then(|row| row.get(c)).copied().unwrap_or(0);
            let fill = &cell_level.color;
            let _ = write!(
                svg,
                r##"<g class="cell" data-likelihood="{}" data-impact="{}" data-level="{}" data-count="{count}"><title>{}: likelihood {} × impact {} — {count} risk(s)</title><rect x="{x}" y="{y}" width="{CELL_W}" height="{CELL_H}" fill="{}" stroke="#ffffff" stroke-width="2" opacity="{}"/><text x="{}" y="{}" font-size="20" font-weight="700" text-anchor="middle" fill="{}">{}</text></g>"##,
                level.value,
                impact.value,
                xml(&cell_level.id),
                xml(&cell_level.label),
                xml(&level.label),
                xml(&impact.label),
                xml(fill),
                if count == 0 { "0.45" } else { "1" },
                x + CELL_W / 2,
                y + CELL_H / 2 + 7,
                ink(fill),
                if count == 0 { String::new() } else { count.to_string() }
            );
        }
    }
    let base = TOP + rows * CELL_H;
    for (c, impact) in m.impact.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#374151">{} {}</text>"##,
            LEFT + c * CELL_W + CELL_W / 2,
            base + 18,
            impact.value,
            xml(&impact.label)
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="13" text-anchor="middle" fill="#111827">Impact</text>"##,
        LEFT + cols * CELL_W / 2,
        base + 40
    );
    let _ = write!(
        svg,
        r##"<text x="18" y="{}" font-size="13" text-anchor="middle" fill="#111827" transform="rotate(-90 18 {})">Likelihood</text>"##,
        TOP + rows * CELL_H / 2,
        TOP + rows * CELL_H / 2
    );
    let mut x = LEFT;
    for level in &m.levels {
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{}" width="14" height="14" fill="{}"/><text x="{}" y="{}" font-size="12" fill="#374151">{}</text>"##,
            base + 58,
            xml(&level.color),
            x + 20,
            base + 70,
            xml(&level.label)
        );
        x += 24 + 8 * level.label.len() + 16;
    }
    let total: usize = counts.iter().flatten().sum();
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#6b7280">{total} risk(s)</text>"##,
        width - 24,
        base + 70
    );
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use isms_domain::risk::Methodology;

    use super::*;

    #[test]
    fn the_heat_map_is_well_formed_svg_with_the_counts_in_their_cells() {
        let m = Methodology::default();
        let mut counts = vec![vec![0; 5]; 5];
        counts[4][4] = 3;
        counts[0][1] = 2;
        let svg = heatmap_svg(&m, &counts, "Residual risk <Acme & Co>");
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let cells: Vec<(u8, u8, String, usize)> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("cell"))
            .map(|n| {
                let attr = |a: &str| n.attribute(a).unwrap().to_owned();
                (
                    attr("data-likelihood").parse().unwrap(),
                    attr("data-impact").parse().unwrap(),
                    attr("data-level"),
                    attr("data-count").parse().unwrap(),
                )
            })
            .collect();
        assert_eq!(cells.len(), 25);
        assert!(cells.contains(&(5, 5, "critical".into(), 3)));
        assert!(cells.contains(&(1, 2, "low".into(), 2)));
        assert_eq!(cells.iter().map(|c| c.3).sum::<usize>(), 5);
        assert!(svg.contains("Residual risk &lt;Acme &amp; Co&gt;"));
        assert!(svg.contains(">5 risk(s)</text>"));
    }
}

/// Money as people read it on an axis: $950k, $1.2M, $3B.
pub fn money(v: f64) -> String {
    let (value, unit) = if v >= 1e9 {
        (v / 1e9, "B")
    } else if v >= 1e6 {
        (v / 1e6, "M")
    } else if v >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    if value >= 100.0 || unit.is_empty() { format!("${value:.0}{unit}") } else { format!("${value:.1}{unit}") }
}

/// A loss exceedance curve: the probability (y) that the annual loss exceeds an amount
/// (x), with the organization's appetite as a dashed step line when given, and points
/// of the curve above the appetite marked. Each curve point carries `data-loss` and
/// `data-probability`.
pub fn exceedance_svg(title: &str, curve: &[(f64, f64)], appetite: Option<&[(f64, f64)]>) -> String {
    const W: f64 = 640.0;
    const H: f64 = 360.0;
    const L: f64 = 70.0;
    const R: f64 = 20.0;
    const T: f64 = 50.0;
    const B: f64 = 50.0;
    // The curve sets the scale; the appetite's first step is always in view, and steps
    // far beyond every simulated loss are left out rather than squashing the curve.
    let first_step = appetite.unwrap_or(&[]).iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let max_loss = curve
        .iter()
        .map(|p| p.0)
        .chain(first_step.is_finite().then_some(first_step * 1.25))
        .fold(0.0f64, f64::max)
        .max(1.0);
    let x = |loss: f64| L + (W - L - R) * loss / max_loss;
    let y = |p: f64| T + (H - T - B) * (1.0 - p.clamp(0.0, 1.0));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="{}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"><rect width="{W}" height="{H}" fill="#ffffff"/>"##,
        xml(title)
    );
    let _ =
        write!(svg, r##"<text x="{L}" y="28" font-size="16" font-weight="600" fill="#111827">{}</text>"##, xml(title));
    for i in 0..=4 {
        let p = f64::from(i) / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{L}" y1="{yy}" x2="{}" y2="{yy}" stroke="#e5e7eb"/><text x="{}" y="{}" font-size="11" text-anchor="end" fill="#6b7280">{:.0}%</text>"##,
            W - R,
            L - 8.0,
            y(p) + 4.0,
            p * 100.0,
            yy = y(p)
        );
        let loss = max_loss * f64::from(i) / 4.0;
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#6b7280">{}</text>"##,
            x(loss),
            H - B + 18.0,
            xml(&money(loss))
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#111827">Annual loss</text>"##,
        L + (W - L - R) / 2.0,
        H - 10.0
    );
    let _ = write!(
        svg,
        r##"<text x="16" y="{}" font-size="12" text-anchor="middle" fill="#111827" transform="rotate(-90 16 {})">Probability of exceeding</text>"##,
        T + (H - T - B) / 2.0,
        T + (H - T - B) / 2.0
    );
    let shown: Vec<(f64, f64)> = appetite.unwrap_or(&[]).iter().copied().filter(|p| p.0 < max_loss).collect();
    if let Some(points) = Some(shown.as_slice()).filter(|p| !p.is_empty()) {
        let mut path = String::new();
        for (i, (loss, p)) in points.iter().enumerate() {
            let next = points.get(i + 1).map_or(max_loss, |n| n.0.min(max_loss));
            let _ = write!(
                path,
                "{}{:.1},{:.1} L{:.1},{:.1} ",
                if i == 0 { "M" } else { "L" },
                x(*loss),
                y(*p),
                x(next),
                y(*p)
            );
        }
        let _ = write!(
            svg,
            r##"<path class="appetite" d="{}" fill="none" stroke="#dc2626" stroke-width="2" stroke-dasharray="6 4"/>"##,
            path.trim()
        );
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#dc2626">appetite</text>"##,
            W - R,
            y(points[points.len() - 1].1) - 6.0
        );
    }
    let line: Vec<String> = curve.iter().map(|(l, p)| format!("{:.1},{:.1}", x(*l), y(*p))).collect();
    let _ = write!(
        svg,
        r##"<polyline class="curve" points="{}" fill="none" stroke="#2563eb" stroke-width="2.5"/>"##,
        line.join(" ")
    );
    let limit = |loss: f64| appetite.and_then(|pts| pts.iter().rev().find(|(l, _)| *l <= loss).map(|(_, q)| *q));
    for (loss, p) in curve {
        let above = limit(*loss).is_some_and(|q| *p > q);
        let _ = write!(
            svg,
            r##"<circle class="point" data-loss="{loss}" data-probability="{p}" data-above-appetite="{above}" cx="{:.1}" cy="{:.1}" r="{}" fill="{}"/>"##,
            x(*loss),
            y(*p),
            if above { 3.5 } else { 1.5 },
            if above { "#dc2626" } else { "#2563eb" }
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod curve_tests {
    use super::*;

    #[test]
    fn the_exceedance_svg_is_well_formed_and_marks_points_above_appetite() {
        let curve = [(0.0, 1.0), (1_000_000.0, 0.3), (2_000_000.0, 0.1), (4_000_000.0, 0.0)];
        let svg = exceedance_svg("Portfolio <loss>", &curve, Some(&[(1_500_000.0, 0.05)]));
        let doc = roxmltree::Document::parse(&svg).expect("well-formed");
        let points: Vec<(f64, bool)> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("point"))
            .map(|n| {
                (n.attribute("data-loss").unwrap().parse().unwrap(), n.attribute("data-above-appetite") == Some("true"))
            })
            .collect();
        assert_eq!(points, [(0.0, false), (1_000_000.0, false), (2_000_000.0, true), (4_000_000.0, false)]);
        assert!(doc.descendants().any(|n| n.attribute("class") == Some("appetite")));
        assert_eq!(money(1_234_000.0), "$1.2M");
        assert_eq!(money(950_000.0), "$950k");
    }
}
