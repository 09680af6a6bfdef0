//! The schema's description, in introspection as in the SDL.
//!
//! async-graphql answers `__schema { description }` with a fixed text that describes the
//! `__Schema` type, not this schema, and has no way to set one. Tools show the schema's
//! description at the root of their docs and print it in the SDL they rebuild, so the route
//! puts this schema's own description into the response, and `api schema` prints the same.

use std::collections::HashSet;

use async_graphql::{
    Name, Response, Value,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// What this schema is, for the docs pane of GraphiQL and the SDL.
pub const SCHEMA_DESCRIPTION: &str = "minsheng: a city's published list of key livelihood projects (重点民生项目清单), \
their deadlines and the departments that lead them, with progress and the reminders sent about them.";

/// Where a response holds the schema's description: the response key of each root `__schema`
/// field and, inside it, of each `description` field.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DescriptionKeys(Vec<(Name, Vec<Name>)>);

impl DescriptionKeys {
    /// The keys in `doc` (empty for every document that does not introspect the schema).
    pub fn of(doc: &ExecutableDocument) -> Self {
        let mut keys = Vec::new();
        for (_, op) in doc.operations.iter() {
            let mut roots = Vec::new();
            collect(
                doc,
                &op.node.selection_set.node,
                "__schema",
                &mut HashSet::new(),
                &mut roots,
            );
            for (schema_key, set) in roots {
                let mut descriptions = Vec::new();
                collect(
                    doc,
                    set,
                    "description",
                    &mut HashSet::new(),
                    &mut descriptions,
                );
                keys.push((
                    schema_key,
                    descriptions.into_iter().map(|(k, _)| k).collect(),
                ));
            }
        }
        Self(keys)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Replaces async-graphql's text with this schema's description.
    pub fn correct(&self, response: &mut Response) {
        let Value::Object(data) = &mut response.data else {
            return;
        };
        for (schema_key, description_keys) in &self.0 {
            if let Some(Value::Object(schema)) = data.get_mut(schema_key) {
                for key in description_keys {
                    if let Some(value) = schema.get_mut(key) {
                        *value = Value::String(SCHEMA_DESCRIPTION.to_owned());
                    }
                }
            }
        }
    }
}

/// The response key and selection set of every field named `name` in `set`, looking through
/// inline fragments and fragment spreads (each fragment once).
fn collect<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    name: &str,
    seen: &mut HashSet<&'a str>,
    found: &mut Vec<(Name, &'a SelectionSet)>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(f) if f.node.name.node == name => {
                found.push((
                    f.node.response_key().node.clone(),
                    &f.node.selection_set.node,
                ));
            }
            Selection::Field(_) => {}
            Selection::InlineFragment(f) => {
                collect(doc, &f.node.selection_set.node, name, seen, found);
            }
            Selection::FragmentSpread(spread) => {
                let fragment_name = spread.node.fragment_name.node.as_str();
                if seen.insert(fragment_name)
                    && let Some(fragment) = doc.fragments.get(fragment_name)
                {
                    collect(doc, &fragment.node.selection_set.node, name, seen, found);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn keys(query: &str) -> Vec<(String, Vec<String>)> {
        DescriptionKeys::of(&parse_query(query).expect("parses"))
            .0
            .into_iter()
            .map(|(k, inner)| {
                (
                    k.to_string(),
                    inner.into_iter().map(|n| n.to_string()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn the_description_is_found_under_aliases_and_fragments() {
        assert_eq!(
            keys("{ lists { id } }"),
            Vec::<(String, Vec<String>)>::new()
        );
        assert_eq!(
            keys("{ __schema { description types { description } } }"),
            [("__schema".to_owned(), vec!["description".to_owned()])]
        );
        assert_eq!(
            keys("{ s: __schema { d: description } }"),
            [("s".to_owned(), vec!["d".to_owned()])]
        );
        assert_eq!(
            keys(
                "query IntrospectionQuery { ...R } fragment R on Query { __schema { ...S } } fragment S on __Schema { description }"
            ),
            [("__schema".to_owned(), vec!["description".to_owned()])]
        );
    }

    #[test]
    fn only_the_schemas_description_is_replaced() {
        let doc =
            parse_query("{ __schema { description types { description } } }").expect("parses");
        let mut response = Response::new(
            Value::from_json(serde_json::json!({
                "__schema": { "description": "canned", "types": [{ "description": "a type" }] }
            }))
            .expect("value"),
        );
        DescriptionKeys::of(&doc).correct(&mut response);
        let data = response.data.into_json().expect("json");
        assert_eq!(data["__schema"]["description"], SCHEMA_DESCRIPTION);
        assert_eq!(data["__schema"]["types"][0]["description"], "a type");
    }
}
