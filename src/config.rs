//! `site.yaml` → [`Config`]: parsed strictly (an unknown key is an error at
//! its line), every optional key given its documented default, then
//! validated once so later code never re-checks.
//!
//! Defaults (documented in README.md, "site.yaml"):
//! `description` "", `language` "en", `theme` "default", `topics` the topic
//! folders in name order, `review_interval_months` 12, `citation_style`
//! "american-medical-association", `readability.max_grade` 9, `feedback_url`
//! none, `crisis` the US 988 Lifeline and findahelpline.com, `disclaimer` a
//! general "not medical advice" sentence, `search` true, `tags` true,
//! `contact_email` none, `check.source_lock_max_age_days` 90, `paginate_by`
//! 200.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, Diagnostic};
use crate::yaml::{Document, Path as YamlPath};

/// The validated site configuration; the theme sees it as `site`.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Absolute, always ending in `/`.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    /// Where `theme` is written, if it is (a theme that is not there is
    /// reported here when the theme is read).
    #[serde(skip)]
    pub theme_at: Option<crate::diagnostics::Span>,
    /// Navigation order; empty means "the topic folders, by name".
    pub topics: Vec<String>,
    /// Where each of `topics` is written in site.yaml, in the same order.
    #[serde(skip)]
    pub topics_at: Vec<crate::diagnostics::Span>,
    pub review_interval_months: u32,
    pub citation_style: String,
    /// Where `citation_style` is written, if it is (`sources` checks the
    /// name against the styles it knows and reports it here).
    #[serde(skip)]
    pub citation_style_at: Option<crate::diagnostics::Span>,
    pub readability: Readability,
    pub feedback_url: Option<String>,
    pub crisis: Crisis,
    pub disclaimer: String,
    pub check: CheckConfig,
    /// Build a search index and the `/search/` page.
    pub search: bool,
    /// Build the tag pages (`/tags/`, `/tags/<tag>/`) and link articles to them.
    pub tags: bool,
    /// The most entries one generated list page shows (topic pages, the FAQ
    /// index, the source list, the glossary): a longer list is split
    /// (`site::split`). 1 to [`MAX_PAGINATE_BY`].
    pub paginate_by: usize,
    /// The kinds of review every page should have (the editorial policy
    /// page and the review dashboard).
    pub review_roles: Vec<ReviewRole>,
    /// Who pays for the site, as its maintainers state it.
    pub funding: Option<String>,
    /// Conflicts of interest, as its maintainers declare them.
    pub conflicts: Option<String>,
    /// The trust pages the theme renders.
    pub trust_pages: TrustPages,
    /// Who the bibliographic registries (Crossref, PubMed) may write to
    /// about this site's requests: `check --sources`, `source add`. Not
    /// given to templates.
    #[serde(skip_serializing)]
    pub contact_email: Option<String>,
    /// The label and heading of each care-card level (`> [!URGENT]` …).
    pub care_cards: CareCards,
}

/// `care_cards:` in site.yaml: what each care-card level says above its
/// list. Every key is optional; a missing one keeps its default.
#[derive(Debug, Clone, Serialize)]
pub struct CareCards {
    pub non_urgent: CareCard,
    pub urgent: CareCard,
    pub emergency: CareCard,
}

impl Default for CareCards {
    fn default() -> CareCards {
        CareCards { non_urgent: default_non_urgent(), urgent: default_urgent(), emergency: default_emergency() }
    }
}

/// One care-card level: a short label (read first, so the level is never
/// shown by colour alone) and the heading that says what to do.
#[derive(Debug, Clone, Serialize)]
pub struct CareCard {
    pub label: String,
    pub heading: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCareCards {
    non_urgent: Option<RawCareCard>,
    urgent: Option<RawCareCard>,
    emergency: Option<RawCareCard>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCareCard {
    label: Option<String>,
    heading: Option<String>,
}

impl RawCareCard {
    fn or(raw: Option<RawCareCard>, default: CareCard) -> CareCard {
        let Some(RawCareCard { label, heading }) = raw else { return default };
        CareCard { label: label.unwrap_or(default.label), heading: heading.unwrap_or(default.heading) }
    }
}

fn default_non_urgent() -> CareCard {
    CareCard { label: "Non-urgent advice".into(), heading: "Speak to your doctor if:".into() }
}

fn default_urgent() -> CareCard {
    CareCard { label: "Urgent advice".into(), heading: "Ask for an urgent appointment or get help now if:".into() }
}

fn default_emergency() -> CareCard {
    CareCard { label: "Emergency".into(), heading: "Call 911 or go to the emergency room if:".into() }
}

/// What kind of review: by a clinician, by a lay reader, or the editors'
/// check against the sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewRole {
    Clinical,
    Lay,
    Editorial,
}

impl ReviewRole {
    pub const ALL: [ReviewRole; 3] = [ReviewRole::Clinical, ReviewRole::Lay, ReviewRole::Editorial];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewRole::Clinical => "clinical",
            ReviewRole::Lay => "lay",
            ReviewRole::Editorial => "editorial",
        }
    }
}

/// `trust_pages:` in site.yaml: each one turned on is a page of the site.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustPages {
    /// `/accessibility/`: the accessibility statement.
    #[serde(default)]
    pub accessibility: Option<Accessibility>,
    /// `/editorial-policy/`: made from the review settings.
    #[serde(default)]
    pub editorial_policy: Option<EditorialPolicy>,
    /// `/funding/`: funding and conflicts of interest.
    #[serde(default)]
    pub funding: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accessibility {
    /// The standard the site is tested against: `WCAG 2.2 level AA`.
    pub standard: String,
    /// The date of the last automated audit.
    pub last_audit: jiff::civil::Date,
    /// Where `last_audit` is written (`check` says there when it is in the
    /// future).
    #[serde(skip)]
    pub last_audit_at: Option<crate::diagnostics::Span>,
    /// How it was tested.
    #[serde(default)]
    pub tools: Option<String>,
    /// Where to report a barrier; the feedback link when absent.
    #[serde(default)]
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditorialPolicy {
    /// How sources are chosen.
    pub sources: String,
}

/// The `check:` block: how strict `sourcebook check` is for this site.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// Per diagnostic code: `error`, `warning` or `off`.
    #[serde(default)]
    pub severity: std::collections::BTreeMap<String, Level>,
    /// Extra words and phrases to flag as promotional.
    #[serde(default)]
    pub promotional: Vec<String>,
    /// Built-in promotional words this site allows.
    #[serde(default)]
    pub allow_promotional: Vec<String>,
    /// Extra wording to flag under safe messaging, with the suggested wording.
    #[serde(default)]
    pub safe_messaging: Vec<Wording>,
    /// The age in days past which the source lock is reported stale
    /// (default [`crate::sources::DEFAULT_LOCK_MAX_AGE_DAYS`]).
    #[serde(default)]
    pub source_lock_max_age_days: Option<u32>,
    /// Phrases that tell a reader when to get help: a page that uses one
    /// and has no care card is a `missing-care-card` warning. Replaces the
    /// defaults ([`CARE_CARD_TRIGGERS`]); `[]` turns the check off.
    #[serde(default = "default_care_card_triggers")]
    pub care_card_triggers: Vec<String>,
}

