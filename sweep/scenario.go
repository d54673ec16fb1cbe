package sweep

import (
	"path"

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
	if sc.File == arg { // scenarios.LoadFile names a file as the user did; the library as library/NAME.toml
		return sc, scenarios.FileReader(arg), nil
	}
	return sc, scenarios.FSReader(scenarios.LibraryFS(), path.Base(sc.File)), nil
}
