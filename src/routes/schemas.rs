//! OpenAPI shapes of the text fields the handlers parse: the same constraints the parsers apply,
//! so a request that fits the document is one the factory accepts, up to rules of time and
//! state that no schema can say (a start not in the past, one of `start` or `window`). Each is
//! a documentation type, used as `#[schemars(with = "Option<schemas::Name>")]`.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

/// Text for people (names, e-mails, reasons): no control characters, not only spaces.
const TEXT: &str = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";

macro_rules! doc_type {
    ($(#[$doc:meta])* $name:ident, $schema:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn inline_schema() -> bool {
                true
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                $schema
            }
        }
    };
}

doc_type!(
    /// A vendor's name.
    Name,
    json_schema!({"type": "string", "minLength": 1, "maxLength": 200, "pattern": TEXT})
);
doc_type!(
    /// An e-mail address.
    Email,
    json_schema!({"type": "string", "minLength": 1, "maxLength": 320, "pattern": TEXT})
);
doc_type!(
    /// A web address.
    Url,
    json_schema!({"type": "string", "minLength": 1, "maxLength": 2048, "pattern": TEXT})
);
doc_type!(
    /// Why an instructor did something.
    Reason,
    json_schema!({"type": "string", "minLength": 1, "maxLength": 500, "pattern": TEXT})
);
doc_type!(
    /// An IANA time zone name, as chrono-tz knows them.
    TimeZoneName,
    {
        let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        json_schema!({"type": "string", "enum": names})
    }
);
doc_type!(
    /// A calendar date, YYYY-MM-DD.
    Date,
    json_schema!({"type": "string", "format": "date"})
);
doc_type!(
    /// A time of day, HH:MM or HH:MM:SS.
    ClockTime,
    json_schema!({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"})
);
doc_type!(
    /// An RFC 3339 instant.
    Instant,
    json_schema!({"type": "string", "format": "date-time"})
);
doc_type!(
    /// `"now"` or an RFC 3339 instant.
    Start,
    json_schema!({"anyOf": [{"type": "string", "enum": ["now"]}, {"type": "string", "format": "date-time"}]})
);
