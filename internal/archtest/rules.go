// Package archtest holds the architecture test: imports follow the design's
// arrows (cmd -> scenarios, report, sweep -> sim -> sim/ecs, sim/eks ->
// sim/capacity -> sim/des; the orchestrators call the pure policy packages,
// which import nothing of the project but the kernel) and simulation code
// reads neither the wall clock nor a global random source.
//
// The rules and the checks are plain functions over plain values (check over
// an import graph, nondeterminism over a parsed file) so that the tests can
// prove each rule rejects the edge it forbids; the tests walk the tree.
package archtest

import (
	"fmt"
	"slices"
	"strings"
)

// rule governs the packages matching pkgs: they may import, of the project,
// their own tree (the pattern they matched) and what may matches. A pattern
// is a path under the module ("sim/des", exactly that package), a tree
// ("sim/ecs/...", sim/ecs and everything under it) or "..." (anything).
type rule struct {
	name string   // a sentence naming the rule; violations quote it
	kind string   // what its packages are, as a violation calls them: "an orchestrator"
	pkgs []string // the packages it governs
	may  []string // what they may import besides their own tree
	why  string
}

// guard protects the packages matching pkgs: only packages matching except
// may import them, whatever their own rule allows.
type guard struct {
	name   string
	kind   string
	pkgs   []string
	except []string
	why    string
}

// capacityLayer is what "the capacity layer" means in the may lists below.
var capacityLayer = []string{"sim/capacity/..."}

// policies are the pure policy packages: placement (with placement/kube),
// autoscale (with autoscale/hpa, autoscale/clusterautoscaler,
// autoscale/karpenter) and workload.
var policies = []string{"placement/...", "autoscale/...", "workload/..."}

// rules places every package of the module. Their pkgs patterns never
// overlap, so each package has exactly one rule, or none: a package no rule
// places is a violation until someone places it deliberately.
var rules = []rule{
	{
		name: "the kernel imports nothing of the project",
		kind: "the kernel",
		pkgs: []string{"sim/des"},
		why:  "sim/des sits under every other package; one project import would make a cycle or drag a world into every policy test",
	},
	{
		name: "the schema imports only the kernel",
		kind: "the schema",
		pkgs: []string{"sim/schema"},
		may:  []string{"sim/des"},
		why:  "every layer records through the declared column and event names, so they must sit just above the kernel (events carry its Time) where all can import them",
	},
	{
		name: "the capacity layer knows no orchestrator, no wiring and no front end",
		kind: "the capacity layer",
		pkgs: []string{"sim/capacity/..."},
		may:  join([]string{"sim/des", "sim/schema"}, capacityLayer),
		why:  "EC2 serves ECS and EKS alike: it calls up to an orchestrator through a small interface, never into its state, and never into the wiring or the tools above",
	},
	{
		name: "an orchestrator never imports another orchestrator, the wiring or a front end",
		kind: "an orchestrator",
		pkgs: []string{"sim/ecs/...", "sim/eks/..."},
		may:  join([]string{"sim/des", "sim/schema"}, capacityLayer, policies),
		why:  "ECS and EKS share only the kernel, the schema and the capacity layer; each adapts its own state to the views the policies declare",
	},
	{
		name: "a policy package imports no world, only the kernel",
		kind: "a policy package",
		pkgs: policies,
		may:  []string{"sim/des"},
		why:  "each policy declares the small view of the world it needs, so it is tested with a table of plain values and no simulation around it",
	},
	{
		name: "sim wires one run and imports nothing above it",
		kind: "the wiring",
		pkgs: []string{"sim"},
		may:  join([]string{"sim/des", "sim/schema", "sim/ecs", "sim/eks"}, capacityLayer, policies),
		why:  "a run is kernel + capacity + orchestrators + policies; reports, scenarios, sweeps and the CLI drive runs, never the other way",
	},
	{
		name: "report reads results and knows no scenario, sweep or CLI",
		kind: "the report",
		pkgs: []string{"report/..."},
		may:  join([]string{"sim", "sim/des", "sim/schema", "sim/ecs", "sim/eks", "placement", "placement/kube"}, capacityLayer),
		why:  "a report is computed from what a run recorded (usage, series, results types and event names of either orchestrator) and the configuration it ran, whose placement rules are placement's typed values, so it can read any run folder whatever produced it",
	},
	{
		name: "scenarios build configs and know no report, sweep or CLI",
		kind: "the scenario loader",
		pkgs: []string{"scenarios/..."},
		may:  join([]string{"sim/..."}, policies),
		why:  "scenarios turn user text into typed configs for the simulator; what is done with a run is not theirs to know",
	},
	{
		name: "sweep drives runs and never imports the CLI",
		kind: "the sweep",
		pkgs: []string{"sweep/..."},
		may:  []string{"scenarios/...", "report/...", "sim/..."},
		why:  "the CLI is a thin shell over sweep; a sweep must run the same from a test or another tool",
	},
	{
		name: "a command may import anything but test-only code",
		kind: "a command",
		pkgs: []string{"cmd/..."},
		may:  []string{"..."},
		why:  "commands are the top of the arrows; the test-only guard keeps internal/ and benchmarks/ out of them",
	},
	{
		name: "test-only code is unrestricted",
		kind: "test-only code",
		pkgs: []string{"internal/...", "benchmarks/..."},
		may:  []string{"..."},
		why:  "test helpers and benchmarks build worlds from any layer; nothing ships them",
	},
}

