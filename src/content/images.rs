//! The width and height of the site's images, so a page gives each `<img>`
//! its size and does not move as images load. Raster images are measured
//! from their first bytes (`imagesize`); an SVG from its root element's
//! `width`, `height` and `viewBox`. An image whose size cannot be told is
//! left without one: never an error.

/// How many bytes of an image are read to find its size. A JPEG's size
/// follows its metadata, which may be long.
pub(crate) const HEAD: u64 = 256 * 1024;

/// Whether `rel` names a kind of image whose size can be read.
pub(crate) fn is_image(rel: &str) -> bool {
    let ext = rel.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "svg")
}

/// Whether `rel` names an SVG: a file a browser opens as a page, read whole
/// and checked to only draw ([`svg_hazard`]).
pub(crate) fn is_svg(rel: &str) -> bool {
    rel.to_ascii_lowercase().ends_with(".svg")
}

/// The size of the image `rel`, from the first bytes of its file.
pub(crate) fn size(rel: &str, head: &[u8]) -> Option<(u32, u32)> {
    let size = if is_svg(rel) {
        svg_size(&String::from_utf8_lossy(head))?
    } else {
        let s = imagesize::blob_size(head).ok()?;
        (u32::try_from(s.width).ok()?, u32::try_from(s.height).ok()?)
    };
    (size.0 > 0 && size.1 > 0).then_some(size)
}

/// The size an SVG's root element gives: `width` and `height` in pixels
/// (a number, or with `px`), the missing one from the `viewBox`'s aspect,
/// or the `viewBox` itself. Sizes in other units (`%`, `em`, `cm`) are not
/// pixels: the `viewBox` is used instead.
fn svg_size(text: &str) -> Option<(u32, u32)> {
    let start = text.find("<svg")?;
    let end = start + text[start..].find('>')?;
    let tag = &text[start + 4..end];
    if !tag.starts_with(|c: char| c.is_whitespace()) {
        return None;
    }
    let width = attribute(tag, "width").and_then(pixels);
    let height = attribute(tag, "height").and_then(pixels);
    let view = attribute(tag, "viewBox").and_then(|v| {
        let n: Vec<f64> =
            v.split([' ', ',', '\t', '\n']).filter(|p| !p.is_empty()).filter_map(|p| p.parse().ok()).collect();
        (n.len() == 4 && n[2] > 0.0 && n[3] > 0.0).then(|| (n[2], n[3]))
    });
    let (w, h) = match (width, height, view) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (_, _, Some(v)) => v,
        _ => return None,
    };
    let round = |x: f64| (x.is_finite() && x >= 0.5 && x < f64::from(u32::MAX)).then(|| x.round() as u32);
    Some((round(w)?, round(h)?))
}

/// Why the SVG `text` could do more than show a picture when a reader
/// opens it (as a page of the site, where it runs with the site's
/// rights), and where: `None` when it is inert.
///
/// An allowlist, since a list of what is forbidden is never complete:
/// only the elements of shapes, text, paint and filters, in the SVG
/// namespace, and attributes that are not event handlers; a reference
/// (`href`, `xlink:href`, `url(…)` in style) only to a part of the same
/// file (`#id`). So no script, no foreign markup (`foreignObject`), no
/// links, no animation (which can rewrite a reference), no images or
/// fonts fetched from elsewhere, and no document type (entities).
pub(crate) fn svg_hazard(text: &str) -> Option<(String, usize)> {
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(e) => {
            let pos = e.pos();
            let at = offset_of(text, pos.row as usize, pos.col as usize);
            return Some((format!("it cannot be read as SVG ({e})"), at));
        }
    };
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        let name = node.tag_name();
        let at = node.range().start;
        if name.namespace() != Some(SVG_NAMESPACE) || !SVG_ELEMENTS.contains(&name.name()) {
            return Some((format!("it holds a `<{}>` element", name.name()), at));
        }
        for attr in node.attributes() {
            let (attr_name, value) = (attr.name(), attr.value());
            let at = attr.range().start;
            if attr_name.len() > 2 && attr_name.get(..2).is_some_and(|on| on.eq_ignore_ascii_case("on")) {
                return Some((format!("it holds an event handler, `{attr_name}`"), at));
            }
            if attr_name == "href" && !value.trim_start().starts_with('#') {
                return Some((format!("`{attr_name}` leads out of the file: `{}`", value.escape_debug()), at));
            }
            if attr_name == "style" && !inert_css(value) {
                return Some(("its style fetches or runs something".into(), at));
            }
        }
        if name.name() == "style" && !node.children().all(|c| c.text().is_none_or(inert_css)) {
            return Some(("its style sheet fetches or runs something".into(), at));
        }
    }
    None
}

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

/// The SVG elements an inert picture is drawn with.
const SVG_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "title",
    "desc",
    "metadata",
    "switch",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "marker",
    "style",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
];

/// Whether CSS in an SVG only paints: no `@import`, and no `url(…)` but
/// one to a part of the same file.
fn inert_css(css: &str) -> bool {
    let lower = css.to_ascii_lowercase();
    !lower.contains("@import")
        && !lower.contains("expression(")
        && lower
            .match_indices("url(")
            .all(|(i, _)| lower[i + 4..].trim_start().trim_start_matches(['"', '\'']).starts_with('#'))
}

/// The byte offset of 1-based `row` and `col` (in characters) in `text`.
fn offset_of(text: &str, row: usize, col: usize) -> usize {
    let line_start: usize = text.split_inclusive('\n').take(row.saturating_sub(1)).map(str::len).sum();
    let line = &text[line_start.min(text.len())..];
    line_start + line.char_indices().nth(col.saturating_sub(1)).map_or(line.len(), |(i, _)| i)
}

