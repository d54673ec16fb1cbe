package awsimport_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/scenarios/awsimport"
)

// FuzzImport feeds one document to the importer: it never panics, and what
// it imports is TOML the scenario loader reads without panicking.
func FuzzImport(f *testing.F) {
	for _, dir := range []string{"aws-cli-examples", "cluster"} {
		names, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		for _, n := range names {
			if b, err := os.ReadFile(n); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"Datapoints": [{"Timestamp": 1e300, "Sum": -0}]}`))
	f.Add([]byte(`{"services": [{"serviceName": "\u0000", "desiredCount": 1e9, "taskDefinition": ":"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = awsimport.Detect("f.json", data)
		res, err := awsimport.Import([]awsimport.Input{{Name: "f.json", Data: data}})
		if err != nil {
			return
		}
		_, _ = scenarios.Parse(string(res.TOML), "scenario.toml", func(rel string) ([]byte, error) {
			if b, ok := res.Files[rel]; ok {
				return b, nil
			}
			return nil, fs.ErrNotExist
		})
	})
}