// guards protect packages from importers their own rules would admit.
var guards = []guard{
	{
		name:   "only tests and test helpers import internal/ and benchmarks/",
		kind:   "test-only code",
		pkgs:   []string{"internal/...", "benchmarks/..."},
		except: []string{"internal/...", "benchmarks/..."},
		why:    "test helpers are not part of the simulator; shipping code that imports them would ship them too",
	},
}

// unknown is how a violation names a package no rule places.
const unknown = "a package the rules do not know"

// check returns one violation per bad edge of graph, which maps each package
// (by path under the module) to the project packages it imports (non-test
// imports, as go/build.ImportDir gives them, also under the module), and one
// per package no rule places. Violations come sorted by package, then import.
func check(graph map[string][]string) []string {
	var out []string
	for _, pkg := range sortedKeys(graph) {
		r, self, ok := ruleFor(pkg)
		if !ok {
			out = append(out, fmt.Sprintf("%s is %s: add it to the rules in internal/archtest/rules.go", pkg, unknown))
			continue
		}
		imports := slices.Clone(graph[pkg])
		slices.Sort(imports)
		for _, imp := range slices.Compact(imports) {
			if v := checkEdge(pkg, r, self, imp); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// checkEdge returns the violation of pkg (governed by r, in the tree self)
// importing imp, or "" if the edge is allowed.
func checkEdge(pkg string, r rule, self, imp string) string {
	to, toSelf, ok := ruleFor(imp)
	if !ok {
		return fmt.Sprintf("%s may not import %s (%s): add it to the rules in internal/archtest/rules.go", pkg, unknown, imp)
	}
	for _, g := range guards {
		if matchesAny(g.pkgs, imp) && !matchesAny(g.except, pkg) {
			return fmt.Sprintf("%s may not import %s (%s): rule %q: %s", pkg, g.kind, imp, g.name, g.why)
		}
	}
	if matches(self, imp) || matchesAny(r.may, imp) {
		return ""
	}
	kind := to.kind
	if to.name == r.name && toSelf != self {
		kind = "another " + strings.TrimPrefix(strings.TrimPrefix(kind, "an "), "a ")
	}
	return fmt.Sprintf("%s may not import %s (%s): rule %q: %s", pkg, kind, imp, r.name, r.why)
}

// ruleFor returns the rule placing pkg and the pattern of it pkg matched.
func ruleFor(pkg string) (rule, string, bool) {
	for _, r := range rules {
		for _, p := range r.pkgs {
			if matches(p, pkg) {
				return r, p, true
			}
		}
	}
	return rule{}, "", false
}

// matches reports whether pattern ("sim/des", "sim/ecs/..." or "...")
// matches pkg.
func matches(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if root, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == root || strings.HasPrefix(pkg, root+"/")
	}
	return pkg == pattern
}

// matchesAny reports whether any of patterns matches pkg.
func matchesAny(patterns []string, pkg string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return matches(p, pkg) })
}

// overlap reports whether some package could match both patterns.
func overlap(p, q string) bool {
	root := func(s string) string { r, _ := strings.CutSuffix(s, "/..."); return r }
	return matches(p, root(q)) || matches(q, root(p))
}

// join concatenates pattern lists into a new slice.
func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
