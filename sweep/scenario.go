package sweep

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/fleetsim/fleetsim/scenarios"
)

// Resolve loads a scenario as scenarios.Resolve does (a library name or a
// file) and returns with it the reader of the files it refers to (task
// definition JSON), which every variant's parse needs.
func Resolve(arg string) (*scenarios.Scenario, func(string) ([]byte, error), error) {
	sc, err := scenarios.Resolve(arg)
	if err != nil {
		return nil, nil, err
	}
	var fsys fs.FS
	if sc.File == arg { // scenarios.LoadFile names a file as the user did; the library as library/NAME.toml
		fsys = os.DirFS(filepath.Dir(arg))
	} else {
		fsys = scenarios.LibraryFS()
	}
	return sc, func(rel string) ([]byte, error) { return fs.ReadFile(fsys, path.Clean(rel)) }, nil
}
