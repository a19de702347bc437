//! NCBI E-utilities answers: `efetch` XML (`PubmedArticleSet`, NLM's
//! PubMed DTD) into [`Work`]s by PMID, and `esearch` JSON into a PMID.
//!
//! PubMed marks a retracted work with the publication type "Retracted
//! Publication" and a `CommentsCorrections` of `RefType="RetractionIn"`; a
//! correction with `ErratumIn`, an expression of concern with
//! `ExpressionOfConcernIn`. Both signals are read.

use std::collections::HashMap;

use roxmltree::{Document, Node, ParsingOptions};

use super::{Day, Notice, NoticeKind, Person, Work};

/// Every `PubmedArticle` of an efetch answer, by PMID. An answer that is
/// not a `PubmedArticleSet` is an error; an empty set is no works.
pub(super) fn articles(body: &str) -> Result<HashMap<String, Work>, String> {
    let options = ParsingOptions { allow_dtd: true, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(body, options).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    if root.tag_name().name() != "PubmedArticleSet" {
        return Err(format!("expected a PubmedArticleSet, found <{}>", root.tag_name().name()));
    }
    let mut works = HashMap::new();
    for article in children(root, "PubmedArticle") {
        let Some(citation) = child(article, "MedlineCitation") else { continue };
        let Some(pmid) = child(citation, "PMID").map(text) else { continue };
        works.insert(pmid.clone(), work(article, citation, pmid)?);
    }
    Ok(works)
}

/// The one PMID an `esearch` answer found; `None` for none (or several:
/// the term did not name one work).
pub(super) fn search(body: &str) -> Result<Option<String>, String> {
    let value: serde_json::Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let result = value.get("esearchresult").ok_or("no `esearchresult`")?;
    if let Some(error) = result.get("ERROR").and_then(|e| e.as_str()) {
        return Err(error.to_string());
    }
    let ids: Vec<&str> = result
        .get("idlist")
        .and_then(|l| l.as_array())
        .ok_or("no `idlist`")?
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    // a PMID is digits: anything else would be sent on in the next request's query
    if ids.iter().any(|id| id.is_empty() || id.len() > 9 || !id.bytes().all(|b| b.is_ascii_digit())) {
        return Err("an `idlist` entry that is not a PMID".into());
    }
    Ok(match ids.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    })
}

fn work(article: Node, citation: Node, pmid: String) -> Result<Work, String> {
    let art = child(citation, "Article").ok_or("a PubmedArticle without Article")?;
    let journal = child(art, "Journal");
    let issue = journal.and_then(|j| child(j, "JournalIssue"));
    let field =
        |parent: Option<Node>, name: &str| parent.and_then(|p| child(p, name)).map(text).filter(|t| !t.is_empty());
    let mut title = text(child(art, "ArticleTitle").ok_or("an Article without ArticleTitle")?);
    if title.starts_with('[') && title.trim_end_matches('.').ends_with(']') {
        // a translated title
        title = title.trim_end_matches('.').trim_start_matches('[').trim_end_matches(']').to_string();
    }
    let title = title.strip_suffix('.').unwrap_or(&title).to_string();
    let print = issue.and_then(|i| child(i, "PubDate")).and_then(pub_date);
    let online = children(art, "ArticleDate").find_map(pub_date);
    let mut years: Vec<i32> = [print, online].iter().flatten().map(|d| d.year).collect();
    years.sort_unstable();
    years.dedup();
    let authors_list = child(art, "AuthorList");
    let authors = authors_list.map(|l| children(l, "Author").filter_map(author).collect()).unwrap_or_default();
    let mut ids: HashMap<String, String> = HashMap::new();
    if let Some(list) = child(article, "PubmedData").and_then(|d| child(d, "ArticleIdList")) {
        for id in children(list, "ArticleId") {
            ids.entry(id.attribute("IdType").unwrap_or_default().to_string()).or_insert_with(|| text(id));
        }
    }
    let doi = ids
        .remove("doi")
        .or_else(|| children(art, "ELocationID").find(|e| e.attribute("EIdType") == Some("doi")).map(text));
    let short = field(journal, "ISOAbbreviation").or_else(|| field(child(citation, "MedlineJournalInfo"), "MedlineTA"));
    Ok(Work {
        kind: "journal-article".into(),
        title,
        date: print.or(online),
        years,
        journal: field(journal, "Title"),
        journal_short: short,
        authors,
        authors_complete: authors_list.is_some_and(|l| l.attribute("CompleteYN") != Some("N")),
        volume: field(issue, "Volume"),
        issue: field(issue, "Issue"),
        pages: child(art, "Pagination").and_then(pages),
        doi,
        pmid: Some(pmid),
        pmcid: ids.remove("pmc"),
        url: None,
        notices: notices(art, citation),
    }
    .tidied())
}

