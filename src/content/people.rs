//! `content/people.yaml`: who writes and reviews the site, keyed by id.
//! Front matter (`authors:`, `reviews[].by`) and the signed review record
//! name people by these ids; an id not here is an `unknown-person` error.
//!
//! A group that acts together (an editorial team) is written as one entry
//! with `organization: true`, so a page never names a person who does not
//! exist: it is shown, and described in JSON-LD, as an `Organization`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DataFile;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::yaml::{Document, Path, Value};

/// What a person may do on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
pub enum Capacity {
    #[serde(rename = "clinical reviewer")]
    ClinicalReviewer,
    #[serde(rename = "lay reviewer")]
    LayReviewer,
    #[serde(rename = "editor")]
    Editor,
    #[serde(rename = "author")]
    Author,
}

impl Capacity {
    /// The capacity a reviewer of `role` must have.
    pub fn for_role(role: crate::config::ReviewRole) -> Capacity {
        match role {
            crate::config::ReviewRole::Clinical => Capacity::ClinicalReviewer,
            crate::config::ReviewRole::Lay => Capacity::LayReviewer,
            crate::config::ReviewRole::Editorial => Capacity::Editor,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Capacity::ClinicalReviewer => "clinical reviewer",
            Capacity::LayReviewer => "lay reviewer",
            Capacity::Editor => "editor",
            Capacity::Author => "author",
        }
    }
}

/// One entry of `people.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    /// `MD, FRCPsych`; shown after the name.
    pub credentials: Option<String>,
    pub roles: Vec<Capacity>,
    pub orcid: Option<String>,
    pub affiliation: Option<String>,
    /// A group (an editorial team), not one person.
    pub organization: bool,
    #[serde(skip)]
    pub span: Span,
}

impl Person {
    /// `Jane Lee, MD`, or the name alone.
    pub fn display(&self) -> String {
        match &self.credentials {
            Some(c) => format!("{}, {c}", self.name),
            None => self.name.clone(),
        }
    }

    pub fn can(&self, capacity: Capacity) -> bool {
        self.roles.contains(&capacity)
    }
}

/// Everyone `people.yaml` names, by id.
#[derive(Debug, Clone, Default)]
pub struct People {
    pub by_id: BTreeMap<String, Person>,
    /// Ids whose entries have errors (reported where they are): pages
    /// naming them are not told the person does not exist.
    failed: std::collections::BTreeSet<String>,
    /// people.yaml had errors (reported where they are): anyone a page
    /// names may be among what could not be read.
    pub unread: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: String,
    #[serde(default)]
    credentials: Option<String>,
    #[serde(default)]
    roles: Vec<Capacity>,
    #[serde(default)]
    orcid: Option<String>,
    #[serde(default)]
    affiliation: Option<String>,
    #[serde(default)]
    organization: bool,
}

impl People {
    pub fn get(&self, id: &str) -> Option<&Person> {
        self.by_id.get(id)
    }

    /// An `unknown-person` error for `id`, at `span`, with the nearest id;
    /// `None` when `id` has an entry that could not be read: its error is
    /// reported at the entry, and only there.
    pub fn unknown(&self, id: &str, span: Span) -> Option<Diagnostic> {
        if self.unread || self.failed.contains(id) {
            return None;
        }
        let d = Diagnostic::error(Code::UnknownPerson, format!("no person with id `{id}` in content/people.yaml"))
            .with_span(span);
        Some(match crate::diagnostics::nearest(id, self.by_id.keys().map(String::as_str)) {
            Some(near) => d.with_help(format!("did you mean `{near}`?")),
            None => d.with_help(format!(
                "add `{id}: {{ name: \"…\", credentials: \"…\", roles: [clinical reviewer] }}` to content/people.yaml"
            )),
        })
    }

    /// Parse `people.yaml`; problems are diagnostics at their line.
    pub fn load(file: &DataFile) -> (People, Vec<Diagnostic>) {
        let doc = Document::whole(&file.file, &file.text);
        let raw: BTreeMap<String, Value> = match doc.read() {
            Ok(Some(crate::yaml::UniqueKeys(map))) => map,
            Ok(None) => return (People::default(), Vec::new()),
            Err(d) => return (People { unread: true, ..People::default() }, vec![d]),
        };
        let mut diags = Vec::new();
        let mut people = People::default();
        for (id, value) in raw {
            let at = Path::root().key(&id);
            let span = doc.key_span(&at);
            if !crate::config::is_slug(&id) {
                diags.push(
                    Diagnostic::error(Code::InvalidValue, format!("person id `{id}` is not a valid id"))
                        .with_span(span)
                        .with_help("use lowercase letters, digits and hyphens, e.g. `jane-lee`"),
                );
                continue;
            }
            let raw: RawPerson = match crate::yaml::from_value(value.clone()) {
                Ok(raw) => raw,
                Err(message) => {
                    let unknown = value.as_mapping().and_then(|m| {
                        m.keys()
                            .filter_map(|k| k.as_str())
                            .find(|k| !crate::yaml::fields::<RawPerson>().contains(k))
                            .map(str::to_string)
                    });
                    diags.push(match unknown {
                        Some(k) => doc.unknown_key(at.key(&k), crate::yaml::fields::<RawPerson>()),
                        None => {
                            let (message, help) = crate::yaml::plain_value_error(&message, &id);
                            let (span, message) =
                                crate::yaml::named_value(&doc, &at, &value, &message).unwrap_or((span, message));
                            Diagnostic::error(Code::InvalidValue, format!("person `{id}`: {message}"))
                                .with_span(span)
                                .with_help(help.unwrap_or_else(|| {
                                    "write `name:`, optional `credentials:`, `roles:` (clinical reviewer, lay reviewer, editor, author), `orcid:`, `affiliation:`, `organization: true`".into()
                                }))
                        }
                    });
                    people.failed.insert(id);
                    continue;
                }
            };
            if let Some(problem) = person_problem(&raw) {
                diags.push(Diagnostic::error(Code::InvalidValue, format!("person `{id}`: {problem}")).with_span(span));
                people.failed.insert(id);
                continue;
            }
            let RawPerson { name, credentials, roles, orcid, affiliation, organization } = raw;
            let person = Person { id: id.clone(), name, credentials, roles, orcid, affiliation, organization, span };
            people.by_id.insert(id, person);
        }
        people.unread = diags.iter().any(Diagnostic::is_error);
        (people, diags)
    }
}

