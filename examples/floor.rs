//! The floor under a build: what the card's packages cost doing the least a
//! static site generator does, on the same corpus `bench/run.py` builds.
//! Each Markdown file under `CONTENT` is read, its front matter parsed into
//! a struct (yaml_serde), its body parsed and written as HTML
//! (pulldown-cmark, with sourcebook's options), rendered through one short
//! Tera template, and written to `OUT/<name>/index.html`, on rayon's
//! threads. No citations, references, FAQ index, source list, JSON-LD,
//! search, checks or theme of sourcebook's: the time it takes is time no
//! generator using these packages can go below.
//!
//!     cargo run --release --example floor -- CONTENT write OUT
//!     cargo run --release --example floor -- CONTENT parse   # read and parse only
//!
//! Run by hand, never by the tests (bench/README.md, "The floor").

use std::path::Path;
use std::time::Instant;

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Question {
    q: String,
    a: String,
}

#[derive(Deserialize, Serialize)]
struct Front {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    faq: Vec<Question>,
}

const TEMPLATE: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title><meta name="description" content="{{ page.description }}"></head><body><main><h1>{{ page.title }}</h1>{{ content | safe }}{% if page.faq %}<section><h2>Questions</h2>{% for qa in page.faq %}<h3>{{ qa.q }}</h3><p>{{ qa.a }}</p>{% endfor %}</section>{% endif %}<ul>{% for t in page.tags %}<li><a href="/tags/{{ t }}/">{{ t }}</a></li>{% endfor %}</ul></main></body></html>"#;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(content), Some(mode)) = (args.first(), args.get(1)) else {
        anyhow::bail!("usage: floor CONTENT parse | CONTENT write OUT");
    };
    let out = match (mode.as_str(), args.get(2)) {
        ("parse", _) => None,
        ("write", Some(out)) => Some(Path::new(out)),
        _ => anyhow::bail!("usage: floor CONTENT parse | CONTENT write OUT"),
    };
    let start = Instant::now();
    let files: Vec<_> = walkdir::WalkDir::new(content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    let mut tera = tera::Tera::default();
    tera.add_raw_template("page.html", TEMPLATE)?;
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    let bytes = files
        .par_iter()
        .map(|path| -> anyhow::Result<usize> {
            let text = std::fs::read_to_string(path)?;
            let rest = text.strip_prefix("---\n").unwrap_or(&text);
            let (yaml, body) = rest.split_once("\n---\n").unwrap_or(("title: untitled", rest));
            let front: Front = yaml_serde::from_str(yaml)?;
            let parser = Parser::new_ext(body, options);
            let Some(out) = out else { return Ok(parser.count()) };
            let mut content = String::with_capacity(body.len() * 3 / 2);
            html::push_html(&mut content, parser);
            let mut context = tera::Context::new();
            context.insert("page", &front);
            context.insert("content", &content);
            let page = tera.render("page.html", &context)?;
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let dir = out.join(name);
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join("index.html"), &page)?;
            Ok(page.len())
        })
        .sum::<anyhow::Result<usize>>()?;
    let what = if out.is_some() { "bytes written" } else { "Markdown events" };
    eprintln!("{mode}: {} files, {bytes} {what}, {:.3} s", files.len(), start.elapsed().as_secs_f64());
    Ok(())
}
