// Package archtest holds the architecture test: imports follow the design's
// arrows (cmd -> scenarios, report -> sim -> placement, autoscale, workload ->
// sim/des) and simulation code reads neither the wall clock nor the global
// random source.
package archtest

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/fleetsim/fleetsim"

// allowed lists, for each package (by path under the module), the project
// packages it may import. A package not listed may import nothing of the
// project; internal/ and benchmarks/ are test-only and unrestricted.
var allowed = map[string][]string{
	"cmd/fleetsim": {"scenarios", "report", "sim", "sim/des", "sim/catalog", "sweep"},
	"scenarios":    {"sim", "sim/catalog", "sim/des", "placement", "autoscale", "workload"},
	"report":       {"sim", "sim/des", "sim/catalog"},
	"sim":          {"sim/des", "sim/catalog", "placement", "autoscale", "workload"},
	"sweep":        {"scenarios", "report", "sim", "sim/des", "sim/catalog"},
	"sim/catalog":  {},
	"sim/des":      {},
	"placement":    {"sim/des"},
	"autoscale":    {"sim/des"},
	"workload":     {"sim/des"},
}

// simulation is the code that must be deterministic.
var simulation = []string{"sim", "sim/des", "sim/catalog", "placement", "autoscale", "workload"}

func root(t *testing.T) string {
	dir, err := filepath.Abs("../..")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	return dir
}

func packages(t *testing.T, top string) []string {
	var out []string
	err := filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != top && (strings.HasPrefix(name, ".") || name == "testdata" || name == "out") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".go") {
			rel, _ := filepath.Rel(top, filepath.Dir(p))
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

func TestImportsFollowTheDesignArrows(t *testing.T) {
	top := root(t)
	for _, pkg := range packages(t, top) {
		if strings.HasPrefix(pkg, "internal") || strings.HasPrefix(pkg, "benchmarks") {
			continue
		}
		bp, err := build.ImportDir(filepath.Join(top, pkg), 0)
		if _, ok := err.(*build.NoGoError); ok {
			continue
		}
		require.NoError(t, err, pkg)
		ok, listed := allowed[pkg]
		assert.True(t, listed, "package %s is not in the architecture table: add it with its allowed imports", pkg)
		for _, imp := range bp.Imports { // non-test imports only
			rel, isProject := strings.CutPrefix(imp, module+"/")
			if !isProject {
				continue
			}
			assert.Contains(t, ok, rel, "%s imports %s against the design's arrows", pkg, rel)
		}
	}
}

func TestSimulationCodeHasNoWallClockOrGlobalRandom(t *testing.T) {
	top := root(t)
	banned := map[string]map[string]bool{
		"time":         {"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true, "Tick": true, "NewTimer": true, "NewTicker": true},
		"math/rand":    nil, // any top-level call
		"math/rand/v2": {"Int": true, "IntN": true, "Int64": true, "Int64N": true, "Int32": true, "Int32N": true, "Uint32": true, "Uint64": true, "UintN": true, "Float64": true, "Float32": true, "ExpFloat64": true, "NormFloat64": true, "Perm": true, "Shuffle": true, "N": true},
	}
	for _, pkg := range simulation {
		dir := filepath.Join(top, pkg)
		entries, err := os.ReadDir(dir)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			file := filepath.Join(dir, e.Name())
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
			require.NoError(t, err)
			names := map[string]string{} // local name -> import path
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				local := path[strings.LastIndex(path, "/")+1:]
				if path == "math/rand/v2" {
					local = "rand"
				}
				if imp.Name != nil {
					local = imp.Name.Name
				}
				names[local] = path
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				id, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				path, ok := names[id.Name]
				if !ok {
					return true
				}
				funcs, isBanned := banned[path]
				if isBanned && (funcs == nil && path == "math/rand" || funcs[sel.Sel.Name]) {
					t.Errorf("%s/%s: %s.%s: simulation code must use the engine's clock and named streams", pkg, e.Name(), path, sel.Sel.Name)
				}
				return true
			})
		}
	}
}
