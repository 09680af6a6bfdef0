//! A bound on how many fields a query document expands to once its fragments are inlined.
//!
//! Fragments that spread other fragments several times grow exponentially (a "fragment bomb":
//! 30 levels of two spreads each is 2^30 fields), and validation walks that expansion before any
//! complexity limit can refuse it. Counting here memoises each fragment, so it takes time
//! linear in the document.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    Data, ErrorExtensionValues, Executor, Request, Response, ServerError, Value,
    parser::{
        parse_query,
        types::{ExecutableDocument, Selection, SelectionSet},
    },
};
use futures_util::stream::{self, BoxStream, StreamExt};

use super::{
    AppSchema,
    error::{code, ensure_codes},
};

/// The most fields a document may expand to. Far above any dashboard's query (a page of items
/// with their relations is a few dozen), far below what takes noticeable time to validate.
pub const MAX_EXPANDED_FIELDS: usize = 10_000;

/// How many fields `query` expands to, or `None` when it does not parse (async-graphql then
/// reports the syntax error itself).
pub fn expanded_fields(query: &str) -> Option<usize> {
    parse_query(query).ok().map(|doc| expanded_fields_of(&doc))
}

/// How many fields a parsed document expands to. The route counts the document the schema will
/// execute (`Request::parsed_query`), so a query is parsed once.
pub fn expanded_fields_of(doc: &ExecutableDocument) -> usize {
    let mut counter = Counter {
        doc,
        memo: HashMap::new(),
    };
    doc.operations
        .iter()
        .map(|(_, op)| counter.set(&op.node.selection_set.node))
        .fold(0, usize::saturating_add)
}

/// The response refusing `request` when its document expands past [`MAX_EXPANDED_FIELDS`]. The
/// document is parsed here once and the schema executes that parse; a syntax error is left to
/// the schema, which reports it. (A schema extension could do this too, but any extension puts
/// every field's resolution through the extension chain: 15% of nested throughput.)
pub fn refusal(request: &mut Request) -> Option<Response> {
    let doc = request.parsed_query().ok()?;
    if expanded_fields_of(doc) <= MAX_EXPANDED_FIELDS {
        return None;
    }
    let mut error = ServerError::new(
        format!(
            "the query expands to more than {MAX_EXPANDED_FIELDS} fields once its fragments are inlined"
        ),
        None,
    );
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", Value::from(code::VALIDATION));
    error.extensions = Some(extensions);
    Some(Response::from_errors(vec![error]))
}

/// The schema behind the expansion guard, for transports that call the schema themselves (the
/// WebSocket): subscriptions are refused like queries, and their errors carry codes like
/// theirs.
#[derive(Clone)]
pub struct Guarded(pub AppSchema);

impl Executor for Guarded {
    fn execute(&self, mut request: Request) -> impl Future<Output = Response> + Send {
        let schema = self.0.clone();
        async move {
            match refusal(&mut request) {
                Some(refused) => refused,
                None => ensure_codes(schema.execute(request).await),
            }
        }
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match refusal(&mut request) {
            Some(refused) => stream::once(async move { refused }).boxed(),
            None => Executor::execute_stream(&self.0, request, session_data)
                .map(ensure_codes)
                .boxed(),
        }
    }
}

struct Counter<'a> {
    doc: &'a ExecutableDocument,
    /// Fields per fragment; `None` while a fragment is being counted (a cycle counts 0 here and
    /// is refused by validation).
    memo: HashMap<&'a str, Option<usize>>,
}

impl<'a> Counter<'a> {
    fn set(&mut self, set: &'a SelectionSet) -> usize {
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) => 1usize.saturating_add(self.set(&f.node.selection_set.node)),
                Selection::InlineFragment(f) => self.set(&f.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str())
                }
            })
            .fold(0, usize::saturating_add)
    }

    fn fragment(&mut self, name: &'a str) -> usize {
        if let Some(known) = self.memo.get(name) {
            return known.unwrap_or(0);
        }
        let Some(fragment) = self.doc.fragments.get(name) else {
            return 0;
        };
        self.memo.insert(name, None);
        let count = self.set(&fragment.node.selection_set.node);
        self.memo.insert(name, Some(count));
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_counted_with_fragments_inlined() {
        assert_eq!(expanded_fields("{ a b { c } }"), Some(3));
        assert_eq!(
            expanded_fields("{ a { ...F ...F } } fragment F on T { b c }"),
            Some(5)
        );
        assert_eq!(expanded_fields("{ a { ... on T { b } } }"), Some(2));
        assert_eq!(expanded_fields("{ a "), None);
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
        assert_eq!(expanded_fields(&bomb), Some(1 + (1 << 40)));
    }

    #[test]
    fn a_fragment_cycle_terminates() {
        let cyclic = "{ a { ...A } } fragment A on T { x ...B } fragment B on T { y ...A }";
        assert!(expanded_fields(cyclic).is_some());
    }
}