fn person_problem(raw: &RawPerson) -> Option<String> {
    if crate::yaml::blank(&raw.name) {
        return Some("the name is empty".into());
    }
    if raw.roles.is_empty() {
        return Some("no `roles:` (clinical reviewer, lay reviewer, editor, author)".into());
    }
    if let Some(orcid) = &raw.orcid
        && !is_orcid(orcid)
    {
        return Some(match orcid_shape(orcid) {
            true => {
                format!("`{orcid}` is not an ORCID iD: its last character is not its check digit (a digit mistyped?)")
            }
            false => format!("`{orcid}` is not an ORCID iD (0000-0002-1825-0097)"),
        });
    }
    if raw.organization && raw.credentials.is_some() {
        return Some("an organization has no credentials".into());
    }
    None
}

/// `0000-0002-1825-0097`: four groups of four digits, the last may end in
/// X, which is the check digit of the other fifteen (ISO 7064 MOD 11-2, as
/// ORCID computes it): a mistyped digit links the reviewer to someone else.
fn is_orcid(s: &str) -> bool {
    if !orcid_shape(s) {
        return false;
    }
    let digits = s.bytes().filter(|b| b.is_ascii_digit()).take(15);
    let total = digits.fold(0u32, |total, d| (total + u32::from(d - b'0')) * 2);
    let check = match (12 - total % 11) % 11 {
        10 => b'X',
        n => b'0' + n as u8,
    };
    s.as_bytes()[18] == check
}

/// Four groups of four digits, the last may end in X.
fn orcid_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 9 | 14 => c == b'-',
            18 => c.is_ascii_digit() || c == b'X',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ORCID's own examples, and each with a digit mistyped (accepted
    /// before: it linked the reviewer to another person's record).
    #[test]
    fn an_orcid_s_last_character_is_its_check_digit() {
        for ok in ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"] {
            assert!(is_orcid(ok), "{ok}");
        }
        for bad in ["0000-0002-1825-0098", "0000-0002-1825-0079", "0000-0001-5109-370X", "0000-0002-1694-2330"] {
            assert!(orcid_shape(bad) && !is_orcid(bad), "{bad}");
        }
    }

    fn load(text: &str) -> (People, Vec<Diagnostic>) {
        People::load(&DataFile { file: "content/people.yaml".into(), text: text.into() })
    }

    #[test]
    fn reads_people_and_organizations() {
        let (people, diags) = load(
            "jane-lee:\n  name: Jane Lee\n  credentials: MD\n  roles: [clinical reviewer, author]\n  orcid: 0000-0002-1825-0097\n\
             team:\n  name: The editorial team\n  organization: true\n  roles: [editor]\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let jane = people.get("jane-lee").unwrap();
        assert_eq!(jane.display(), "Jane Lee, MD");
        assert!(jane.can(Capacity::ClinicalReviewer) && !jane.can(Capacity::Editor));
        assert!(people.get("team").unwrap().organization);
    }

    #[test]
    fn problems_are_reported_at_their_line() {
        let cases = [
            ("a:\n  name: A\n  roles: [surgeon]\n", Code::InvalidValue, 3),
            ("a:\n  name: A\n  roles: [editor]\n  nmae: x\n", Code::UnknownKey, 4),
            ("a:\n  name: A\n  roles: [editor]\n  orcid: 1234\n", Code::InvalidValue, 1),
            ("a:\n  name: A\n", Code::InvalidValue, 1),
            ("Bad Id:\n  name: A\n  roles: [editor]\n", Code::InvalidValue, 1),
        ];
        for (text, code, line) in cases {
            let (_, diags) = load(text);
            assert_eq!((diags[0].code, diags[0].line()), (code, Some(line)), "{text}");
        }
    }

    #[test]
    fn unknown_ids_suggest_the_nearest() {
        let (people, _) = load("jane-lee:\n  name: Jane Lee\n  roles: [editor]\n");
        let d = people.unknown("jane-le", Span::at("a.md", "x", 0)).unwrap();
        assert_eq!(d.code, Code::UnknownPerson);
        assert!(d.help.unwrap().contains("jane-lee"));
    }
}
