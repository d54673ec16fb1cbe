package archtest

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// simulation is the code that must be deterministic, by tree, so that
// packages not written yet (sim/eks, placement/kube, autoscale/karpenter...)
// are covered the day they appear.
var simulation = []string{"sim/...", "placement/...", "autoscale/...", "workload/..."}

// isSimulation reports whether pkg (a path under the module) is simulation
// code.
func isSimulation(pkg string) bool { return matchesAny(simulation, pkg) }

// banned maps an import path to the top-level names simulation code may not
// use from it; a nil set bans every top-level name. Methods on a seeded
// *rand.Rand or a time.Time are fine: only the wall clock and the global
// random sources are banned.
var banned = map[string]map[string]bool{
	"time": set("Now", "Since", "Until", "Sleep", "After", "AfterFunc", "Tick", "NewTimer", "NewTicker"),
	"math/rand": set("Int", "Intn", "Int31", "Int31n", "Int63", "Int63n", "Uint32", "Uint64",
		"Float32", "Float64", "ExpFloat64", "NormFloat64", "Perm", "Shuffle", "Seed", "Read"),
	"math/rand/v2": set("Int", "IntN", "Int32", "Int32N", "Int64", "Int64N", "N", "Uint", "UintN",
		"Uint32", "Uint32N", "Uint64", "Uint64N", "Float32", "Float64", "ExpFloat64", "NormFloat64",
		"Perm", "Shuffle"),
	"crypto/rand": nil,
}

// nondeterminism returns one finding per use, in f, of the wall clock or a
// global random source (see banned), each prefixed with its position in fset.
// A dot import of a banned package is a finding of its own, since its names
// could no longer be told apart.
func nondeterminism(fset *token.FileSet, f *ast.File) []string {
	var out []string
	names := map[string]string{} // local name -> import path
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		if _, ok := banned[path]; !ok {
			continue
		}
		local := defaultName(path)
		if imp.Name != nil {
			local = imp.Name.Name
		}
		switch local {
		case "_":
			continue
		case ".":
			out = append(out, fmt.Sprintf("%s: dot import of %s: simulation code must name what it takes from the clock and random packages", fset.Position(imp.Pos()), path))
			continue
		}
		names[local] = path
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		// The parser's file-scope resolution (deprecated, but all a syntax
		// check has) sets Obj for a local that shadows a package name, as in
		// r := rand.New(src); r.IntN(3) written with r named rand.
		if !ok || id.Obj != nil {
			return true
		}
		path, ok := names[id.Name]
		if !ok {
			return true
		}
		if funcs := banned[path]; funcs == nil || funcs[sel.Sel.Name] {
			out = append(out, fmt.Sprintf("%s: %s.%s: simulation code must use the engine's clock and named random streams", fset.Position(sel.Pos()), path, sel.Sel.Name))
		}
		return true
	})
	return out
}

// defaultName is the name a package is known by when imported unnamed: the
// last element of its path, skipping a major version suffix ("math/rand/v2"
// is rand).
func defaultName(path string) string {
	elems := strings.Split(path, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		last = elems[len(elems)-2]
	}
	return last
}

// set returns the set of names.
func set(names ...string) map[string]bool {
	s := make(map[string]bool, len(names))
	for _, n := range names {
		s[n] = true
	}
	return s
}
