//! Reads a scenario file: TOML into raw tables, then checked field by field, each error naming
//! the file, the line and the problem.

mod fields;
mod orders;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use chrono::Duration;
use serde::Deserialize;
use toml::Spanned;

use super::{Resolution, Scenario, expect};
use crate::domain::VendorId;
pub use fields::parse_span;

/// Most orders one scenario may send, so a typo in `every` cannot flood a factory.
pub const MAX_ORDERS: usize = 10_000;

#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ScenarioError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Option<Spanned<String>>,
    description: Option<String>,
    vendors: Option<Vec<Spanned<String>>>,
    chaos: Spanned<RawChaos>,
    #[serde(default)]
    orders: Vec<RawOrders>,
    resolve: Option<RawResolve>,
    #[serde(default)]
    expect: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChaos {
    mode: Option<Spanned<String>>,
    modes: Option<Spanned<toml::Value>>,
    start: Option<Spanned<toml::Value>>,
    tz: Option<Spanned<String>>,
    window: Option<Spanned<RawWindow>>,
    max_duration: Option<Spanned<String>>,
    params: Option<Spanned<RawParams>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    delay_ms: Option<u64>,
    probability: Option<f64>,
    every_nth: Option<u64>,
    retry_after_secs: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    from: Spanned<String>,
    to: Spanned<String>,
    tz: Spanned<String>,
    days: Option<Vec<Spanned<String>>>,
    first_date: Option<Spanned<toml::Value>>,
    span_days: Option<Spanned<u32>>,
    /// Blackout dates in the window's zone, as `FACTORY_BLACKOUT` spells them, one a string.
    blackout: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrders {
    vendor: Option<Spanned<String>>,
    vendors: Option<Vec<Spanned<String>>>,
    at: Option<Vec<Spanned<String>>>,
    every: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    until: Option<Spanned<String>>,
    count: Option<Spanned<u32>>,
    items: Spanned<Vec<RawItem>>,
    #[serde(default)]
    verify: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    menu_id: Option<i64>,
    description: Option<String>,
    price: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResolve {
    by: Spanned<String>,
    after: Option<Spanned<String>>,
}

/// Turns byte spans into line numbers for one file.
struct Source<'a> {
    file: String,
    text: &'a str,
}

impl Source<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let upto = span.start.min(self.text.len());
        ScenarioError {
            file: self.file.clone(),
            line: Some(self.text[..upto].matches('\n').count() + 1),
            message: message.into(),
        }
    }

    fn at<T>(&self, field: &str, value: &Spanned<T>, message: impl fmt::Display) -> ScenarioError {
        self.err(value.span(), format!("{field}: {message}"))
    }
}

pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: path.display().to_string(),
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    parse(path, &text)
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// The comment block that opens the file, without its `#`s.
fn leading_comment(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.starts_with('#') || l.is_empty())
        .filter(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

pub fn parse(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let src = Source {
        file: path.display().to_string(),
        text,
    };
    let raw: Raw = toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => src.err(span, e.message().trim()),
        None => ScenarioError {
            file: src.file.clone(),
            line: None,
            message: e.message().trim().to_owned(),
        },
    })?;
    let name = match &raw.name {
        Some(n) if !valid_name(n.get_ref()) => return Err(src.at("name", n, "use 1 to 64 of A-Z a-z 0-9 - _ .")),
        Some(n) => n.get_ref().clone(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| valid_name(s))
            .ok_or_else(|| src.err(0..0, "name: the file name is not a valid scenario name; set `name`"))?,
    };
    let vendors = match &raw.vendors {
        None => vec![VendorId::parse("drill-vendor").expect("valid id")],
        Some(list) if list.is_empty() => return Err(src.err(0..0, "vendors: list at least one vendor")),
        Some(list) => list
            .iter()
            .map(|v| VendorId::parse(v.get_ref()).map_err(|e| src.at("vendors", v, e)))
            .collect::<Result<_, _>>()?,
    };
    let chaos = fields::chaos(&src, &raw.chaos)?;
    let mut orders = Vec::new();
    for o in &raw.orders {
        orders.push(orders::order(&src, o, &vendors)?);
    }
    if orders.iter().map(|o| o.offsets.len() * o.vendors.len()).sum::<usize>() > MAX_ORDERS {
        return Err(src.err(0..0, format!("orders: more than {MAX_ORDERS} orders in all")));
    }
    let resolve = match &raw.resolve {
        None => Resolution::Never,
        Some(r) => {
            let after = || -> Result<Duration, ScenarioError> {
                let a = r
                    .after
                    .as_ref()
                    .ok_or_else(|| src.at("resolve.by", &r.by, "needs resolve.after, the time after chaos starts"))?;
                parse_span(a.get_ref(), false).map_err(|e| src.at("resolve.after", a, e))
            };
            match r.by.get_ref().as_str() {
                "report" => Resolution::Report(after()?),
                "admin" => Resolution::Admin(after()?),
                "never" => Resolution::Never,
                other => {
                    return Err(src.at(
                        "resolve.by",
                        &r.by,
                        format!("unknown resolution {other:?}; use report, admin or never"),
                    ));
                }
            }
        }
    };
    let mut entries: Vec<_> = raw.expect.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let expect = entries
        .into_iter()
        .map(|(k, v)| {
            expect::from_toml(k.get_ref(), v.get_ref()).map_err(|e| src.at(&format!("expect.{}", k.get_ref()), v, e))
        })
        .collect::<Result<_, _>>()?;
    let teaches = leading_comment(text);
    Ok(Scenario {
        name,
        file: path.to_path_buf(),
        description: raw
            .description
            .clone()
            .unwrap_or_else(|| teaches.lines().next().unwrap_or_default().to_owned()),
        teaches,
        vendors,
        chaos,
        orders,
        resolve,
        expect,
    })
}
