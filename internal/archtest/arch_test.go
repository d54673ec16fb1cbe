package archtest

import (
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/fleetsim/fleetsim"

// root returns the module's root directory.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	return dir
}

// packages returns the directories under top holding Go files, as slash
// paths relative to top, skipping hidden, testdata and out directories.
func packages(t *testing.T, top string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != top && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "out") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".go") {
			rel, err := filepath.Rel(top, filepath.Dir(p))
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if len(out) == 0 || out[len(out)-1] != rel {
				out = append(out, rel)
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// importGraph maps every package of the tree under top to the project
// packages it imports outside its tests, all as paths under the module.
func importGraph(t *testing.T, top string) map[string][]string {
	t.Helper()
	graph := map[string][]string{}
	for _, pkg := range packages(t, top) {
		bp, err := build.ImportDir(filepath.Join(top, pkg), 0)
		if _, ok := err.(*build.NoGoError); ok {
			continue
		}
		require.NoError(t, err, pkg)
		imports := []string{}
		for _, imp := range bp.Imports { // non-test imports only
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
				imports = append(imports, rel)
			}
		}
		graph[pkg] = imports
	}
	return graph
}

func TestTheTreeFollowsTheDesignArrows(t *testing.T) {
	graph := importGraph(t, root(t))
	require.Contains(t, graph, "sim/des", "the walk found the kernel")
	require.Contains(t, graph, "sim", "the walk found the wiring")

	for _, v := range check(graph) {
		assert.Fail(t, "architecture violation", v)
	}
}

// failing is one import graph the checker must reject, with the rule the
// single violation must name and the package it must blame.
type failing struct {
	name  string
	graph map[string][]string
	rule  string // a rule's or guard's name, or unknown
	blame string // the offending import, or package when it is unknown
}

// The rule names, as the rows below expect them in violations.
const (
	kernelRule       = "the kernel imports nothing of the project"
	schemaRule       = "the schema imports only the kernel"
	capacityRule     = "the capacity layer knows no orchestrator, no wiring and no front end"
	orchestratorRule = "an orchestrator never imports another orchestrator, the wiring or a front end"
	policyRule       = "a policy package imports no world, only the kernel"
	wiringRule       = "sim wires one run and imports nothing above it"
	reportRule       = "report reads results and knows no scenario, sweep or CLI"
	scenariosRule    = "scenarios build configs and know no report, sweep or CLI"
	sweepRule        = "sweep drives runs and never imports the CLI"
	testOnlyGuard    = "only tests and test helpers import internal/ and benchmarks/"
)

// forbidden holds, for every rule and guard, edges that break it.
var forbidden = []failing{
	{"the kernel imports no capacity", map[string][]string{"sim/des": {"sim/capacity"}}, kernelRule, "sim/capacity"},
	{"the kernel imports not even the schema", map[string][]string{"sim/des": {"sim/schema"}}, kernelRule, "sim/schema"},
	{"the schema imports not the wiring", map[string][]string{"sim/schema": {"sim"}}, schemaRule, "sim"},
	{"the schema imports no capacity", map[string][]string{"sim/schema": {"sim/capacity"}}, schemaRule, "sim/capacity"},
	{"capacity imports no ECS", map[string][]string{"sim/capacity": {"sim/ecs"}}, capacityRule, "sim/ecs"},
	{"capacity imports no EKS internals", map[string][]string{"sim/capacity": {"sim/eks/nodes"}}, capacityRule, "sim/eks/nodes"},
	{"capacity imports not the wiring", map[string][]string{"sim/capacity": {"sim"}}, capacityRule, "sim"},
	{"the moved catalog imports no orchestrator", map[string][]string{"sim/capacity/catalog": {"sim/eks"}}, capacityRule, "sim/eks"},
	{"capacity imports no report", map[string][]string{"sim/capacity": {"report"}}, capacityRule, "report"},
	{"capacity imports no policy", map[string][]string{"sim/capacity": {"placement"}}, capacityRule, "placement"},
	{"ECS imports no EKS", map[string][]string{"sim/ecs": {"sim/eks"}}, orchestratorRule, "sim/eks"},
	{"EKS imports no ECS", map[string][]string{"sim/eks": {"sim/ecs"}}, orchestratorRule, "sim/ecs"},
	{"an ECS subpackage imports no EKS subpackage", map[string][]string{"sim/ecs/deploy": {"sim/eks/pdb"}}, orchestratorRule, "sim/eks/pdb"},
	{"ECS imports not the wiring", map[string][]string{"sim/ecs": {"sim"}}, orchestratorRule, "sim"},
	{"EKS imports no scenarios", map[string][]string{"sim/eks": {"scenarios"}}, orchestratorRule, "scenarios"},
	{"placement imports not the wiring", map[string][]string{"placement": {"sim"}}, policyRule, "sim"},
	{"autoscale imports no capacity", map[string][]string{"autoscale": {"sim/capacity"}}, policyRule, "sim/capacity"},
	{"Karpenter decisions import no EKS", map[string][]string{"autoscale/karpenter": {"sim/eks"}}, policyRule, "sim/eks"},
	{"kube-scheduler plugins import no ECS", map[string][]string{"placement/kube": {"sim/ecs"}}, policyRule, "sim/ecs"},
	{"workload imports not the schema", map[string][]string{"workload": {"sim/schema"}}, policyRule, "sim/schema"},
	{"a policy imports no other policy", map[string][]string{"placement/kube": {"autoscale"}}, policyRule, "autoscale"},
	{"the wiring imports no report", map[string][]string{"sim": {"report"}}, wiringRule, "report"},
	{"the wiring imports no scenarios", map[string][]string{"sim": {"scenarios"}}, wiringRule, "scenarios"},
	{"the wiring imports no orchestrator internals", map[string][]string{"sim": {"sim/ecs/deploy"}}, wiringRule, "sim/ecs/deploy"},
	{"report imports no scenarios", map[string][]string{"report": {"scenarios"}}, reportRule, "scenarios"},
	{"report imports no sweep", map[string][]string{"report": {"sweep"}}, reportRule, "sweep"},
	{"report imports no CLI", map[string][]string{"report": {"cmd/fleetsim"}}, reportRule, "cmd/fleetsim"},
	{"scenarios import no report", map[string][]string{"scenarios": {"report"}}, scenariosRule, "report"},
	{"scenarios import no sweep", map[string][]string{"scenarios": {"sweep"}}, scenariosRule, "sweep"},
	{"sweep imports no CLI", map[string][]string{"sweep": {"cmd/fleetsim"}}, sweepRule, "cmd/fleetsim"},
	{"report imports no golden-file helper", map[string][]string{"report": {"internal/golden"}}, testOnlyGuard, "internal/golden"},
	{"the CLI imports no benchmarks", map[string][]string{"cmd/fleetsim": {"benchmarks"}}, testOnlyGuard, "benchmarks"},
	{"an orchestrator imports no test helper", map[string][]string{"sim/ecs": {"internal/golden"}}, testOnlyGuard, "internal/golden"},
	{"a package no rule places is a violation", map[string][]string{"newpkg": {}}, unknown, "newpkg"},
	{"a new subpackage of the wiring must be placed", map[string][]string{"sim/extra": {"sim/des"}}, unknown, "sim/extra"},
	{"importing a package no rule places is a violation", map[string][]string{"sim": {"sim/extra"}}, unknown, "sim/extra"},
}

func TestTheCheckerRejectsEachForbiddenEdge(t *testing.T) {
	for _, tc := range forbidden {
		t.Run(tc.name, func(t *testing.T) {
			got := check(tc.graph)

			require.Len(t, got, 1, "one violation per bad edge: %q", got)
			assert.Contains(t, got[0], tc.rule)
			assert.Contains(t, got[0], tc.blame)
		})
	}
}

func TestAViolationSaysWhatKindOfPackageWasImported(t *testing.T) {
	assert.Equal(t, []string{
		`sim/capacity may not import an orchestrator (sim/ecs): rule "` + capacityRule + `": ` +
			"EC2 serves ECS and EKS alike: it calls up to an orchestrator through a small interface, never into its state, and never into the wiring or the tools above",
	}, check(map[string][]string{"sim/capacity": {"sim/ecs"}}))
	assert.Contains(t, check(map[string][]string{"sim/eks": {"sim/ecs"}})[0], "sim/eks may not import another orchestrator (sim/ecs)")
	assert.Contains(t, check(map[string][]string{"newpkg": {}})[0], "add it to the rules")
}

func TestTheCheckerReportsEveryBadEdgeInOrder(t *testing.T) {
	got := check(map[string][]string{
		"sim/ecs":      {"sim/eks", "sim", "sim/eks", "sim/des"},
		"sim/capacity": {"sim/ecs"},
		"newpkg":       {"sim"},
	})

	require.Len(t, got, 4, "%q", got)
	assert.True(t, strings.HasPrefix(got[0], "newpkg is "+unknown), got[0])
	assert.True(t, strings.HasPrefix(got[1], "sim/capacity may not import an orchestrator (sim/ecs)"), got[1])
	assert.True(t, strings.HasPrefix(got[2], "sim/ecs may not import the wiring (sim)"), got[2])
	assert.True(t, strings.HasPrefix(got[3], "sim/ecs may not import another orchestrator (sim/eks)"), got[3])
}

func TestTheCheckerAcceptsTheDesignedEdges(t *testing.T) {
	for _, tc := range []struct {
		name  string
		graph map[string][]string
	}{
		{"ECS uses capacity, the kernel, the schema and the policies", map[string][]string{
			"sim/ecs": {"sim/capacity", "sim/des", "placement", "autoscale", "workload", "sim/schema"},
		}},
		{"EKS uses capacity and the Kubernetes policies", map[string][]string{
			"sim/eks": {"sim/capacity", "placement/kube", "autoscale/hpa"},
		}},
		{"the wiring uses both orchestrators and capacity", map[string][]string{
			"sim": {"sim/ecs", "sim/eks", "sim/capacity"},
		}},
		{"an orchestrator uses its own subpackages and capacity's", map[string][]string{
			"sim/ecs":        {"sim/ecs/deploy", "sim/capacity/catalog"},
			"sim/ecs/deploy": {"sim/ecs/service", "placement"},
		}},
		{"policy subpackages use their parent and the kernel", map[string][]string{
			"placement/kube":                 {"placement", "sim/des"},
			"autoscale/karpenter":            {"autoscale", "sim/des"},
			"autoscale/clusterautoscaler":    {"autoscale", "autoscale/hpa"},
			"autoscale/hpa":                  {"sim/des"},
			"placement":                      {"sim/des"},
			"autoscale":                      {"sim/des"},
			"workload":                       {"sim/des"},
			"sim/des":                        {},
			"sim/schema":                     {},
			"sim/capacity":                   {"sim/des", "sim/schema", "sim/capacity/catalog"},
			"sim/capacity/catalog":           {},
			"sim/capacity/internal/imagehub": {"sim/des"},
		}},
		{"the tree after the split, the catalog under capacity", map[string][]string{
			"autoscale":            {"sim/des"},
			"benchmarks":           {"internal/golden", "sweep"},
			"cmd/fleetsim":         {"report", "scenarios", "sim", "sim/des", "sim/capacity/catalog", "sweep"},
			"internal/archtest":    {},
			"internal/golden":      {"sim", "scenarios", "report"},
			"placement":            {},
			"report":               {"sim", "sim/capacity", "sim/capacity/catalog", "sim/des", "sim/ecs", "sim/schema"},
			"scenarios":            {"autoscale", "placement", "sim", "sim/capacity/catalog", "sim/ecs", "workload"},
			"sim":                  {"autoscale", "placement", "sim/capacity", "sim/capacity/catalog", "sim/des", "sim/ecs", "sim/schema", "workload"},
			"sim/capacity":         {"sim/capacity/catalog", "sim/des", "sim/schema"},
			"sim/capacity/catalog": {},
			"sim/des":              {},
			"sim/ecs":              {"autoscale", "placement", "sim/capacity", "sim/capacity/catalog", "sim/des", "sim/schema", "workload"},
			"sim/schema":           {},
			"sweep":                {"report", "scenarios", "sim", "sim/capacity/catalog", "sim/des", "sim/schema"},
			"workload":             {"sim/des"},
		}},
		{"the CLI uses any layer", map[string][]string{
			"cmd/fleetsim": {"sim/ecs", "sim/eks", "sim/capacity/catalog", "placement/kube", "autoscale/karpenter", "workload", "sweep", "report", "scenarios"},
		}},
		{"test helpers and benchmarks use anything, each other included", map[string][]string{
			"internal/golden": {"sim", "sim/ecs", "scenarios", "report", "cmd/fleetsim"},
			"internal/build":  {"internal/golden", "benchmarks"},
			"benchmarks":      {"internal/golden", "sweep"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Empty(t, check(tc.graph))
		})
	}
}

func TestEveryRuleHasARowThatBreaksIt(t *testing.T) {
	broken := map[string]bool{}
	for _, tc := range forbidden {
		broken[tc.rule] = true
	}
	for _, r := range rules {
		if slices.Contains(r.may, "...") {
			continue // nothing to break but the guards, checked below
		}
		assert.True(t, broken[r.name], "no row of forbidden breaks rule %q", r.name)
	}
	for _, g := range guards {
		assert.True(t, broken[g.name], "no row of forbidden breaks guard %q", g.name)
	}
	assert.True(t, broken[unknown], "no row of forbidden has a package the rules do not know")
}

func TestNoPackageIsPlacedByTwoRules(t *testing.T) {
	var patterns []string
	owner := map[string]string{}
	for _, r := range rules {
		for _, p := range r.pkgs {
			patterns = append(patterns, p)
			owner[p] = r.name
		}
	}
	for i, p := range patterns {
		for _, q := range patterns[i+1:] {
			assert.False(t, overlap(p, q), "%s (rule %q) and %s (rule %q) overlap", p, owner[p], q, owner[q])
		}
	}
}

func TestEveryRuleAndGuardSaysWhy(t *testing.T) {
	for _, r := range rules {
		assert.NotEmpty(t, r.name)
		assert.NotEmpty(t, r.kind, r.name)
		assert.NotEmpty(t, r.pkgs, r.name)
		assert.NotEmpty(t, r.why, r.name)
	}
	for _, g := range guards {
		assert.NotEmpty(t, g.kind, g.name)
		assert.NotEmpty(t, g.pkgs, g.name)
		assert.NotEmpty(t, g.why, g.name)
	}
}

func TestSimulationCodeHasNoWallClockOrGlobalRandom(t *testing.T) {
	top := root(t)
	checked := 0
	for _, pkg := range packages(t, top) {
		if !isSimulation(pkg) {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(top, pkg))
		require.NoError(t, err)
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, filepath.Join(top, pkg, e.Name()), nil, 0)
			require.NoError(t, err)
			checked++
			for _, finding := range nondeterminism(fset, f) {
				assert.Fail(t, "nondeterministic simulation code", finding)
			}
		}
	}
	require.NotZero(t, checked, "the walk found simulation code")
}

