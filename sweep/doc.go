// Package sweep runs a scenario over a grid of overrides and seeds and
// compares the variants: the Cartesian product of the varied keys' values,
// each variant with the same derived seeds, simulated in parallel (runs are
// independent; a run's outcome never depends on the worker count), written
// as results.csv (one row per run), sweep.json (what the sweep was) and
// report.html (each variant against the baseline v1 by paired differences
// over the shared seeds, in a table and in sentences; the cost-vs-quality
// Pareto front, where a difference within seed noise is a tie; per-variant
// means with 95% confidence intervals).
//
// Overrides edit the scenario's TOML, never the validated Config: the text
// is decoded into a generic map, the value set at its dotted path, the map
// re-encoded and parsed by scenarios.Parse, so an override is checked
// exactly as a file is. A sweep can be cut into shards (run index mod N)
// that run apart, on other machines, and Merge joins them into the bytes
// the unsharded sweep writes. A Journal keeps each finished run in the
// output folder as it finishes, so that an interrupted sweep resumes where it
// stopped and still writes those bytes.
package sweep
