//! Root queries, one file per area, merged into one `Query` type (as `Mutation` is).

mod calendar;
mod directory;
mod items;
mod lists;
mod nodes;
mod records;
mod reports;
mod viewer;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    lists::ListQuery,
    items::ItemQuery,
    directory::DirectoryQuery,
    records::RecordQuery,
    reports::ReportQuery,
    nodes::NodeQuery,
    calendar::CalendarQuery,
    viewer::ViewerQuery,
);
