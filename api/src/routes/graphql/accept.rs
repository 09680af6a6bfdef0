//! The media type a GraphQL response goes out in, chosen from the request's `Accept` header as
//! the GraphQL over HTTP specification ("Body", "Legacy watershed") lays it out.

/// The response media types the api speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: status codes tell request errors (4xx) from executed
    /// requests (200).
    GraphQLResponse,
    /// `application/json`, for legacy clients: 200 for every well-formed request.
    Json,
}

impl MediaType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphQLResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    fn essence(self) -> (&'static str, &'static str) {
        match self {
            Self::GraphQLResponse => ("application", "graphql-response+json"),
            Self::Json => ("application", "json"),
        }
    }
}

/// The `Accept` header names no media type the api can answer in (406).
#[derive(Debug, PartialEq, Eq)]
pub struct NotAcceptable;

/// The media type to answer in.
///
/// - No `Accept` header: `application/graphql-response+json`, as the specification asks of
///   servers since its 2025 watershed.
/// - Otherwise the supported type with the highest quality; a type named exactly beats one
///   matched by a wildcard, and a tie between the two named types goes to
///   `application/graphql-response+json`. A wildcard alone (`*/*`, as curl sends) gets
///   `application/json`, which every client, however old, reads.
/// - Only UTF-8 is spoken: a `charset` other than `utf-8` does not match.
pub fn negotiate(accept: Option<&str>) -> Result<MediaType, NotAcceptable> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(MediaType::GraphQLResponse);
    };
    let ranges: Vec<Range<'_>> = accept.split(',').filter_map(Range::parse).collect();
    [MediaType::GraphQLResponse, MediaType::Json]
        .into_iter()
        .filter_map(|media| {
            let (quality, exact) = quality(&ranges, media)?;
            // Named types: graphql-response+json first; wildcards: json first.
            let preferred = exact == (media == MediaType::GraphQLResponse);
            Some(((quality, exact, preferred), media))
        })
        .filter(|((quality, _, _), _)| *quality > 0)
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, media)| media)
        .ok_or(NotAcceptable)
}

/// Whether a browser is asking for a page (`text/html` named with a quality above 0).
pub fn wants_html(accept: Option<&str>) -> bool {
    accept.is_some_and(|accept| {
        accept
            .split(',')
            .filter_map(Range::parse)
            .any(|r| r.kind == "text" && r.subtype == "html" && r.quality > 0)
    })
}

/// One media range of an `Accept` header: `type/subtype;q=0.5;charset=utf-8`.
#[derive(Debug)]
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    quality: u16,
    utf8: bool,
}

impl<'a> Range<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let mut range = Range {
            kind: kind.trim(),
            subtype: subtype.trim(),
            quality: 1000,
            utf8: true,
        };
        for param in parts {
            let Some((name, value)) = param.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "q" => range.quality = parse_quality(value)?,
                "charset" => range.utf8 = value.eq_ignore_ascii_case("utf-8"),
                _ => {}
            }
        }
        Some(range)
    }

    /// How specifically this range names `media`: 2 exactly, 1 `type/*`, 0 `*/*`.
    fn specificity(&self, media: MediaType) -> Option<u8> {
        let (kind, subtype) = media.essence();
        let kind_matches = self.kind == "*" || self.kind.eq_ignore_ascii_case(kind);
        let subtype_matches = self.subtype == "*" || self.subtype.eq_ignore_ascii_case(subtype);
        (kind_matches && subtype_matches && self.utf8)
            .then(|| u8::from(self.kind != "*") + u8::from(self.subtype != "*"))
    }
}

/// The quality of `media` (0–1000) from the most specific range matching it, and whether that
/// range named it exactly.
fn quality(ranges: &[Range<'_>], media: MediaType) -> Option<(u16, bool)> {
    ranges
        .iter()
        .filter_map(|r| r.specificity(media).map(|s| (s, r.quality)))
        .max_by_key(|(specificity, _)| *specificity)
        .map(|(specificity, quality)| (quality, specificity == 2))
}

/// `q=0.8` as thousandths; `None` for a value that is not a quality.
fn parse_quality(value: &str) -> Option<u16> {
    let q: f32 = value.parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then(|| (q * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::{MediaType::*, *};

    #[test]
    fn no_accept_header_gets_the_graphql_response_type() {
        assert_eq!(negotiate(None), Ok(GraphQLResponse));
        assert_eq!(negotiate(Some("")), Ok(GraphQLResponse));
    }

    #[test]
    fn a_named_type_is_answered_in_that_type() {
        assert_eq!(negotiate(Some("application/json")), Ok(Json));
        assert_eq!(
            negotiate(Some("application/graphql-response+json")),
            Ok(GraphQLResponse)
        );
        assert_eq!(negotiate(Some("application/json; charset=utf-8")), Ok(Json));
    }

    #[test]
    fn the_recommended_header_gets_the_graphql_response_type() {
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json; charset=utf-8, application/json; charset=utf-8"
            )),
            Ok(GraphQLResponse)
        );
        assert_eq!(
            negotiate(Some("application/json, application/graphql-response+json")),
            Ok(GraphQLResponse)
        );
    }

    #[test]
    fn quality_decides_before_anything_else() {
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Ok(Json)
        );
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json,application/json;q=0.9"
            )),
            Ok(GraphQLResponse)
        );
        assert_eq!(
            negotiate(Some("application/json;q=0, */*")),
            Ok(GraphQLResponse)
        );
    }

    #[test]
    fn wildcards_get_plain_json() {
        assert_eq!(negotiate(Some("*/*")), Ok(Json));
        assert_eq!(negotiate(Some("application/*")), Ok(Json));
        assert_eq!(
            negotiate(Some("text/html,application/xhtml+xml,*/*;q=0.8")),
            Ok(Json)
        );
    }

    #[test]
    fn nothing_acceptable_is_refused() {
        assert_eq!(negotiate(Some("text/html")), Err(NotAcceptable));
        assert_eq!(
            negotiate(Some("application/xml, text/*")),
            Err(NotAcceptable)
        );
        assert_eq!(
            negotiate(Some("application/json; charset=latin1")),
            Err(NotAcceptable)
        );
        assert_eq!(negotiate(Some("application/json;q=0")), Err(NotAcceptable));
        assert_eq!(negotiate(Some("nonsense")), Err(NotAcceptable));
    }

    #[test]
    fn browsers_asking_for_pages_are_told_apart() {
        assert!(wants_html(Some(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )));
        assert!(!wants_html(Some("*/*")));
        assert!(!wants_html(Some("application/json")));
        assert!(!wants_html(Some("text/html;q=0")));
        assert!(!wants_html(None));
    }
}
