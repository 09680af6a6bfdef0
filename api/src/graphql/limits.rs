//! Limits on the shape of a query document, checked once it is parsed and before the schema
//! validates it:
//!
//! - **Expanded fields.** Fragments that spread other fragments several times grow
//!   exponentially (a "fragment bomb": 30 levels of two spreads each is 2^30 fields), and
//!   validation walks that expansion before any complexity limit can refuse it.
//! - **Depth** of ordinary fields (`MINSHENG_GRAPHQL_DEPTH_LIMIT`). Introspection is left out of
//!   it: the standard introspection query every tool sends (graphql-js's
//!   `getIntrospectionQuery`) nests `ofType` seven levels, and refusing it leaves GraphiQL and
//!   code generators without a schema. `ofType` chains cost nothing: each level is one object.
//! - **Introspection lists**: what does fan out inside introspection is a list of types' lists
//!   (`fields { type { fields { type { fields … } } } }`), so, as graphql-js's
//!   `MaxIntrospectionDepthRule`, `fields`, `interfaces`, `possibleTypes` and `inputFields` may
//!   nest at most twice.
//!
//! One walk computes all three, memoising each fragment, so it takes time linear in the
//! document. (A schema extension could do this too, but any extension puts every field's
//! resolution through the extension chain: 15% of nested throughput.)

use std::collections::HashMap;

use async_graphql::{
    ErrorExtensionValues, Response, ServerError, Value,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::error::code;

/// The most fields a document may expand to. Far above any dashboard's query (a page of items
/// with their relations is a few dozen), far below what takes noticeable time to validate.
pub const MAX_EXPANDED_FIELDS: usize = 10_000;

/// How often introspection's list fields may nest (graphql-js refuses a third level).
pub const MAX_INTROSPECTION_LISTS: usize = 2;

/// The shape of a document, with its fragments inlined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Fields, counting a fragment once per spread.
    pub fields: usize,
    /// The deepest nesting of fields outside introspection (`__schema`, `__type`).
    pub depth: usize,
    /// The deepest nesting of `fields` / `interfaces` / `possibleTypes` / `inputFields` under an
    /// introspection root.
    pub introspection_lists: usize,
    /// Whether the document asks for `__schema` or `__type`.
    pub introspects: bool,
}

/// The limits a document must keep.
#[derive(Clone, Copy, Debug)]
pub struct DocumentLimits {
    pub depth: usize,
    /// `false`: `__schema` and `__type` are refused (`MINSHENG_GRAPHQL_INTROSPECTION`).
    pub introspection: bool,
}

impl DocumentLimits {
    /// Why `doc` is refused, or `None` when it keeps every limit.
    pub fn violation(&self, doc: &ExecutableDocument) -> Option<String> {
        let shape = shape(doc);
        if shape.introspects && !self.introspection {
            return Some("introspection (__schema, __type) is turned off on this server".into());
        }
        if shape.fields > MAX_EXPANDED_FIELDS {
            return Some(format!(
                "the query expands to more than {MAX_EXPANDED_FIELDS} fields once its fragments are inlined"
            ));
        }
        if shape.depth > self.depth {
            return Some(format!(
                "the query nests fields {} deep; at most {} are allowed",
                shape.depth, self.depth
            ));
        }
        if shape.introspection_lists > MAX_INTROSPECTION_LISTS {
            return Some(format!(
                "the introspection query nests fields, interfaces, possibleTypes or inputFields {} deep; at most {MAX_INTROSPECTION_LISTS} are allowed",
                shape.introspection_lists
            ));
        }
        None
    }
}

/// A response with one `VALIDATION` error and no data.
pub fn validation_error(message: &str) -> Response {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", Value::from(code::VALIDATION));
    error.extensions = Some(extensions);
    Response::from_errors(vec![error])
}

/// The shape of every operation of `doc` together (as the schema's own complexity count does).
pub fn shape(doc: &ExecutableDocument) -> Shape {
    let mut walk = Walk {
        doc,
        memo: HashMap::new(),
    };
    doc.operations
        .iter()
        .map(|(_, op)| walk.set(&op.node.selection_set.node))
        .fold(Shape::default(), Shape::beside)
}

/// The shape of a selection set, as a sum over its selections.
#[derive(Clone, Copy, Debug, Default)]
struct SetShape {
    shape: Shape,
    /// Introspection list nesting of this set, were it inside an introspection root.
    lists: usize,
}

impl Shape {
    /// Two selections side by side: fields add up, depths take the larger.
    fn beside(self, other: Self) -> Self {
        Self {
            fields: self.fields.saturating_add(other.fields),
            depth: self.depth.max(other.depth),
            introspection_lists: self.introspection_lists.max(other.introspection_lists),
            introspects: self.introspects || other.introspects,
        }
    }
}

impl SetShape {
    fn beside(self, other: Self) -> Self {
        Self {
            shape: self.shape.beside(other.shape),
            lists: self.lists.max(other.lists),
        }
    }
}

fn is_introspection_root(name: &str) -> bool {
    matches!(name, "__schema" | "__type")
}

fn is_introspection_list(name: &str) -> bool {
    matches!(
        name,
        "fields" | "interfaces" | "possibleTypes" | "inputFields"
    )
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    /// Each fragment's shape; `None` while it is being walked (a cycle counts as nothing here
    /// and is refused by validation).
    memo: HashMap<&'a str, Option<SetShape>>,
}