/// The value of attribute `name` in the inside of a start tag.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = tag;
    while let Some(i) = rest.find(name) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + name.len()..].trim_start();
        rest = &rest[i + name.len()..];
        if before.is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let Some(value) = after.strip_prefix('=').map(str::trim_start) else { continue };
        let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
        let value = &value[1..];
        return value.find(quote).map(|e| &value[..e]);
    }
    None
}

/// A length in CSS pixels: `120`, `120.5`, `120px`.
fn pixels(value: &str) -> Option<f64> {
    let v = value.trim();
    let v = v.strip_suffix("px").unwrap_or(v);
    v.parse::<f64>().ok().filter(|n| *n > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_sizes_come_from_width_height_and_view_box() {
        let cases = [
            ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"20\">", Some((10, 20))),
            ("<?xml version=\"1.0\"?>\n<!-- a --><svg viewBox=\"0 0 640 480\" xmlns='x'>", Some((640, 480))),
            ("<svg width=\"320px\" viewBox=\"0,0,640,480\">", Some((320, 240))),
            ("<svg height='100' viewBox='0 0 50 25'>", Some((200, 100))),
            ("<svg width=\"100%\" height=\"100%\" viewBox=\"0 0 30 10\">", Some((30, 10))),
            ("<svg width=\"100%\">", None),
            ("<svgfoo width=\"1\" height=\"1\">", None),
            ("<svg stroke-width=\"3\" data-height=\"4\" viewBox=\"0 0 7 8\">", Some((7, 8))),
            ("<svg viewBox=\"0 0 0 8\">", None),
            ("no svg here", None),
        ];
        for (text, want) in cases {
            assert_eq!(svg_size(text), want, "{text}");
        }
    }

    /// What a browser would run, fetch or follow in an SVG opened as a
    /// page is found; a drawing of shapes, text, gradients and filters
    /// (references inside the file included) is not.
    #[test]
    fn an_svg_is_inert_only_when_it_only_draws() {
        let svg = |inside: &str| {
            format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">{inside}</svg>")
        };
        let inert = [
            "<rect width=\"10\" height=\"10\" fill=\"url(#g)\"/>",
            "<defs><linearGradient id=\"g\"><stop offset=\"0\"/></linearGradient></defs><use href=\"#g\"/>",
            "<title>Blood pressure</title><text x=\"1\" y=\"5\" style=\"font: 3px sans-serif\">mmHg</text>",
            "<style>rect { fill: url( '#g' ) }</style><filter id=\"f\"><feGaussianBlur stdDeviation=\"1\"/></filter>",
            // names whose second byte is inside a letter: read, never cut there
            "<rect o\u{e9}=\"1\" a\u{e9}b=\"2\" \u{e9}on=\"3\"/>",
        ];
        for inside in inert {
            assert_eq!(svg_hazard(&svg(inside)), None, "{inside}");
        }
        let hazards = [
            ("<script>alert(1)</script>", "a `<script>` element"),
            ("<rect onclick=\"alert(1)\"/>", "an event handler, `onclick`"),
            ("<rect ONLOAD=\"alert(1)\"/>", "an event handler, `ONLOAD`"),
            ("<rect onload\u{e9}=\"alert(1)\"/>", "an event handler, `onload\u{e9}`"),
            ("<foreignObject><p xmlns=\"http://www.w3.org/1999/xhtml\">x</p></foreignObject>", "`<foreignObject>`"),
            ("<a href=\"https://example.org/\"><rect/></a>", "a `<a>` element"),
            (
                "<use xmlns:x=\"http://www.w3.org/1999/xlink\" x:href=\"https://e.org/a.svg#x\"/>",
                "leads out of the file",
            ),
            ("<use href=\"javascript:alert(1)\"/>", "leads out of the file"),
            ("<set attributeName=\"href\" to=\"javascript:alert(1)\"/>", "a `<set>` element"),
            ("<animate attributeName=\"href\"/>", "a `<animate>` element"),
            ("<image href=\"https://e.org/x.png\"/>", "a `<image>` element"),
            ("<style>@import url(https://e.org/x.css);</style>", "style sheet fetches"),
            ("<rect style=\"fill: url(https://e.org/p)\"/>", "its style fetches"),
            ("<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">alert(1)</x:script>", "a `<script>` element"),
        ];
        for (inside, why) in hazards {
            let found = svg_hazard(&svg(inside));
            assert!(found.as_ref().is_some_and(|(w, _)| w.contains(why)), "{inside}: {found:?}");
        }
        let entity =
            "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x \"y\">]><svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert!(svg_hazard(entity).is_some_and(|(w, _)| w.starts_with("it cannot be read as SVG")));
        let (_, at) = svg_hazard(&format!("\n\n{}", svg("<script/>"))).unwrap();
        assert_eq!(at, 2 + svg("").find("</svg>").unwrap(), "the place of the element");
    }

    #[test]
    fn raster_sizes_come_from_the_header() {
        // a 3 x 2 PNG: signature, then the IHDR chunk's width and height
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&3u32.to_be_bytes());
        png.extend_from_slice(&2u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0]);
        assert_eq!(size("a/chart.PNG", &png), Some((3, 2)));
        assert_eq!(size("a/chart.png", b"not an image"), None);
        assert!(is_image("x/y.JPG") && is_image("y.svg") && !is_image("y.pdf") && !is_image("svg"));
    }
}
