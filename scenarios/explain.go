package scenarios

import (
	"slices"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim/ecs"
)

// explainTasksSchema is one entry of the top-level explain list: the
// services or batch jobs whose task placements explain.json lays out
// instance by instance (an EKS cluster's pods are chosen by
// [[eks.explain]]).
type explainTasksSchema struct {
	Service    string `toml:"service"`
	Job        string `toml:"job"`
	NamePrefix string `toml:"name_prefix"`
	Limit      *int   `toml:"limit" max:"1000"`
}

// explainLimit is how many placements (and how many failures) an explain
// entry lays out when it gives no limit: [[eks.explain]]'s 10.
const explainLimit = 10

// explainTasks reads the top-level explain list: one of a service, a batch
// job or a name prefix (of services and batch jobs), and a limit of at
// least 1. A service or job the scenario does not have is a problem; a
// prefix that starts no name, a warning. In an EKS scenario the list is a
// problem: [[eks.explain]] chooses pods.
func (v *validator) explainTasks() []ecs.ExplainSelector {
	var out []ecs.ExplainSelector
	var services, jobs []string
	for _, s := range v.f.Services {
		services = append(services, s.Name)
	}
	for _, j := range v.f.BatchJobs {
		jobs = append(jobs, j.Name)
	}
	for i, x := range v.f.Explain {
		path := p("explain", i)
		if v.f.EKS != nil {
			v.badHint(path, "no top-level explain in an EKS scenario", "an entry", "choose pods with [[eks.explain]] (name_prefix, labels, limit)")
			continue
		}
		given := 0
		for _, s := range []string{x.Service, x.Job, x.NamePrefix} {
			if s != "" {
				given++
			}
		}
		starts := func(n string) bool { return strings.HasPrefix(n, x.NamePrefix) }
		switch {
		case given != 1:
			v.bad(path, "one of service, job or name_prefix to choose the tasks by", strconv.Itoa(given)+" of them")
		case x.Service != "" && !slices.Contains(services, x.Service):
			v.badName(append(path, "service"), "the scenario's services", x.Service, services)
		case x.Job != "" && !slices.Contains(jobs, x.Job):
			v.badName(append(path, "job"), "the scenario's batch jobs", x.Job, jobs)
		case x.NamePrefix != "" && !slices.ContainsFunc(services, starts) && !slices.ContainsFunc(jobs, starts):
			v.warn(append(path, "name_prefix"), "a prefix some service's or batch job's name starts with", strconv.Quote(x.NamePrefix), "nothing will be explained for this entry")
		}
		sel := ecs.ExplainSelector{Service: x.Service, Job: x.Job, NamePrefix: x.NamePrefix, Limit: explainLimit}
		if x.Limit != nil {
			if *x.Limit < 1 {
				v.bad(append(path, "limit"), "a limit of at least 1", strconv.Itoa(*x.Limit))
			}
			sel.Limit = *x.Limit
		}
		out = append(out, sel)
	}
	return out
}