func TestSimulationCoversPackagesNotWrittenYet(t *testing.T) {
	for _, pkg := range []string{
		"sim", "sim/des", "sim/schema", "sim/catalog", "sim/capacity", "sim/capacity/catalog",
		"sim/ecs", "sim/eks", "sim/eks/pdb", "placement", "placement/kube",
		"autoscale", "autoscale/hpa", "autoscale/clusterautoscaler", "autoscale/karpenter", "workload",
	} {
		assert.True(t, isSimulation(pkg), pkg)
	}
	for _, pkg := range []string{"report", "scenarios", "sweep", "cmd/fleetsim", "internal/golden", "benchmarks", "simulator", "placements"} {
		assert.False(t, isSimulation(pkg), pkg)
	}
}

// findings parses src as sim/fixture.go and returns what nondeterminism
// finds in it.
func findings(t *testing.T, src string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "sim/fixture.go", src, 0)
	require.NoError(t, err)
	return nondeterminism(fset, f)
}

func TestTheDeterminismCheckFlagsWallClockAndGlobalRandom(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want string
	}{
		{"reading the wall clock", `package sim
import "time"
func now() time.Time { return time.Now() }
`, "sim/fixture.go:3:31: time.Now"},
		{"the global source of math/rand/v2", `package sim
import "math/rand/v2"
func roll() int { return rand.IntN(6) }
`, "sim/fixture.go:3:26: math/rand/v2.IntN"},
		{"the global source of math/rand", `package sim
import "math/rand"
func roll() int { return rand.Intn(6) }
`, "math/rand.Intn"},
		{"sleeping through a renamed import", `package sim
import clock "time"
func wait() { clock.Sleep(clock.Second) }
`, "time.Sleep"},
		{"the wall clock as a function value", `package sim
import "time"
var now = time.Now
`, "time.Now"},
		{"crypto/rand at all", `package sim
import "crypto/rand"
func key(b []byte) { rand.Read(b) }
`, "crypto/rand.Read"},
		{"a dot import hiding the clock", `package sim
import . "time"
func since(t Time) Duration { return Since(t) }
`, "dot import of time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := findings(t, tc.src)

			require.Len(t, got, 1, "%q", got)
			assert.Contains(t, got[0], tc.want)
		})
	}
}

func TestTheDeterminismCheckAcceptsSeededStreamsAndDurations(t *testing.T) {
	assert.Empty(t, findings(t, `package sim
import (
	"math/rand/v2"
	"time"
)
func roll(seed uint64, d time.Duration) (int, time.Duration) {
	r := rand.New(rand.NewPCG(seed, 1))
	return r.IntN(6), d + time.Second
}
func shadow(rand *rand.Rand) int { return rand.IntN(6) }
`))
}
