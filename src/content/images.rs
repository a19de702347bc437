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

/// The size of the image `rel`, from the first bytes of its file.
pub(crate) fn size(rel: &str, head: &[u8]) -> Option<(u32, u32)> {
    let size = if rel.to_ascii_lowercase().ends_with(".svg") {
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
