package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sweep"
)

// fleetsim run --set KEY=VALUE: the scenario with keys set as a sweep's
// --set sets them (sweep.Override: the TOML is decoded, each key set, the
// result re-encoded and validated as a file). `fleetsim run ecs-vs-eks
// --set orchestrator=eks` runs a [workload] scenario on the other
// orchestrator.

// runOverrides parses the --set arguments; the seed is --seed's.
func runOverrides(sets []string) ([]sweep.Override, error) {
	var out []sweep.Override
	var errs []error
	for _, s := range sets {
		key, _, _ := strings.Cut(s, "=")
		if strings.TrimSpace(key) == "seed" {
			errs = append(errs, errors.New("--set seed=...: give the seed with --seed N"))
			continue
		}
		o, err := sweep.ParseOverride(s) // a bare word is a string (sweep.ParseValue)
		if err != nil {
			errs = append(errs, fmt.Errorf("--set %w", err))
			continue
		}
		for _, b := range out {
			if strings.Join(b.Path, "\x00") == strings.Join(o.Path, "\x00") {
				errs = append(errs, fmt.Errorf("--set %s: the key is set twice", o.Key))
			}
		}
		out = append(out, o)
	}
	return out, errors.Join(errs...)
}

// resolveWithSets loads the scenario name names with the overrides set: a
// problem of the result is reported without a line (the lines of the
// re-encoded text mean nothing to the user), in the file "NAME with
// KEY=VALUE, ...".
func resolveWithSets(name string, ovs []sweep.Override) (*scenarios.Scenario, error) {
	base, readRel, err := resolveSweep(name)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if _, err := toml.Decode(base.Source, &doc); err != nil {
		return nil, scenarios.Problems{{File: base.File, Got: err.Error()}}
	}
	var ps scenarios.Problems
	names := make([]string, len(ovs))
	for i, o := range ovs {
		names[i] = o.String()
		if err := o.Apply(doc); err != nil {
			ps = append(ps, scenarios.Problem{File: base.File, Key: o.Key, Got: err.Error()})
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(doc); err != nil {
		return nil, scenarios.Problems{{File: base.File, Got: "cannot encode the scenario with --set: " + err.Error()}}
	}
	sc, err := scenarios.Parse(b.String(), base.File+" with "+strings.Join(names, ", "), readRel)
	var sps scenarios.Problems
	if errors.As(err, &sps) {
		for i := range sps {
			sps[i].Line = 0
		}
		return nil, sps
	}
	return sc, err
}

// setSuffix is what the --set values add to the default output folder,
// out/NAME-V1-V2: a run on the other orchestrator does not replace the
// first (out/ecs-vs-eks-eks beside out/ecs-vs-eks). Characters a folder name
// should not hold become "_".
func setSuffix(ovs []sweep.Override) string {
	var b strings.Builder
	for _, o := range ovs {
		b.WriteByte('-')
		for _, c := range o.Value.Display() {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
				b.WriteRune(c)
			} else {
				b.WriteByte('_')
			}
		}
	}
	return strings.ReplaceAll(b.String(), "..", "_")
}
