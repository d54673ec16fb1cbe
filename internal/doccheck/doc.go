// Package doccheck holds the documentation test: every test that
// docs/semantics.md and docs/semantics/*.md name as pinning a rule exists,
// and the rule rows that name no test can only become fewer. It has no code
// outside its tests.
package doccheck
