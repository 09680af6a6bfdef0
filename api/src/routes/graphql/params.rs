//! The parameters of a GraphQL-over-HTTP request (`query`, `operationName`, `variables`,
//! `extensions`), read from a `GET` query string or a `POST` JSON body. A request whose
//! parameters have the wrong types is not a well-formed GraphQL-over-HTTP request: 400, naming
//! the parameter.

use serde_json::{Map, Value};

/// A well-formed request's parameters. `null` and absent are the same.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    /// Absent only when a persisted query's hash stands in for it.
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Option<Map<String, Value>>,
    pub extensions: Option<Map<String, Value>>,
}

/// Why a request is not a well-formed GraphQL-over-HTTP request.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadRequest {
    #[error("the body is not JSON: {0}")]
    Json(String),
    #[error("the body must be one JSON object (batches are not supported)")]
    NotAnObject,
    #[error("`{name}` must be {expected}")]
    WrongType {
        name: &'static str,
        expected: &'static str,
    },
    #[error("`{0}` is given more than once")]
    Repeated(String),
    #[error("`{name}` is not JSON: {message}")]
    ParameterJson { name: &'static str, message: String },
}

/// How a `POST` body is encoded, from its `Content-Type`.
#[derive(Debug, PartialEq, Eq)]
pub enum ContentType {
    Json,
    Missing,
    /// Anything else, or JSON in a charset other than UTF-8: 415.
    Unsupported,
}

impl ContentType {
    pub fn of(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Self::Missing;
        };
        let mut parts = header.split(';');
        let essence = parts.next().unwrap_or_default().trim();
        let utf8 = parts.all(|param| match param.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            _ => true,
        });
        if essence.eq_ignore_ascii_case("application/json") && utf8 {
            Self::Json
        } else {
            Self::Unsupported
        }
    }
}

impl Params {
    /// From a `POST` body encoded as `application/json`.
    pub fn from_json(body: &[u8]) -> Result<Self, BadRequest> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| BadRequest::Json(e.to_string()))?;
        let Value::Object(mut object) = value else {
            return Err(BadRequest::NotAnObject);
        };
        let mut take = |name| object.remove(name).filter(|v| !v.is_null());
        Ok(Self {
            query: take("query").map(|v| string(v, "query")).transpose()?,
            operation_name: take("operationName")
                .map(|v| string(v, "operationName"))
                .transpose()?,
            variables: take("variables").map(|v| map(v, "variables")).transpose()?,
            extensions: take("extensions")
                .map(|v| map(v, "extensions"))
                .transpose()?,
        })
    }

    /// From the query component of a `GET` URL (`application/x-www-form-urlencoded`), where
    /// `variables` and `extensions` are JSON strings and an empty `operationName` is none.
    pub fn from_query_string(query: &str) -> Result<Self, BadRequest> {
        let mut params = Self::default();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if seen.iter().any(|s| *s == name) {
                return Err(BadRequest::Repeated(name.into_owned()));
            }
            seen.push(name.to_string());
            match name.as_ref() {
                "query" => params.query = Some(value.into_owned()),
                "operationName" => {
                    params.operation_name = Some(value.into_owned()).filter(|v| !v.is_empty());
                }
                "variables" => params.variables = json_map(&value, "variables")?,
                "extensions" => params.extensions = json_map(&value, "extensions")?,
                _ => {}
            }
        }
        Ok(params)
    }

    /// Whether a `GET` carries a GraphQL request at all (else a browser may get GraphiQL).
    pub fn is_empty(&self) -> bool {
        self.query.is_none() && self.extensions.is_none()
    }
}

fn string(value: Value, name: &'static str) -> Result<String, BadRequest> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(BadRequest::WrongType {
            name,
            expected: "a string",
        }),
    }
}

fn map(value: Value, name: &'static str) -> Result<Map<String, Value>, BadRequest> {
    match value {
        Value::Object(m) => Ok(m),
        _ => Err(BadRequest::WrongType {
            name,
            expected: "an object (map)",
        }),
    }
}