impl Default for CheckConfig {
    fn default() -> CheckConfig {
        CheckConfig {
            severity: Default::default(),
            promotional: Vec::new(),
            allow_promotional: Vec::new(),
            safe_messaging: Vec::new(),
            care_card_triggers: default_care_card_triggers(),
            source_lock_max_age_days: None,
        }
    }
}

/// The default `check.care_card_triggers`: wording that sends a reader to
/// urgent or emergency care. Kept to phrases that name the action, so a
/// page that only mentions the word "emergency" (an emergency plan, an
/// emergency-use report) is not flagged.
pub(crate) const CARE_CARD_TRIGGERS: &[&str] = &[
    "warning signs to act on",
    "warning signs after",
    "get emergency help",
    "get emergency care",
    "need emergency care",
    "seek emergency care",
    "go to the emergency room",
    "go to the nearest emergency",
    "get help right away",
    "get help fast",
    "call 911 if",
    "call 999 if",
];

fn default_care_card_triggers() -> Vec<String> {
    CARE_CARD_TRIGGERS.iter().map(|s| s.to_string()).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Off,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    pub phrase: String,
    pub suggestion: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Readability {
    /// Highest Flesch-Kincaid grade for patient pages.
    #[serde(default = "default_max_grade")]
    pub max_grade: f64,
    /// Optional highest SMOG grade (SMOG runs 2-3 grades above Flesch-Kincaid).
    #[serde(default)]
    pub max_smog: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crisis {
    pub text: String,
    #[serde(default)]
    pub links: Vec<CrisisLink>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisLink {
    pub label: String,
    pub url: String,
}

/// The file as written; `Option` where the key has a default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    description: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    topics: Option<Vec<String>>,
    /// Signed, so that `-1` meets the key's own range check ("1 to 120")
    /// rather than the reader's "0 or more", which 0 would not pass either.
    review_interval_months: Option<i64>,
    citation_style: Option<String>,
    readability: Option<Readability>,
    feedback_url: Option<String>,
    crisis: Option<Crisis>,
    disclaimer: Option<String>,
    check: Option<CheckConfig>,
    search: Option<bool>,
    tags: Option<bool>,
    /// Signed, as `review_interval_months` is.
    paginate_by: Option<i64>,
    review_roles: Option<Vec<ReviewRole>>,
    funding: Option<String>,
    conflicts: Option<String>,
    trust_pages: Option<TrustPages>,
    contact_email: Option<String>,
    care_cards: Option<RawCareCards>,
}

pub(crate) const FILE: &str = "site.yaml";

fn default_max_grade() -> f64 {
    9.0
}

fn default_crisis() -> Crisis {
    Crisis {
        text: "Thinking about suicide, or in crisis? Help is available now. In immediate danger, call your local emergency number.".into(),
        links: vec![
            CrisisLink { label: "Call 988 (US Suicide & Crisis Lifeline)".into(), url: "tel:988".into() },
            CrisisLink { label: "Text 988 (US)".into(), url: "sms:988".into() },
            CrisisLink { label: "Find a helpline in your country".into(), url: "https://findahelpline.com".into() },
        ],
    }
}

/// The longest review interval (10 years): a page unchecked for longer is
/// not being reviewed, and date arithmetic stays far inside jiff's range.
pub(crate) const MAX_REVIEW_INTERVAL_MONTHS: u32 = 120;

/// Entries on one generated list page unless `paginate_by` says otherwise:
/// the shipped site's lists fit on one page each, and a page of 200 FAQ
/// answers or sources stays far below 1 MB.
pub(crate) const DEFAULT_PAGINATE_BY: usize = 200;

/// The highest reading grade `readability` may set: past it, no text is
/// too hard, and the check says nothing.
const MAX_GRADE: f64 = 20.0;

/// The largest `paginate_by`: past it, one page is too large to read on a phone.
pub(crate) const MAX_PAGINATE_BY: usize = 10_000;

/// What to do where there is no site.yaml (a command's usage error, and
/// loading a site whose site.yaml has gone).
pub(crate) const NO_SITE_HELP: &str = "run sourcebook in the site's folder (the one holding site.yaml) or any folder \
     inside it, or pass `--root DIR`; `sourcebook init DIR` starts a new site";

const DEFAULT_DISCLAIMER: &str = "This site gives general information, not medical advice. \
Talk to your own clinician about your care.";

impl Config {
    /// Read and validate `site.yaml` from the site root.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        match crate::input::text(root, &root.join(FILE)) {
            Ok(text) => Config::parse(&text),
            Err(unread) if unread.missing => Err(vec![
                Diagnostic::error(Code::MissingKey, format!("no {FILE} in {}", shown_folder(root)))
                    .in_file(FILE)
                    .with_help(NO_SITE_HELP),
            ]),
            Err(unread) => Err(vec![unread.diagnostic]),
        }
    }

    /// Parse the text of `site.yaml`.
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let doc = Document::whole(FILE, text);
        let raw: RawConfig = doc.parse()?;
        Config::from_raw(raw, &doc)
    }

    fn from_raw(raw: RawConfig, doc: &Document) -> Result<Config, Vec<Diagnostic>> {
        let RawConfig {
            title,
            base_url,
            description,
            language,
            theme,
            topics,
            review_interval_months,
            citation_style,
            readability,
            feedback_url,
            crisis,
            disclaimer,
            check,
            search,
            tags,
            paginate_by,
            review_roles,
            funding,
            conflicts,
            trust_pages,
            contact_email,
            care_cards,
        } = raw;
        let mut errors = Vec::new();
        // the caret under the value at `path`
        let invalid = |path: YamlPath, message: String| {
            Diagnostic::error(Code::InvalidValue, message).with_span(doc.value_span(path))
        };
        if crate::yaml::blank(&title) {
            errors.push(
                invalid("title".into(), "`title` is empty: every page's tab and header show it".into())
                    .with_help("write the site's name, e.g. `title: \"Ketamine for depression\"`"),
            );
        }
        if let Err(why) = crate::html::check_base_url(&base_url) {
            errors.push(
                invalid("base_url".into(), format!("base_url {why}"))
                    .with_help("write it in full, e.g. `https://example.org/ketamine/`"),
            );
        }
        // every other URL of the site's configuration reaches every page
        // `url` as checked; `written`, as the author wrote it (with its placeholders)
        let unsafe_url = |path: YamlPath, url: &str, written: &str| {
            crate::html::check_absolute_url(url).err().map(|why| {
                let key = path.name();
                let at = doc.written_at(path.clone(), written).map_or_else(|| doc.value_span(path), |i| doc.span(i));
                Diagnostic::error(Code::UnsafeUrl, format!("`{key}` `{}`: {why}", written.escape_debug()))
                    .with_span(at)
                    .with_help("write a full http(s), mailto, tel or sms address, e.g. `https://988lifeline.org/` or `tel:988`")
            })
        };
        if let Some(url) = &feedback_url {
            errors.extend(check_placeholders(url, doc));
            // checked as a page will have it: a placeholder could otherwise stand for a scheme
            let sample = substitute(url, "x", "x");
            errors.extend(unsafe_url("feedback_url".into(), &sample, url));
        }
        if let Some(crisis) = &crisis {
            let links = crisis.links.iter().enumerate();
            errors
                .extend(links.filter_map(|(i, l)| {
                    unsafe_url(YamlPath::from("crisis.links").item(i).key("url"), &l.url, &l.url)
                }));
            // the box every page shows: words, and at least one line to call, each named
            if crate::yaml::blank(&crisis.text) {
                errors.push(
                    invalid(
                        "crisis.text".into(),
                        "`crisis.text` is empty: every page's crisis box would say nothing".into(),
                    )
                    .with_help("say where help is, e.g. `text: \"In crisis? Help is available now.\"`"),
                );
            }
            if crisis.links.is_empty() {
                errors.push(
                    invalid("crisis.links".into(), "`crisis.links` is empty: every page must show a crisis line".into())
                        .with_help("list at least one, e.g. `links: [{ label: \"Call 988\", url: \"tel:988\" }]`, or leave `crisis:` out for the default"),
                );
            }
            for (i, _) in crisis.links.iter().enumerate().filter(|(_, l)| crate::yaml::blank(&l.label)) {
                errors.push(
                    invalid(
                        YamlPath::from("crisis.links").item(i).key("label"),
                        format!("crisis line {} has an empty `label`: a link with no words", i + 1),
                    )
                    .with_help("name the line as readers would say it, e.g. `label: \"Call 988 (US)\"`"),
                );
            }
        }
        if disclaimer.as_deref().is_some_and(crate::yaml::blank) {
            errors.push(
                invalid("disclaimer".into(), "`disclaimer` is empty: every page's footer shows it".into())
                    .with_help("say what the site is not, e.g. `disclaimer: \"General information, not medical advice.\"`, or leave it out for the default"),
            );
        }
        let citation_style_at = citation_style.is_some().then(|| doc.value_span("citation_style"));
        let citation_style = citation_style.unwrap_or_else(|| "american-medical-association".into());
        // read signed (so that -1 is told the key's range too), kept once within it
        let mut within = |key: &str, n: i64, max: i64, help: &'static str| {
            let kept = (1..=max).contains(&n);
            if !kept {
                errors.push(invalid(key.into(), format!("{key} is {n}; it must be 1 to {max}")).with_help(help));
            }
            kept.then_some(n)
        };
        let review_interval_months = review_interval_months
            .and_then(|n| {
                let help = "the number of months between two checks of a page, e.g. `12`";
                within("review_interval_months", n, MAX_REVIEW_INTERVAL_MONTHS.into(), help)
            })
            .and_then(|n| u32::try_from(n).ok());
        let paginate_by = paginate_by
            .and_then(|n| {
                let help = "the most entries a topic page, FAQ page, source list or glossary page shows, e.g. `200`";
                within("paginate_by", n, MAX_PAGINATE_BY as i64, help)
            })
            .and_then(|n| usize::try_from(n).ok());
        if let Some(tag) = language.as_deref().filter(|t| !is_language_tag(t)) {
            errors.push(
                invalid("language".into(), format!("`{}` is not a language tag", tag.escape_debug())).with_help(
                    "write the site's language as browsers and screen readers read it, e.g. `en`, `en-GB` or `es`",
                ),
            );
        }
        // a grade no text can reach, or `.nan` (never exceeded), turns the check off unsaid
        let grades = readability.iter().flat_map(|r| [("max_grade", Some(r.max_grade)), ("max_smog", r.max_smog)]);
        for (key, grade) in grades {
            if let Some(g) = grade.filter(|g| !(1.0..=MAX_GRADE).contains(g)) {
                errors.push(
                    invalid(
                        YamlPath::from("readability").key(key),
                        format!("readability.{key} is {g}; it must be a school grade from 1 to {MAX_GRADE}"),
                    )
                    .with_help("the hardest reading grade a page may have, e.g. `8` for patients; `check: { severity: { readability: off } }` turns the check off"),
                );
            }
        }
        let theme_at = theme.is_some().then(|| doc.value_span("theme"));
        let theme = theme.unwrap_or_else(|| "default".into());
        if !is_folder_name(&theme) {
            errors.push(
                invalid(
                    "theme".into(),
                    format!("theme `{}` is not the name of a folder under themes/", theme.escape_debug()),
                )
                .with_help("use `theme: default`, or the name of a folder under themes/, such as `theme: clinic`"),
            );
        }
        let topics = topics.unwrap_or_default();
        for (i, t) in topics.iter().enumerate() {
            if topics[..i].contains(t) {
                errors.push(
                    invalid(YamlPath::from("topics").item(i), format!("topic `{t}` is listed twice"))
                        .with_help("list each topic once, in the order the navigation shows them"),
                );
            }
            if !is_slug(t) {
                errors.push(invalid(
                    YamlPath::from("topics").item(i),
                    format!("topic `{t}` must be a folder name of [a-z0-9-]"),
                ));
            }
        }
        let topics_at = (0..topics.len()).map(|i| doc.value_span(YamlPath::from("topics").item(i))).collect();
        let check = check.unwrap_or_default();
        for code in check.severity.keys() {
            if !crate::diagnostics::Code::ALL.iter().any(|c| c.as_str() == code) {
                let names: Vec<&str> = crate::diagnostics::Code::ALL.iter().map(|c| c.as_str()).collect();
                let mut d = Diagnostic::error(Code::InvalidValue, format!("`{code}` is not a diagnostic code"))
                    .with_span(doc.key_span(YamlPath::from("check.severity").key(code)));
                if let Some(n) = crate::diagnostics::nearest(code, names) {
                    d = d.with_help(format!("did you mean `{n}`?"));
                }
                errors.push(d);
            }
        }
        let mut trust_pages = trust_pages.unwrap_or_default();
        if let Some(a) = &mut trust_pages.accessibility {
            a.last_audit_at =
                Some(doc.value_span(YamlPath::from("trust_pages").key("accessibility").key("last_audit")));
        }
        let contact = trust_pages.accessibility.as_ref().and_then(|a| a.contact.as_deref());
        errors.extend(contact.and_then(|u| unsafe_url("trust_pages.accessibility.contact".into(), u, u)));
        // texts the trust pages show: empty (or `~`) is none, and the
        // funding page's two, and the statement's and policy's own, are
        // required where their page is on
        if trust_pages.funding {
            for (key, text) in [("funding", &funding), ("conflicts", &conflicts)] {
                let (at, state) = match text.as_deref() {
                    Some(text) if crate::yaml::blank(text) => (key.into(), "empty"),
                    Some(_) => continue,
                    None => ("trust_pages.funding".into(), "missing"),
                };
                errors.push(
                    invalid(
                        at,
                        format!("`trust_pages.funding` is on, but `{key}:` is {state}: the funding page shows it"),
                    )
                    .with_help(
                        "state who pays for the site in `funding:` and declare conflicts of interest in `conflicts:`",
                    ),
                );
            }
        }
        if let Some(a) = &mut trust_pages.accessibility {
            a.tools = a.tools.take().filter(|t| !crate::yaml::blank(t));
            if crate::yaml::blank(&a.standard) {
                errors.push(
                    invalid(
                        YamlPath::from("trust_pages").key("accessibility").key("standard"),
                        "`standard` is empty: the accessibility statement names the standard the site meets".into(),
                    )
                    .with_help("name it, e.g. `standard: \"WCAG 2.2 level AA\"`"),
                );
            }
        }
        if let Some(policy) = &trust_pages.editorial_policy
            && crate::yaml::blank(&policy.sources)
        {
            errors.push(
                invalid(
                    YamlPath::from("trust_pages").key("editorial_policy").key("sources"),
                    "`sources` is empty: the editorial policy says under it how sources are chosen".into(),
                )
                .with_help("say how sources are chosen, e.g. `sources: \"Peer-reviewed trials and current labels.\"`"),
            );
        }
        if let Some(email) = &contact_email
            && !is_email(email)
        {
            errors.push(
                invalid("contact_email".into(), format!("contact_email `{}` is not an email address", email.escape_debug()))
                    .with_help("the address Crossref and PubMed may write to about the site's requests, e.g. `editors@example.org`"),
            );
        }
        let care_cards = match care_cards {
            Some(RawCareCards { non_urgent, urgent, emergency }) => CareCards {
                non_urgent: RawCareCard::or(non_urgent, default_non_urgent()),
                urgent: RawCareCard::or(urgent, default_urgent()),
                emergency: RawCareCard::or(emergency, default_emergency()),
            },
            None => CareCards::default(),
        };
        for (level, card) in [
            ("non_urgent", &care_cards.non_urgent),
            ("urgent", &care_cards.urgent),
            ("emergency", &care_cards.emergency),
        ] {
            for (key, text) in [("label", &card.label), ("heading", &card.heading)] {
                if crate::yaml::blank(text) {
                    errors.push(
                        invalid(
                            YamlPath::from("care_cards").key(level).key(key),
                            format!("`care_cards.{level}.{key}` is empty"),
                        )
                        .with_help("write what the card says, or leave the key out to keep the default"),
                    );
                }
            }
        }
        let mut review_roles = review_roles.unwrap_or_else(|| vec![ReviewRole::Clinical, ReviewRole::Editorial]);
        review_roles.sort();
        review_roles.dedup();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Config {
            title,
            // optional: `description: ~` (or only spaces) is none, not the words "~"
            description: description.filter(|d| !crate::yaml::blank(d)).unwrap_or_default(),
            base_url: with_trailing_slash(base_url),
            language: language.unwrap_or_else(|| "en".into()),
            theme,
            topics,
            topics_at,
            review_interval_months: review_interval_months.unwrap_or(12),
            citation_style,
            citation_style_at,
            theme_at,
            readability: readability.unwrap_or(Readability { max_grade: default_max_grade(), max_smog: None }),
            feedback_url,
            crisis: crisis.unwrap_or_else(default_crisis),
            disclaimer: disclaimer.unwrap_or_else(|| DEFAULT_DISCLAIMER.into()),
            check,
            search: search.unwrap_or(true),
            tags: tags.unwrap_or(true),
            paginate_by: paginate_by.unwrap_or(DEFAULT_PAGINATE_BY),
            review_roles,
            funding: funding.filter(|t| !crate::yaml::blank(t)),
            conflicts: conflicts.filter(|t| !crate::yaml::blank(t)),
            trust_pages,
            contact_email,
            care_cards,
        })
    }

    /// The feedback link of one page: `feedback_url` with `{url}` and
    /// `{title}` replaced by the page's absolute URL and title,
    /// percent-encoded. `None` without `feedback_url`, or when the result
    /// would not pass the URL policy (checked again here: a placeholder
    /// stands where a scheme could be).
    pub fn feedback_url_for(&self, permalink: &str, title: &str) -> Option<String> {
        let template = self.feedback_url.as_deref()?;
        let url = substitute(template, &encode(permalink), &encode(title));
        crate::html::check_url(&url).is_ok().then_some(url)
    }

    /// `base_url` with another base swapped in (`build --base-url`).
    pub fn with_base_url(mut self, base_url: &str) -> Config {
        self.base_url = with_trailing_slash(base_url.to_string());
        self
    }
}

