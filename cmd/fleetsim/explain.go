package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// explainFlagLimit is how many pods (or placements) each --explain
// chooses.
const explainFlagLimit = 5

// explainFlag is run's repeatable --explain: a name prefix (pods, or ECS
// services and batch jobs) or labels KEY=VALUE[,KEY=VALUE] (pods).
type explainFlag []string

func (e *explainFlag) String() string { return strings.Join(*e, " ") }

func (e *explainFlag) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("give a name prefix or KEY=VALUE labels")
	}
	*e = append(*e, v)
	return nil
}

// addExplain adds the --explain selectors to cfg: to EKS.Explain for an
// EKS run, to Explain (services and batch jobs by name prefix) for ECS.
// Labels choose pods only; an ECS prefix must start some service's or batch
// job's name.
func addExplain(cfg *sim.Config, flags explainFlag) error {
	for _, v := range flags {
		labels, err := explainLabels(v)
		if err != nil {
			return err
		}
		if cfg.EKS != nil {
			e := *cfg.EKS
			sel := eks.ExplainSelector{Limit: explainFlagLimit, Labels: labels}
			if labels == nil {
				sel.NamePrefix = v
			}
			e.Explain = append(slices.Clone(e.Explain), sel)
			cfg.EKS = &e
			continue
		}
		if labels != nil {
			return fmt.Errorf("--explain %s: labels choose pods; an ECS run's tasks are chosen by a service's name (prefix)", v)
		}
		if !slices.ContainsFunc(cfg.Services, func(s ecs.ServiceConfig) bool { return strings.HasPrefix(s.Name, v) }) &&
			!slices.ContainsFunc(cfg.BatchJobs, func(j ecs.BatchJobConfig) bool { return strings.HasPrefix(j.Name, v) }) {
			return fmt.Errorf("--explain %s: no service's or batch job's name starts with %q", v, v)
		}
		cfg.Explain = append(slices.Clone(cfg.Explain), ecs.ExplainSelector{NamePrefix: v, Limit: explainFlagLimit})
	}
	return nil
}

// explainLabels reads KEY=VALUE[,KEY=VALUE]; nil for a name prefix (no =).
func explainLabels(v string) (map[string]string, error) {
	if !strings.Contains(v, "=") {
		return nil, nil
	}
	labels := map[string]string{}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--explain %s: want KEY=VALUE labels, comma-separated, or a name prefix", v)
		}
		labels[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	return labels, nil
}