/// A URL parameter holding a JSON object, or `null` / empty for none.
fn json_map(text: &str, name: &'static str) -> Result<Option<Map<String, Value>>, BadRequest> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| BadRequest::ParameterJson {
        name,
        message: e.to_string(),
    })?;
    match value {
        Value::Null => Ok(None),
        other => map(other, name).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_json_body_gives_every_parameter() {
        let body = json!({
            "query": "query Q($n: Int) { a(n: $n) }",
            "operationName": "Q",
            "variables": { "n": 1 },
            "extensions": { "x": true },
            "unknown": "ignored"
        });
        let params = Params::from_json(body.to_string().as_bytes()).expect("well-formed");
        assert_eq!(
            params.query.as_deref(),
            Some("query Q($n: Int) { a(n: $n) }")
        );
        assert_eq!(params.operation_name.as_deref(), Some("Q"));
        assert_eq!(params.variables, json!({ "n": 1 }).as_object().cloned());
        assert_eq!(params.extensions, json!({ "x": true }).as_object().cloned());
    }

    #[test]
    fn null_is_the_same_as_absent() {
        let body = br#"{"query":"{a}","operationName":null,"variables":null,"extensions":null}"#;
        let params = Params::from_json(body).expect("well-formed");
        assert_eq!(params.operation_name, None);
        assert_eq!(params.variables, None);
        assert_eq!(Params::from_json(b"{}").expect("empty").query, None);
    }

    #[test]
    fn wrong_types_name_the_parameter() {
        for (body, name) in [
            (r#"{"query":1}"#, "query"),
            (r#"{"query":{"a":1}}"#, "query"),
            (r#"{"query":"{a}","operationName":["Q"]}"#, "operationName"),
            (r#"{"query":"{a}","variables":"{}"}"#, "variables"),
            (r#"{"query":"{a}","extensions":7}"#, "extensions"),
        ] {
            match Params::from_json(body.as_bytes()) {
                Err(BadRequest::WrongType { name: got, .. }) => assert_eq!(got, name, "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_body_that_is_not_one_json_object_is_refused() {
        assert!(matches!(
            Params::from_json(b"NONSENSE"),
            Err(BadRequest::Json(_))
        ));
        assert!(matches!(
            Params::from_json(br#"{"query":"#),
            Err(BadRequest::Json(_))
        ));
        assert_eq!(
            Params::from_json(br#"[{"query":"{a}"}]"#),
            Err(BadRequest::NotAnObject)
        );
        assert_eq!(Params::from_json(b"\"{a}\""), Err(BadRequest::NotAnObject));
    }

    #[test]
    fn a_query_string_carries_json_encoded_variables() {
        let params = Params::from_query_string(
            "query=query(%24id%3A%20ID!)%7Buser(id%3A%24id)%7Bname%7D%7D&variables=%7B%22id%22%3A%22QVBJcy5ndXJ1%22%7D&operationName=",
        )
        .expect("well-formed");
        assert_eq!(
            params.query.as_deref(),
            Some("query($id: ID!){user(id:$id){name}}")
        );
        assert_eq!(
            params.variables,
            json!({ "id": "QVBJcy5ndXJ1" }).as_object().cloned()
        );
        assert_eq!(params.operation_name, None, "empty means none");
        assert_eq!(
            Params::from_query_string("query=%7Ba%7D&operationName=null")
                .expect("ok")
                .operation_name
                .as_deref(),
            Some("null"),
            "the string null names an operation"
        );
    }

    #[test]
    fn bad_query_strings_name_the_parameter() {
        assert!(matches!(
            Params::from_query_string("query={a}&variables={"),
            Err(BadRequest::ParameterJson {
                name: "variables",
                ..
            })
        ));
        assert!(matches!(
            Params::from_query_string("query={a}&extensions=[1]"),
            Err(BadRequest::WrongType {
                name: "extensions",
                ..
            })
        ));
        assert_eq!(
            Params::from_query_string("query={a}&query={b}"),
            Err(BadRequest::Repeated("query".into()))
        );
        assert!(Params::from_query_string("").expect("empty").is_empty());
    }

    #[test]
    fn only_utf8_json_bodies_are_read() {
        assert_eq!(ContentType::of(Some("application/json")), ContentType::Json);
        assert_eq!(
            ContentType::of(Some("Application/JSON; charset=UTF-8")),
            ContentType::Json
        );
        assert_eq!(ContentType::of(None), ContentType::Missing);
        for unsupported in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json; charset=utf-16",
            "application/graphql",
            "multipart/form-data; boundary=x",
        ] {
            assert_eq!(
                ContentType::of(Some(unsupported)),
                ContentType::Unsupported,
                "{unsupported}"
            );
        }
    }
}