/// What PubMed says changed the work's standing.
fn notices(art: Node, citation: Node) -> Vec<Notice> {
    let mut found: Vec<Notice> = Vec::new();
    if let Some(list) = child(citation, "CommentsCorrectionsList") {
        for c in children(list, "CommentsCorrections") {
            let kind = match c.attribute("RefType").unwrap_or_default() {
                "RetractionIn" | "PartialRetractionIn" => NoticeKind::Retraction,
                "ErratumIn" | "CorrectedandRepublishedIn" => NoticeKind::Correction,
                "ExpressionOfConcernIn" => NoticeKind::ExpressionOfConcern,
                _ => continue,
            };
            let source = child(c, "RefSource").map(text).unwrap_or_default();
            found.push(Notice {
                kind,
                label: source.trim_end_matches('.').to_string(),
                notice: child(c, "PMID").map(|p| format!("pmid:{}", text(p))),
                date: date_in(&source).map(|d| d.to_string()),
                source: "pubmed".into(),
            });
        }
    }
    let types: Vec<String> = child(art, "PublicationTypeList")
        .map(|l| children(l, "PublicationType").map(text).collect())
        .unwrap_or_default();
    // the type alone, when PubMed has not linked the notice; "Expression
    // of Concern" and "Published Erratum" as types mean the record *is* a notice
    let retracted = "Retracted Publication";
    if types.iter().any(|t| t == retracted) && !found.iter().any(|n| n.kind == NoticeKind::Retraction) {
        found.push(Notice {
            kind: NoticeKind::Retraction,
            label: retracted.into(),
            notice: None,
            date: None,
            source: "pubmed".into(),
        });
    }
    found.sort();
    found
}

fn author(node: Node) -> Option<Person> {
    if node.attribute("ValidYN") == Some("N") {
        return None;
    }
    if let Some(name) = child(node, "CollectiveName") {
        return Some(Person { family: text(name), given: None, suffix: None });
    }
    let given = child(node, "ForeName").or_else(|| child(node, "Initials")).map(text).filter(|g| !g.is_empty());
    let Some(family) = child(node, "LastName").map(text).filter(|f| !f.is_empty()) else {
        // one name only: still an author, not dropped from the list
        return given.map(|name| Person { family: name, given: None, suffix: None });
    };
    let suffix = child(node, "Suffix").map(text).filter(|s| !s.is_empty());
    Some(Person { family, given, suffix })
}

/// `StartPage`-`EndPage`, else `MedlinePgn` with its shortened end page
/// written out (`351-4` → `351-354`).
fn pages(pagination: Node) -> Option<String> {
    let part = |name: &str| child(pagination, name).map(text).filter(|t| !t.is_empty());
    if let Some(start) = part("StartPage") {
        return Some(match part("EndPage") {
            Some(end) => format!("{start}-{end}"),
            None => start,
        });
    }
    let pgn = part("MedlinePgn")?;
    Some(match pgn.split_once('-') {
        Some((start, end))
            if end.len() < start.len()
                && start.bytes().all(|b| b.is_ascii_digit())
                && end.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{start}-{}{end}", &start[..start.len() - end.len()])
        }
        _ => pgn,
    })
}

/// `PubDate` or `ArticleDate`: `Year`, `Month` (`Jun` or `06`), `Day`; or a
/// `MedlineDate` such as `2019 Nov-Dec`.
fn pub_date(node: Node) -> Option<Day> {
    if let Some(medline) = child(node, "MedlineDate") {
        return date_in(&text(medline));
    }
    let year = child(node, "Year").map(text)?.parse().ok()?;
    let month = child(node, "Month").map(text).and_then(|m| month(&m));
    let day = child(node, "Day").map(text).and_then(|d| d.parse::<u8>().ok()).filter(|d| (1..=31).contains(d));
    Day::new(year, month, day)
}

/// The first date written in `text` as PubMed writes dates (`2010 Feb 6`).
fn date_in(text: &str) -> Option<Day> {
    let words: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || matches!(c, ';' | ':' | '(' | '.' | ',')).collect();
    let at = words.iter().position(|w| w.len() == 4 && w.parse::<i32>().is_ok_and(|y| (1800..=2200).contains(&y)))?;
    let year = words[at].parse().ok()?;
    let month = words.get(at + 1).and_then(|m| month(m.split('-').next().unwrap_or_default()));
    let day = words.get(at + 2).and_then(|d| d.parse::<u8>().ok()).filter(|d| (1..=31).contains(d));
    Day::new(year, month, day)
}

fn month(text: &str) -> Option<u8> {
    const NAMES: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    if let Ok(n) = text.parse::<u8>() {
        return (1..=12).contains(&n).then_some(n);
    }
    let lower = text.to_ascii_lowercase();
    NAMES.iter().position(|n| lower.starts_with(n)).and_then(|i| u8::try_from(i + 1).ok())
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name(name))
}

