//! Relay connections: page arguments, their limits and cost, and the page info of a result.

use async_graphql::{
    ObjectType,
    connection::{Connection, Edge},
    parser::types::{Field, Selection},
};
use domain::{
    DomainError,
    model::Page,
    store::page::{Direction, PageRequest, Position},
};

use super::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// Whether the selection below the current connection field asks for any of `fields` on its
/// nodes (through `edges { node }` or `nodes`, fragments included).
pub fn nodes_ask_for(ctx: &async_graphql::Context<'_>, fields: &[&str]) -> bool {
    node_fields(ctx).iter().any(|name| fields.contains(name))
}

/// The names of the fields the selection below the current connection field asks for on its
/// nodes (through `edges { node }` or `nodes`, fragments included), each once.
pub fn node_fields<'a>(ctx: &'a async_graphql::Context<'_>) -> Vec<&'a str> {
    let look = ctx.look_ahead();
    let mut names: Vec<&str> = Vec::new();
    for node in [look.field("edges").field("node"), look.field("nodes")] {
        for field in node.selection_fields() {
            for child in field.selection_set() {
                if !names.contains(&child.name()) {
                    names.push(child.name());
                }
            }
        }
    }
    names
}

/// `first`/`after`/`last`/`before`, as a client sent them.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// What `totalCount` costs: a count over every matching row, not one page of them.
pub const TOTAL_COUNT_COST: usize = 50;

/// What an item `search` adds: a substring scan of every title and content.
pub const SEARCH_COST: usize = 100;

/// What `stats` costs: several aggregates over the whole list.
pub const STATS_COST: usize = 200;

/// The complexity of an item connection: as [`cost`], plus [`SEARCH_COST`] when its filter
/// searches.
pub fn item_cost(
    field: &Field,
    first: Option<i32>,
    last: Option<i32>,
    filter: Option<&crate::graphql::types::ItemFilter>,
    child_complexity: usize,
) -> usize {
    let search = filter.is_some_and(|f| f.search.is_some());
    cost(field, first, last, child_complexity).saturating_add(if search { SEARCH_COST } else { 0 })
}

/// The complexity of a connection field: its page size times the cost of one edge, plus
/// `pageInfo` and `totalCount` once (they do not grow with the page). A size past the maximum
/// counts as the maximum: the resolver refuses it, naming the argument, before any statement
/// runs. `field` is the connection field as the query spells it.
pub fn cost(
    field: &Field,
    first: Option<i32>,
    last: Option<i32>,
    child_complexity: usize,
) -> usize {
    let size = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE) as usize;
    let once = page_level_cost(field).min(child_complexity);
    size.saturating_mul(child_complexity - once)
        .saturating_add(once)
        .saturating_add(1)
}

/// What `pageInfo { … }` and `totalCount` contribute to the child complexity, counted as the
/// complexity visitor counts them (one per field). Anything not recognised here (fragments at
/// the connection level) stays in the multiplied part, so the estimate errs on the high side.
fn page_level_cost(field: &Field) -> usize {
    field
        .selection_set
        .node
        .items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(f) if f.node.name.node == "pageInfo" => {
                let subfields = f.node.selection_set.node.items.iter();
                1 + subfields
                    .filter(|s| matches!(&s.node, Selection::Field(inner) if inner.node.selection_set.node.items.is_empty()))
                    .count()
            }
            Selection::Field(f) if f.node.name.node == "totalCount" => TOTAL_COUNT_COST,
            _ => 0,
        })
        .sum()
}

impl PageArgs {
    /// The page to fetch; `decode` turns a cursor into a position (naming the argument).
    pub fn request<K>(
        &self,
        decode: impl Fn(&str, &str) -> Result<Position<K>, DomainError>,
    ) -> Result<PageRequest<K>, DomainError> {
        let (limit, direction) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(DomainError::validation(
                    "last",
                    "pass first (with after) or last (with before), not both",
                ));
            }
            (first, None) => (size(first, "first")?, Direction::Forward),
            (None, last) => (size(last, "last")?, Direction::Backward),
        };
        Ok(PageRequest {
            after: self
                .after
                .as_deref()
                .map(|c| decode(c, "after"))
                .transpose()?,
            before: self
                .before
                .as_deref()
                .map(|c| decode(c, "before"))
                .transpose()?,
            limit,
            direction,
        })
    }
}

/// A page size within 1..=100, defaulting to 20; more than 100 is an error, as on GitHub.
fn size(requested: Option<i32>, field: &str) -> Result<u64, DomainError> {
    let size = requested.unwrap_or(DEFAULT_PAGE_SIZE);
    if (1..=MAX_PAGE_SIZE).contains(&size) {
        Ok(size as u64)
    } else {
        Err(DomainError::validation(
            field,
            format!("must be between 1 and {MAX_PAGE_SIZE}, got {size}"),
        ))
    }
}

/// The connection for `page`, fetched as `request` asked, with `extra` fields (`totalCount`).
pub fn build<T, K, N, E>(
    request: &PageRequest<K>,
    page: Page<T>,
    cursor: impl Fn(&T) -> String,
    node: impl Fn(T) -> N,
    extra: E,
) -> Connection<String, N, E>
where
    N: async_graphql::OutputType,
    E: ObjectType,
{
    let (has_previous, has_next) = match request.direction {
        Direction::Forward => (request.after.is_some(), page.has_more),
        Direction::Backward => (page.has_more, request.before.is_some()),
    };
    let mut connection = Connection::with_additional_fields(has_previous, has_next, extra);
    connection.edges.extend(page.rows.into_iter().map(|row| {
        let c = cursor(&row);
        Edge::new(c, node(row))
    }));
    connection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_default_to_20_and_stop_at_100() {
        assert_eq!(size(None, "first").ok(), Some(20));
        assert_eq!(size(Some(100), "first").ok(), Some(100));
        assert!(size(Some(101), "first").is_err());
        assert!(size(Some(0), "first").is_err());
        assert!(size(Some(-5), "last").is_err());
    }

    fn connection_field(query: &str) -> Field {
        let doc = async_graphql::parser::parse_query(query).expect("query parses");
        let (_, op) = doc.operations.iter().next().expect("one operation");
        match &op.node.selection_set.node.items[0].node {
            Selection::Field(f) => f.node.clone(),
            _ => panic!("expected a field"),
        }
    }

    #[test]
    fn cost_multiplies_the_edges_by_the_page_size_and_page_info_once() {
        let f = connection_field(
            "{ items { edges { node { id title } } pageInfo { hasNextPage endCursor } totalCount } }",
        );
        // edges 1 + node 1 + 2 fields = 4 per edge; pageInfo 3 and totalCount (a count over every
        // match) once; +1 itself.
        let once = 3 + TOTAL_COUNT_COST;
        let child = 4 + once;
        assert_eq!(cost(&f, None, None, child), 20 * 4 + once + 1);
        assert_eq!(cost(&f, Some(100), None, child), 100 * 4 + once + 1);
        // Past the maximum counts as the maximum (the resolver refuses it with a field error).
        assert_eq!(cost(&f, None, Some(1_000), child), 100 * 4 + once + 1);
        assert_eq!(cost(&f, Some(-1), None, child), 4 + once + 1);
        assert_eq!(cost(&f, Some(100), None, usize::MAX), usize::MAX);
    }
}
