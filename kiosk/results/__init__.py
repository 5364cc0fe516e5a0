"""Reading answers: tallies, cross-tabs, exports, workbooks, charts."""