fn children<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| c.has_tag_name(name))
}

/// All the text inside `node` (a title's `<i>` and `<sup>` included), its
/// white space collapsed.
fn text(node: Node) -> String {
    let all: String = node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
    super::one_line(&all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(name: &str) -> String {
        let path = format!("{}/tests/fixtures/registry/pubmed/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn a_record_as_efetch_gives_it() {
        let mut works = articles(&replay("normal.xml")).unwrap();
        let w = works.remove("99000001").unwrap();
        assert_eq!(w.title, "Ketamine versus placebo for treatment-resistant depression: a randomized trial");
        assert_eq!((w.authors.len(), w.authors_complete), (8, true));
        assert_eq!(w.authors[1], Person { family: "Okafor".into(), given: Some("Sanjay J".into()), suffix: None });
        assert_eq!(
            (w.journal.as_deref(), w.journal_short.as_deref()),
            (Some("Example psychiatry journal"), Some("Ex Psychiatry J"))
        );
        assert_eq!(w.date, Some(Day { year: 2024, month: Some(4), day: Some(11) }));
        assert_eq!(
            (w.doi.as_deref(), w.pmcid.as_deref(), w.pages.as_deref()),
            (Some("10.5555/normal"), Some("PMC9900001"), Some("301-312"))
        );
        assert!(w.notices.is_empty(), "a comment is no notice");
        assert!(articles(&replay("empty.xml")).unwrap().is_empty());
        assert!(articles("<html>busy</html>").is_err());
        assert!(articles("<PubmedArticleSet><PubmedArticle>").is_err());
    }

    #[test]
    fn a_retracted_publication_is_one_notice_from_both_signals() {
        let w = articles(&replay("retracted.xml")).unwrap().remove("99000002").unwrap();
        assert_eq!(
            w.notices,
            [Notice {
                kind: NoticeKind::Retraction,
                label: "Ex Psychiatry J. 2021 Jun;392(6):512. doi: 10.5555/retraction-notice".into(),
                notice: Some("pmid:99000003".into()),
                date: Some("2021-06".into()),
                source: "pubmed".into(),
            }]
        );
        assert_eq!(w.pages.as_deref(), Some("88-97"));
        // the type alone, without the link to the notice
        let typed = replay("retracted.xml").replace("RefType=\"RetractionIn\"", "RefType=\"CommentIn\"");
        let w = articles(&typed).unwrap().remove("99000002").unwrap();
        assert_eq!((w.notices.len(), w.notices[0].label.as_str()), (1, "Retracted Publication"));
    }

    #[test]
    fn esearch_finds_one_pmid_or_none() {
        assert_eq!(search(&replay("esearch-one.json")), Ok(Some("99000001".into())));
        assert_eq!(search(&replay("esearch-none.json")), Ok(None));
        assert!(search("{\"esearchresult\": {\"ERROR\": \"Invalid query\"}}").is_err());
        assert!(search("<html>").is_err());
        // (and in a record) an author with one name only stays on the list
        let doc = roxmltree::Document::parse("<Author ValidYN=\"Y\"><ForeName>Madonna</ForeName></Author>").unwrap();
        assert_eq!(author(doc.root_element()).map(|p| p.family), Some("Madonna".into()));
        // what it finds is sent on in the next request's query: only a PMID
        let injected = r#"{"esearchresult": {"idlist": ["99000001&db=pmc&email=attacker@example.org"]}}"#;
        assert!(search(injected).is_err());
    }

    #[test]
    fn medline_page_ranges_are_written_out() {
        let xml = |inner: &str| format!("<Pagination>{inner}</Pagination>");
        let table = [
            ("<MedlinePgn>351-4</MedlinePgn>", Some("351-354")),
            ("<MedlinePgn>1134-42</MedlinePgn>", Some("1134-1142")),
            ("<MedlinePgn>e123</MedlinePgn>", Some("e123")),
            ("<StartPage>2315</StartPage><EndPage>2325</EndPage><MedlinePgn>2315-2325</MedlinePgn>", Some("2315-2325")),
            ("", None),
        ];
        for (inner, want) in table {
            let text = xml(inner);
            let doc = Document::parse(&text).unwrap();
            assert_eq!(pages(doc.root_element()).as_deref(), want, "{inner}");
        }
    }

    #[test]
    fn dates_as_pubmed_writes_them() {
        let day = |y, m, d| Some(Day { year: y, month: m, day: d });
        assert_eq!(date_in("Lancet. 2010 Feb 6;375(9713):445."), day(2010, Some(2), Some(6)));
        assert_eq!(date_in("2019 Nov-Dec"), day(2019, Some(11), None));
        assert_eq!(date_in("Am J Psychiatry. 2013 Oct;170(10):1134"), day(2013, Some(10), None));
        assert_eq!(date_in("no date here"), None);
    }
}