/// The placeholders `feedback_url` may hold.
pub(crate) const FEEDBACK_PLACEHOLDERS: &[&str] = &["url", "title"];

/// Characters a substituted value keeps as they are: RFC 3986's unreserved
/// ones. Everything else is `%XX` (a space too: `+` means a space only in
/// forms, not in a `mailto:` subject).
const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string()
}

/// `template` with `{url}` and `{title}` replaced in one pass (a value is
/// never searched for placeholders again).
fn substitute(template: &str, url: &str, title: &str) -> String {
    let mut out = String::with_capacity(template.len() + url.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        if let Some(tail) = after.strip_prefix("{url}") {
            out.push_str(url);
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("{title}") {
            out.push_str(title);
            rest = tail;
        } else {
            out.push('{');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Where the part of `url` that says where it goes ends: its scheme and
/// host (`https://example.org`), or for an address without a host
/// (`mailto:`, `tel:`, `sms:`) the address itself, up to `?` or `#`.
fn address_end(url: &str) -> usize {
    let after_scheme = url.find(':').map_or(0, |i| i + 1);
    let rest = &url[after_scheme..];
    match rest.strip_prefix("//") {
        Some(host) => after_scheme + 2 + host.find(['/', '?', '#']).unwrap_or(host.len()),
        None => after_scheme + rest.find(['?', '#']).unwrap_or(rest.len()),
    }
}

/// Every `{…}` in `feedback_url` must be a known placeholder, and stand
/// after the address ([`address_end`]): a page's title or address never
/// decides where its feedback goes. Each other one is `invalid-value`
/// where it is written.
fn check_placeholders(url: &str, doc: &Document) -> Vec<Diagnostic> {
    let start = doc.written_at("feedback_url", url);
    let at = |i: usize| start.map_or_else(|| doc.value_span("feedback_url"), |s| doc.span(s + i));
    let address = address_end(url);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = url[from..].find('{').map(|i| from + i) {
        let close = url[i..].find('}').map(|j| i + j);
        let name = close.map(|j| &url[i + 1..j]);
        from = close.map_or(i + 1, |j| j + 1);
        if let Some(n) = name.filter(|n| FEEDBACK_PLACEHOLDERS.contains(n)) {
            if i < address {
                found.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`feedback_url` has `{{{n}}}` in its address: each page's {n} would decide where its feedback goes"),
                    )
                    .with_span(at(i))
                    .with_help("write the address out and put the placeholders after it, e.g. `https://example.org/feedback?page={url}` or `mailto:editor@example.org?subject={title}`"),
                );
            }
            continue;
        }
        let written = name.map_or_else(|| url[i..].to_string(), |n| format!("{{{n}}}"));
        let mut d = Diagnostic::error(
            Code::InvalidValue,
            format!("`feedback_url` holds `{}`, which is not a placeholder", written.escape_debug()),
        )
        .with_span(at(i))
        .with_help("the placeholders are `{url}` (the page's address) and `{title}` (its title); write a literal brace as `%7B` or `%7D`");
        if let Some(n) = name.and_then(|n| crate::diagnostics::nearest(n, FEEDBACK_PLACEHOLDERS.iter().copied())) {
            d = d.with_help(format!("did you mean `{{{n}}}`? The placeholders are `{{url}}` and `{{title}}`"));
        }
        found.push(d);
    }
    found
}

/// `root` as a message names it: the full path when it is `.` (which names
/// no folder a reader can find), else as the user wrote it.
fn shown_folder(root: &Path) -> String {
    match root == Path::new(".") || root.as_os_str().is_empty() {
        true => std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()).display().to_string(),
        false => root.display().to_string(),
    }
}

/// A BCP 47 tag a screen reader can speak by (`en`, `en-GB`, `zh-Hant-TW`;
/// every page's `<html lang>` holds it): its language a code of ISO 639-1
/// (two letters, the list below) or of three letters (ISO 639-2/3: `fil`,
/// `yue`), then subtags of 1 to 8 letters or digits, joined by `-`. The
/// grammar's longer language subtags (`english` has the shape of one)
/// are registered for no language, and an unassigned pair (`xx`) names
/// none: either would give `<html lang>` a value no reader knows.
fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let language = subtags.next().unwrap_or_default().to_ascii_lowercase();
    let known = match language.len() {
        2 => ISO_639_1.binary_search(&language.as_str()).is_ok(),
        3 => language.bytes().all(|b| b.is_ascii_alphabetic()),
        _ => false,
    };
    known && subtags.all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The two-letter language codes of ISO 639-1, in order (those withdrawn,
/// `iw`, `in`, `ji`, `mo`, `sh`, left out: each has its current code).
const ISO_639_1: [&str; 183] = [
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm", "bn", "bo",
    "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo",
    "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi",
    "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka",
    "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng",
    "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn",
    "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su",
    "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur",
    "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

fn with_trailing_slash(mut url: String) -> String {
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// One folder name, so that `themes/<name>` stays inside `themes/`: not
/// empty, not `.`, `..` or hidden, no `/`, `\\` or `:` (an absolute path, a
/// Windows drive), no control character.
fn is_folder_name(s: &str) -> bool {
    !s.is_empty() && !s.starts_with('.') && !s.chars().any(|c| matches!(c, '/' | '\\' | ':') || c.is_control())
}

/// `name@host.tld`: one `@`, a dot in the host, no spaces or controls
/// (it goes into a User-Agent and a query string).
fn is_email(s: &str) -> bool {
    let Some((name, host)) = s.split_once('@') else { return false };
    !name.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !host.contains('@')
        && s.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '(' | ')' | '<' | '>' | '"' | ';' | ','))
}

/// A URL segment: `[a-z0-9-]+`, not starting or ending with `-`.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_interval_past_ten_years_is_refused_not_a_panic() {
        let e = Config::parse("title: T\nbase_url: https://x.org/\nreview_interval_months: 239977\n").unwrap_err();
        assert_eq!(e[0].code, Code::InvalidValue);
        assert_eq!(e[0].line(), Some(3));
        assert!(e[0].message.contains("must be 1 to 120"), "{}", e[0].message);
        assert!(Config::parse("title: T\nbase_url: https://x.org/\nreview_interval_months: 120\n").is_ok());
    }

    /// A number below the range is told the range the key takes, not the
    /// reader's "0 or more" (which 0 would not pass either).
    #[test]
    fn a_number_below_its_range_is_told_the_keys_own_range() {
        for (key, range) in [("review_interval_months", "1 to 120"), ("paginate_by", "1 to 10000")] {
            for n in ["0", "-1", "-9999999999"] {
                let e = Config::parse(&format!("title: T\nbase_url: https://x.org/\n{key}: {n}\n")).unwrap_err();
                assert_eq!((e.len(), e[0].code, e[0].line()), (1, Code::InvalidValue, Some(3)), "{key}: {n}");
                assert_eq!(e[0].message, format!("{key} is {n}; it must be {range}"));
                assert!(!e[0].help.as_deref().unwrap_or_default().contains("0 or more"), "{:?}", e[0].help);
            }
        }
    }

    #[test]
    fn a_list_page_of_no_entries_is_refused_at_its_line() {
        let e = Config::parse("title: T\nbase_url: https://x.org/\npaginate_by: 0\n").unwrap_err();
        assert_eq!(e[0].code, Code::InvalidValue);
        assert_eq!(e[0].line(), Some(3));
        assert!(Config::parse("title: T\nbase_url: https://x.org/\npaginate_by: 10001\n").is_err());
        assert_eq!(Config::parse("title: T\nbase_url: https://x.org/\npaginate_by: 1\n").unwrap().paginate_by, 1);
    }

    /// A feedback address that is not a full one is told as written, with
    /// its placeholders (it showed the `x` they were filled with to check it).
    #[test]
    fn a_feedback_url_is_shown_as_written() {
        let e = Config::parse("title: T\nbase_url: https://x.org/\nfeedback_url: \"{url}\"\n").unwrap_err();
        let d = e.iter().find(|d| d.code == Code::UnsafeUrl).expect("unsafe-url");
        assert_eq!(d.line(), Some(3));
        assert!(d.message.starts_with("`feedback_url` `{url}`: it is not a full address"), "{}", d.message);
    }

    /// `language` is what every page's `<html lang>` says: a language tag,
    /// or an error at it (any text was written there).
    #[test]
    fn the_language_is_a_language_tag() {
        for ok in ["en", "en-GB", "es", "zh-Hant-TW", "de-CH-1996", "fil", "yue-HK", "EN-gb"] {
            assert_eq!(
                Config::parse(&format!("title: T\nbase_url: https://x.org/\nlanguage: {ok}\n")).unwrap().language,
                ok
            );
        }
        for bad in ["\"not a language at all!!\"", "\"\"", "e", "en_GB", "en-", "\"en GB\"", "englishlanguage"]
            .into_iter()
            // the shape of a tag, but no language: what `<html lang>` would name no voice by
            .chain(["english", "English", "french", "xx", "zz-ZZ", "engl"])
        {
            let e = Config::parse(&format!("title: T\nbase_url: https://x.org/\nlanguage: {bad}\n")).unwrap_err();
            assert_eq!((e[0].code, e[0].line()), (Code::InvalidValue, Some(3)), "{bad}");
            assert!(e[0].message.ends_with("is not a language tag"), "{bad}: {}", e[0].message);
        }
    }

    /// A reading-grade limit no text reaches turned the check off without
    /// a word: `.nan` (never exceeded) and `.inf` passed every page, and a
    /// negative one failed every page.
    #[test]
    fn a_reading_grade_limit_is_a_school_grade() {
        for bad in
            ["max_grade: .nan", "max_grade: .inf", "max_grade: -5", "max_grade: 0", "max_grade: 21", "max_smog: .nan"]
        {
            let e = Config::parse(&format!("title: T\nbase_url: https://x.org/\nreadability:\n  {bad}\n")).unwrap_err();
            assert_eq!(
                (e[0].code, e[0].line(), e[0].span.as_ref().map(|s| s.column)),
                (Code::InvalidValue, Some(4), bad.find(' ').map(|i| i + 4)),
                "{bad}"
            );
            assert!(e[0].message.contains("it must be a school grade from 1 to 20"), "{bad}: {}", e[0].message);
        }
        let c = Config::parse("title: T\nbase_url: https://x.org/\nreadability: { max_grade: 8, max_smog: 9.5 }\n")
            .unwrap();
        assert_eq!((c.readability.max_grade, c.readability.max_smog), (8.0, Some(9.5)));
    }

    #[test]
    fn minimal_config_gets_documented_defaults() {
        let c = Config::parse("title: T\nbase_url: https://example.org/sub\n").unwrap();
        assert_eq!(c.base_url, "https://example.org/sub/");
        assert_eq!(c.language, "en");
        assert_eq!(c.citation_style, "american-medical-association");
        assert_eq!(c.review_interval_months, 12);
        assert_eq!(c.paginate_by, 200);
        assert!((c.readability.max_grade - 9.0).abs() < f64::EPSILON);
        // a line to call, one to text, and what to do in immediate danger
        assert!(c.crisis.links.iter().any(|l| l.url == "tel:988"));
        assert!(c.crisis.links.iter().any(|l| l.url == "sms:988"));
        assert!(c.crisis.text.contains("emergency number"), "{}", c.crisis.text);
        assert!(c.search);
        assert!(!Config::parse("title: T\nbase_url: https://x.org/\nsearch: false\n").unwrap().search);
    }

    #[test]
    fn a_contact_email_must_be_an_address_fit_for_a_user_agent() {
        let parse =
            |email: &str| Config::parse(&format!("title: T\nbase_url: https://x.org/\ncontact_email: \"{email}\"\n"));
        assert_eq!(parse("editors@example.org").unwrap().contact_email.as_deref(), Some("editors@example.org"));
        for bad in ["editors", "a@b", "a b@example.org", "x@example.org)", "@example.org", "a@example."] {
            let e = parse(bad).unwrap_err();
            assert_eq!((e[0].code, e[0].line()), (Code::InvalidValue, Some(3)), "{bad}");
        }
        let c = Config::parse("title: T\nbase_url: https://x.org/\ncontact_email: editors@example.org\n").unwrap();
        assert!(!serde_json::to_string(&c).unwrap().contains("editors@"), "templates never see it");
    }

    #[test]
    fn unknown_key_is_reported_with_its_line() {
        let e = Config::parse("title: T\nbase_url: https://x.org/\ntheem: default\n").unwrap_err();
        assert_eq!((e[0].code, e[0].line()), (Code::UnknownKey, Some(3)));
        assert_eq!(e[0].help.as_deref(), Some("did you mean `theme`?"));
    }

    #[test]
    fn bad_values_are_invalid_value_at_their_key() {
        let e = Config::parse("title: T\nbase_url: /relative\ncitation_style: nope\n").unwrap_err();
        let got: Vec<_> = e.iter().map(|d| (d.code, d.line())).collect();
        assert_eq!(got, vec![(Code::InvalidValue, Some(2))]);
        let e = Config::parse("base_url: https://x.org/\n").unwrap_err();
        assert_eq!(e[0].code, Code::MissingKey);
    }

    #[test]
    fn check_block_is_validated() {
        let c = Config::parse("title: T\nbase_url: https://x.org/\ncheck:\n  severity: { readability: error }\n  promotional: [breakthrough]\n").unwrap();
        assert_eq!(c.check.severity["readability"], Level::Error);
        let e =
            Config::parse("title: T\nbase_url: https://x.org/\ncheck:\n  severity: { readabilty: off }\n").unwrap_err();
        assert_eq!((e[0].code, e[0].help.as_deref()), (Code::InvalidValue, Some("did you mean `readability`?")));
        let e = Config::parse("title: T\nbase_url: https://x.org/\ncheck:\n  promotonal: [x]\n").unwrap_err();
        assert_eq!((e[0].code, e[0].line()), (Code::UnknownKey, Some(4)));
    }

    #[test]
    fn a_theme_outside_themes_is_refused_at_its_line_and_column() {
        for bad in ["/etc", "../../outside", "..", ".", "a/b", "a\\\\b", "C:x", ".hidden", "\"\"", "\"a\\u0000\""] {
            let e = Config::parse(&format!("title: T\nbase_url: https://x.org/\ntheme: {bad}\n")).expect_err(bad);
            assert_eq!(
                (e[0].code, e[0].line(), e[0].span.as_ref().map(|s| s.column)),
                // the caret under the value, after `theme: `
                (Code::InvalidValue, Some(3), Some(8)),
                "{bad}"
            );
        }
        for good in ["default", "clinic", "My theme_2"] {
            let c = Config::parse(&format!("title: T\nbase_url: https://x.org/\ntheme: {good}\n")).unwrap();
            assert_eq!(c.theme, good);
        }
    }

    #[test]
    fn feedback_placeholders_are_filled_in_encoded_and_unknown_ones_refused_where_written() {
        let c = Config::parse(
            "title: T\nbase_url: https://x.org/\nfeedback_url: \"mailto:e@x.org?subject={title}&body={url}{url}\"\n",
        )
        .unwrap();
        assert_eq!(
            c.feedback_url_for("https://x.org/a b/", "Tea & {url} ü").as_deref(),
            Some(
                "mailto:e@x.org?subject=Tea%20%26%20%7Burl%7D%20%C3%BC&body=https%3A%2F%2Fx.org%2Fa%20b%2Fhttps%3A%2F%2Fx.org%2Fa%20b%2F"
            )
        );
        let c = Config::parse("title: T\nbase_url: https://x.org/\nfeedback_url: https://x.org/report\n").unwrap();
        assert_eq!(c.feedback_url_for("https://x.org/a/", "A").as_deref(), Some("https://x.org/report"));
        for (bad, column) in
            [("https://x.org/?p={page}", 32), ("https://x.org/?p={url", 32), ("https://x.org/?p={URL}", 32)]
        {
            let e = Config::parse(&format!("title: T\nbase_url: https://x.org/\nfeedback_url: {bad}\n")).unwrap_err();
            let at = e.iter().map(|d| (d.code, d.line(), d.span.as_ref().map(|s| s.column))).collect::<Vec<_>>();
            assert_eq!(at, vec![(Code::InvalidValue, Some(3), Some(column))], "{bad}");
        }
        // a placeholder where the scheme goes could make a `javascript:` link
        let e = Config::parse("title: T\nbase_url: https://x.org/\nfeedback_url: \"{title}:alert(1)\"\n").unwrap_err();
        assert!(e.iter().any(|d| d.code == Code::UnsafeUrl), "{e:?}");
        // nor may a placeholder stand in the address: a page's title would
        // choose the host or the recipient of its feedback (and a title
        // with a space made every link on that page one no browser reads)
        for (bad, column, name) in [
            ("https://{title}.example/", 24, "title"),
            ("https://x.org{url}", 29, "url"),
            ("mailto:{title}@x.org?subject=Hi", 23, "title"),
            ("tel:{url}", 20, "url"),
        ] {
            let e =
                Config::parse(&format!("title: T\nbase_url: https://x.org/\nfeedback_url: \"{bad}\"\n")).unwrap_err();
            let d = e.iter().find(|d| d.code == Code::InvalidValue).unwrap_or_else(|| panic!("{bad}: {e:?}"));
            assert_eq!((d.line(), d.span.as_ref().map(|s| s.column)), (Some(3), Some(column)), "{bad}");
            assert!(d.message.contains(&format!("has `{{{name}}}` in its address")), "{}", d.message);
        }
        for good in ["https://x.org/{url}", "https://x.org/?p={url}#{title}", "mailto:e@x.org?subject={title}"] {
            assert!(
                Config::parse(&format!("title: T\nbase_url: https://x.org/\nfeedback_url: \"{good}\"\n")).is_ok(),
                "{good}"
            );
        }
        // placed where the key's value is written, not where the same text
        // first stands in the file (here a comment)
        let e = Config::parse("# was https://x.org/?p={page}\ntitle: T\nbase_url: https://x.org/\nfeedback_url: https://x.org/?p={page}\n")
            .unwrap_err();
        assert_eq!((e[0].line(), e[0].span.as_ref().map(|s| s.column)), (Some(4), Some(32)));
    }

    /// A link every page carries must lead to the same place from every
    /// page: a relative address would change with the page's depth (a
    /// crisis line broken below the home page), and `//host` goes to
    /// another site under no scheme's check.
    #[test]
    fn links_on_every_page_are_full_addresses() {
        for (extra, line, column) in [
            ("crisis: { text: t, links: [{ label: x, url: \"relative/x\" }] }\n", 3, 46),
            ("crisis: { text: t, links: [{ label: x, url: \"//evil.org\" }] }\n", 3, 46),
            ("crisis: { text: t, links: [{ label: x, url: \"https:evil.org\" }] }\n", 3, 46),
            ("crisis: { text: t, links: [{ label: x, url: \"HTTP:/evil.org\" }] }\n", 3, 46),
            ("trust_pages: { accessibility: { standard: x, last_audit: 2026-01-01, contact: \"a@b.org\" } }\n", 3, 80),
            ("feedback_url: \"//x.org/{title}\"\n", 3, 16),
        ] {
            let e = site(extra).unwrap_err();
            let at: Vec<_> = e.iter().map(|d| (d.code, d.line(), d.span.as_ref().map(|s| s.column))).collect();
            assert_eq!(at, vec![(Code::UnsafeUrl, Some(line), Some(column))], "{extra}");
            assert!(
                e[0].message.ends_with(
                    "it is not a full address, so from pages at different depths it would lead to different places"
                ),
                "{}",
                e[0].message
            );
        }
        for url in ["https://988lifeline.org/", "HTTPS://988lifeline.org/", "tel:988", "sms:988", "mailto:help@x.org"] {
            site(&format!("crisis: {{ text: t, links: [{{ label: x, url: \"{url}\" }}] }}\n")).unwrap();
        }
    }

    /// A minimal site.yaml with `extra` after it.
    fn site(extra: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(&format!("title: T\nbase_url: https://x.org/\n{extra}"))
    }

    /// That site.yaml is refused with one `invalid-value` at `line` and
    /// `column`, whose message starts with `message`.
    fn refused_at(extra: &str, message: &str, line: usize, column: usize) {
        let e = site(extra).unwrap_err();
        let at: Vec<_> = e.iter().map(|d| (d.code, d.line(), d.span.as_ref().map(|s| s.column))).collect();
        assert_eq!(at, vec![(Code::InvalidValue, Some(line), Some(column))], "{extra}");
        assert!(e[0].message.starts_with(message), "{extra}: {}", e[0].message);
    }

    /// The crisis box and the disclaimer are on every page: a site may
    /// word them its own way, not leave them saying nothing.
    #[test]
    fn the_crisis_box_and_disclaimer_every_page_shows_are_never_empty() {
        for (extra, message, line, column) in [
            ("crisis: { text: \"\", links: [{ label: x, url: \"tel:988\" }] }\n", "`crisis.text` is empty", 3, 17),
            ("crisis: { text: ~, links: [{ label: x, url: \"tel:988\" }] }\n", "`crisis.text` is empty", 3, 17),
            ("crisis: { text: t, links: [] }\n", "`crisis.links` is empty", 3, 27),
            (
                "crisis:\n  text: t\n  links:\n    - { label: \" \", url: \"tel:988\" }\n",
                "crisis line 1 has an empty `label`",
                6,
                16,
            ),
            ("disclaimer: \"\"\n", "`disclaimer` is empty", 3, 13),
        ] {
            refused_at(extra, message, line, column);
        }
        site("crisis: { text: t, links: [{ label: x, url: \"tel:988\" }] }\ndisclaimer: d\n").unwrap();
        // left out, or YAML's null: the default, which says something
        let default = site("disclaimer: null\n").unwrap().disclaimer;
        assert_eq!(default, site("").unwrap().disclaimer);
        assert!(!default.is_empty());
    }

    /// The trust pages' texts are never shown empty or as "~": the funding
    /// page's two are required while it is on, the statement's standard
    /// and the policy's sources are required in their blocks, and an
    /// optional text written empty is none.
    #[test]
    fn the_trust_pages_never_show_an_empty_text() {
        let audit = "last_audit: 2026-01-01";
        for (extra, message, line, column) in [
            (
                "trust_pages: { funding: true }\nfunding: F\nconflicts: \"~\"\n",
                "`trust_pages.funding` is on, but `conflicts:` is empty",
                5,
                12,
            ),
            (
                "trust_pages: { funding: true }\nfunding: \"  \"\nconflicts: C\n",
                "`trust_pages.funding` is on, but `funding:` is empty",
                4,
                10,
            ),
            (
                "trust_pages: { funding: true }\nfunding: F\n",
                "`trust_pages.funding` is on, but `conflicts:` is missing",
                3,
                25,
            ),
            (
                &format!("trust_pages: {{ accessibility: {{ standard: \"\", {audit} }} }}\n"),
                "`standard` is empty",
                3,
                43,
            ),
            ("trust_pages: { editorial_policy: { sources: ~ } }\n", "`sources` is empty", 3, 45),
        ] {
            refused_at(extra, message, line, column);
        }
        let c = site(&format!(
            "description: \"~\"\ntrust_pages: {{ funding: true, accessibility: {{ standard: S, tools: \" \", {audit} }} }}\nfunding: F\nconflicts: C\n"
        ))
        .unwrap();
        assert_eq!(c.description, "");
        assert_eq!(c.trust_pages.accessibility.unwrap().tools, None);
    }

    #[test]
    fn care_cards_keep_the_defaults_a_site_does_not_set() {
        let c =
            Config::parse("title: T\nbase_url: https://x.org/\ncare_cards:\n  urgent: { heading: \"Call 111 if:\" }\n")
                .unwrap();
        let defaults = CareCards::default();
        assert_eq!(c.care_cards.urgent.heading, "Call 111 if:");
        assert_eq!(c.care_cards.urgent.label, defaults.urgent.label);
        assert_eq!(c.care_cards.emergency.heading, defaults.emergency.heading);
        assert_eq!(c.check.care_card_triggers.len(), CARE_CARD_TRIGGERS.len(), "the defaults without a check block");
        let e = Config::parse("title: T\nbase_url: https://x.org/\ncare_cards:\n  emergency: { label: \"\" }\n")
            .unwrap_err();
        assert_eq!((e[0].code, e[0].line()), (Code::InvalidValue, Some(4)));
        let e =
            Config::parse("title: T\nbase_url: https://x.org/\ncare_cards:\n  urgent: { heding: x }\n").unwrap_err();
        assert_eq!((e[0].code, e[0].help.as_deref()), (Code::UnknownKey, Some("did you mean `heading`?")));
        let c = Config::parse("title: T\nbase_url: https://x.org/\ncheck:\n  care_card_triggers: []\n").unwrap();
        assert!(c.check.care_card_triggers.is_empty());
    }

    #[test]
    fn slugs() {
        assert!(is_slug("side-effects-2"));
        for bad in ["", "Side", "../x", "a_b", "-a", "a/b"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