impl<'a> Walk<'a> {
    fn set(&mut self, set: &'a SelectionSet) -> Shape {
        self.selections(set).shape
    }

    fn selections(&mut self, set: &'a SelectionSet) -> SetShape {
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) => {
                    let name = f.node.name.node.as_str();
                    let child = self.selections(&f.node.selection_set.node);
                    let fields = child.shape.fields.saturating_add(1);
                    let lists = child.lists + usize::from(is_introspection_list(name));
                    if is_introspection_root(name) {
                        SetShape {
                            shape: Shape {
                                fields,
                                depth: 0,
                                introspection_lists: child.lists,
                                introspects: true,
                            },
                            lists,
                        }
                    } else {
                        SetShape {
                            shape: Shape {
                                fields,
                                depth: child.shape.depth + 1,
                                introspection_lists: child.shape.introspection_lists,
                                introspects: child.shape.introspects,
                            },
                            lists,
                        }
                    }
                }
                Selection::InlineFragment(f) => self.selections(&f.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str())
                }
            })
            .fold(SetShape::default(), SetShape::beside)
    }

    fn fragment(&mut self, name: &'a str) -> SetShape {
        if let Some(known) = self.memo.get(name) {
            return known.unwrap_or_default();
        }
        let Some(fragment) = self.doc.fragments.get(name) else {
            return SetShape::default();
        };
        self.memo.insert(name, None);
        let shape = self.selections(&fragment.node.selection_set.node);
        self.memo.insert(name, Some(shape));
        shape
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn of(query: &str) -> Shape {
        shape(&parse_query(query).expect("parses"))
    }

    #[test]
    fn fields_are_counted_with_fragments_inlined() {
        assert_eq!(of("{ a b { c } }").fields, 3);
        assert_eq!(of("{ a { ...F ...F } } fragment F on T { b c }").fields, 5);
        assert_eq!(of("{ a { ... on T { b } } }").fields, 2);
    }

    #[test]
    fn a_fragment_bomb_is_counted_at_once() {
        let mut bomb = String::from("{ a { ...F40 } }\nfragment F0 on T { b }\n");
        for i in 1..=40 {
            bomb.push_str(&format!(
                "fragment F{i} on T {{ ...F{} ...F{} }}\n",
                i - 1,
                i - 1
            ));
        }
        assert_eq!(of(&bomb).fields, 1 + (1 << 40));
        assert_eq!(of(&bomb).depth, 2);
    }

    #[test]
    fn a_fragment_cycle_terminates() {
        let cyclic = "{ a { ...A } } fragment A on T { x ...B } fragment B on T { y ...A }";
        assert!(of(cyclic).fields > 0);
    }

    #[test]
    fn depth_counts_fields_through_fragments_as_the_schema_does() {
        assert_eq!(of("{ a }").depth, 1);
        assert_eq!(of("{ a { b { c } } d }").depth, 3);
        assert_eq!(of("{ a { ...F } } fragment F on T { b { c } }").depth, 3);
        assert_eq!(of("{ a { ... on T { b { c { d } } } } }").depth, 4);
        assert_eq!(of("query A { a } query B { a { b } }").depth, 2);
    }

    #[test]
    fn introspection_is_left_out_of_depth_but_its_lists_are_bounded() {
        let standard = "{ __schema { types { ...T } } }
            fragment T on __Type { fields { type { ...R } } inputFields { type { ...R } } }
            fragment R on __Type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } }";
        let s = of(standard);
        assert_eq!(s.depth, 0);
        assert_eq!(s.introspection_lists, 1);
        assert_eq!(
            of("{ __typename lists { id } __type(name: \"X\") { name } }").depth,
            2
        );
        let fan_out =
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
        assert_eq!(of(fan_out).introspection_lists, 3);
        let through_fragment = "{ __type(name: \"X\") { ...F } } fragment F on __Type { interfaces { possibleTypes { name } } }";
        assert_eq!(of(through_fragment).introspection_lists, 2);
        // A field called `fields` outside introspection is an ordinary field.
        assert_eq!(
            of("{ fields { fields { fields { x } } } }").introspection_lists,
            0
        );
    }

    #[test]
    fn violations_name_the_limit() {
        let limits = DocumentLimits {
            depth: 3,
            introspection: true,
        };
        let check = |q: &str| limits.violation(&parse_query(q).expect("parses"));
        assert_eq!(check("{ a { b { c } } }"), None);
        assert!(check("{ a { b { c { d } } } }").is_some_and(|m| m.contains("4 deep")));
        let fan_out =
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
        assert!(check(fan_out).is_some_and(|m| m.contains("introspection")));
        let deep_of_type = "{ __type(name: \"X\") { ofType { ofType { ofType { ofType { ofType { name } } } } } } }";
        assert_eq!(check(deep_of_type), None);
        let off = DocumentLimits {
            depth: 3,
            introspection: false,
        };
        let refused = |q: &str| off.violation(&parse_query(q).expect("parses"));
        assert!(refused("{ __type(name: \"Item\") { name } }").is_some());
        assert!(
            refused("{ ...F } fragment F on Query { __schema { queryType { name } } }").is_some()
        );
        assert_eq!(refused("{ __typename lists { id } }"), None);
    }
}
