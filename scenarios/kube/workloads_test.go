package kube

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deploymentWith is a Deployment whose spec has the given extra lines
// (indented two spaces, from line 6).
func deploymentWith(specLines string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
` + specLines + `
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
`
}

// Kubernetes' rounding (ResolveFenceposts): maxSurge up, maxUnavailable
// down, and 1 unavailable when both come to 0.
func TestDeploymentFenceposts(t *testing.T) {
	pct := func(v int) IntOrPercent { return IntOrPercent{Value: v, Percent: true} }
	n := func(v int) IntOrPercent { return IntOrPercent{Value: v} }
	tests := []struct {
		name              string
		surge, unav       IntOrPercent
		replicas          int
		wantS, wantU      int
		strategyType      string
		skipRollingUpdate bool
	}{
		{name: "25%/25% of 10: surge ⌈2.5⌉ = 3, unavailable ⌊2.5⌋ = 2", surge: pct(25), unav: pct(25), replicas: 10, wantS: 3, wantU: 2},
		{name: "25%/25% of 4: 1 and 1", surge: pct(25), unav: pct(25), replicas: 4, wantS: 1, wantU: 1},
		{name: "25%/25% of 1: surge ⌈0.25⌉ = 1, unavailable ⌊0.25⌋ = 0", surge: pct(25), unav: pct(25), replicas: 1, wantS: 1, wantU: 0},
		{name: "0/25% of 3: both 0, so 1 unavailable", surge: n(0), unav: pct(25), replicas: 3, wantS: 0, wantU: 1},
		{name: "1%/1% of 2: surge ⌈0.02⌉ = 1, unavailable 0", surge: pct(1), unav: pct(1), replicas: 2, wantS: 1, wantU: 0},
		{name: "integers stand as given: 2 and 5 of 3", surge: n(2), unav: n(5), replicas: 3, wantS: 2, wantU: 5},
		{name: "maxSurge 200% of 3 is 6", surge: pct(200), unav: n(0), replicas: 3, wantS: 6, wantU: 0},
		{name: "0 replicas, 25%/25%: both 0, so 1", surge: pct(25), unav: pct(25), replicas: 0, wantS: 0, wantU: 1},
		{name: "Recreate has no fenceposts", strategyType: Recreate, replicas: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := DeploymentStrategy{Type: RollingUpdate, MaxSurge: tc.surge, MaxUnavailable: tc.unav}
			if tc.strategyType != "" {
				st = DeploymentStrategy{Type: tc.strategyType}
			}
			s, u := st.Fenceposts(tc.replicas)
			assert.Equal(t, [2]int{tc.wantS, tc.wantU}, [2]int{s, u})
		})
	}
}

// A DaemonSet rounds both up (SurgeCount, UnavailableCount).
func TestDaemonSetFenceposts(t *testing.T) {
	tests := []struct {
		name         string
		st           DaemonSetStrategy
		nodes        int
		wantS, wantU int
	}{
		{name: "the default maxUnavailable 1", st: DaemonSetStrategy{Type: RollingUpdate, MaxUnavailable: IntOrPercent{Value: 1}}, nodes: 10, wantU: 1},
		{name: "10% of 15 nodes rounds up to 2", st: DaemonSetStrategy{Type: RollingUpdate, MaxUnavailable: IntOrPercent{Value: 10, Percent: true}}, nodes: 15, wantU: 2},
		{name: "maxSurge 20% of 6 rounds up to 2", st: DaemonSetStrategy{Type: RollingUpdate, MaxSurge: IntOrPercent{Value: 20, Percent: true}}, nodes: 6, wantS: 2},
		{name: "10% of 0 nodes: nothing to roll", st: DaemonSetStrategy{Type: RollingUpdate, MaxUnavailable: IntOrPercent{Value: 10, Percent: true}}, nodes: 0},
		{name: "OnDelete has none", st: DaemonSetStrategy{Type: OnDelete}, nodes: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, u := tc.st.Fenceposts(tc.nodes)
			assert.Equal(t, [2]int{tc.wantS, tc.wantU}, [2]int{s, u})
		})
	}
}

func TestStrategyValuesAreReadAsIntOrPercent(t *testing.T) {
	tests := []struct {
		name, lines string
		want        DeploymentStrategy
	}{
		{name: "no strategy: RollingUpdate 25%/25%", lines: "", want: DeploymentStrategy{RollingUpdate, IntOrPercent{25, true}, IntOrPercent{25, true}}},
		{name: "only maxSurge: maxUnavailable stays 25%", lines: "  strategy: {rollingUpdate: {maxSurge: 0}}",
			want: DeploymentStrategy{RollingUpdate, IntOrPercent{0, false}, IntOrPercent{25, true}}},
		{name: "integers and percents", lines: "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 3, maxUnavailable: \"50%\"}}",
			want: DeploymentStrategy{RollingUpdate, IntOrPercent{3, false}, IntOrPercent{50, true}}},
		{name: "Recreate", lines: "  strategy: {type: Recreate}", want: DeploymentStrategy{Type: Recreate}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := parse(t, deploymentWith(tc.lines))
			assert.Equal(t, tc.want, m.Deployments[0].Strategy)
		})
	}
}

func TestStrategyProblems(t *testing.T) {
	tests := []struct {
		name, lines, path, want, got string
	}{
		{name: "both 0 is invalid", lines: "  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: \"0%\"}}",
			path: "spec.strategy.rollingUpdate.maxUnavailable", want: "maxUnavailable above 0 when maxSurge is 0 (a rollout could not move)", got: "maxSurge 0, maxUnavailable 0%"},
		{name: "a string must be a percentage", lines: "  strategy: {rollingUpdate: {maxSurge: \"5\"}}",
			path: "spec.strategy.rollingUpdate.maxSurge", want: `a non-negative integer or a percentage such as "25%"`, got: `"5"`},
		{name: "no negative counts", lines: "  strategy: {rollingUpdate: {maxSurge: -1}}",
			path: "spec.strategy.rollingUpdate.maxSurge", want: `a non-negative integer or a percentage such as "25%"`, got: "-1"},
		{name: "no fractions", lines: "  strategy: {rollingUpdate: {maxUnavailable: 1.5}}",
			path: "spec.strategy.rollingUpdate.maxUnavailable", want: `a non-negative integer or a percentage such as "25%"`, got: "1.5"},
		{name: "maxUnavailable at most 100%", lines: "  strategy: {rollingUpdate: {maxUnavailable: \"150%\"}}",
			path: "spec.strategy.rollingUpdate.maxUnavailable", want: "at most 100%", got: "150%"},
		{name: "Recreate takes no rollingUpdate", lines: "  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}",
			path: "spec.strategy.rollingUpdate", want: "no rollingUpdate when type is Recreate", got: "one"},
		{name: "an unknown type", lines: "  strategy: {type: BlueGreen}",
			path: "spec.strategy.type", want: `"RollingUpdate" or "Recreate"`, got: `"BlueGreen"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := problems(t, deploymentWith(tc.lines))
			require.Len(t, ps, 1, "%v", ps)
			assert.Equal(t, Problem{File: "test.yaml", Line: 6, Object: `Deployment "web"`, Path: tc.path, Want: tc.want, Got: tc.got}, ps[0])
		})
	}
	// maxSurge may exceed 100% (only maxUnavailable is capped).
	m := parse(t, deploymentWith("  strategy: {rollingUpdate: {maxSurge: \"300%\"}}"))
	assert.Equal(t, IntOrPercent{300, true}, m.Deployments[0].Strategy.MaxSurge)
}

func TestDeploymentDefaults(t *testing.T) {
	d := parse(t, deploymentWith("")).Deployments[0]
	assert.Equal(t, 1, d.Replicas)
	assert.Equal(t, "default", d.Meta.Namespace)
	assert.Equal(t, time.Duration(0), d.MinReady)
	assert.Equal(t, 600*time.Second, d.ProgressDeadline)
	d = parse(t, deploymentWith("  replicas: 0\n  minReadySeconds: 10\n  progressDeadlineSeconds: 120")).Deployments[0]
	assert.Equal(t, 0, d.Replicas, "0 replicas is valid")
	assert.Equal(t, 10*time.Second, d.MinReady)
	assert.Equal(t, 120*time.Second, d.ProgressDeadline)
	// The check runs after defaulting: minReadySeconds 600 meets the default.
	ps := problems(t, deploymentWith("  minReadySeconds: 600"))
	assert.Equal(t, Problems{{File: "test.yaml", Line: 4, Object: `Deployment "web"`, Path: "spec.progressDeadlineSeconds",
		Want: "more than minReadySeconds (600)", Got: "600"}}, ps)
}

func daemonSetWith(specLines string) string {
	return `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
` + specLines + `
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: agent}]
`
}

func TestDaemonSetStrategy(t *testing.T) {
	ds := parse(t, daemonSetWith("")).DaemonSets[0]
	assert.Equal(t, DaemonSetStrategy{Type: RollingUpdate, MaxUnavailable: IntOrPercent{Value: 1}}, ds.Strategy, "maxUnavailable 1, maxSurge 0 by default")
	ds = parse(t, daemonSetWith("  updateStrategy: {rollingUpdate: {maxSurge: \"10%\", maxUnavailable: 0}}")).DaemonSets[0]
	assert.Equal(t, DaemonSetStrategy{Type: RollingUpdate, MaxSurge: IntOrPercent{10, true}}, ds.Strategy)
	ds = parse(t, daemonSetWith("  updateStrategy: {type: OnDelete}")).DaemonSets[0]
	assert.Equal(t, DaemonSetStrategy{Type: OnDelete}, ds.Strategy)

	tests := []struct{ name, lines, path, want string }{
		{name: "both non-zero", lines: "  updateStrategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}",
			path: "spec.updateStrategy.rollingUpdate.maxSurge", want: "maxSurge 0 when maxUnavailable is not (a DaemonSet rolls one way)"},
		{name: "both zero", lines: "  updateStrategy: {rollingUpdate: {maxUnavailable: 0}}",
			path: "spec.updateStrategy.rollingUpdate.maxUnavailable", want: "maxUnavailable above 0 when maxSurge is 0"},
		{name: "maxSurge at most 100%", lines: "  updateStrategy: {rollingUpdate: {maxSurge: \"101%\", maxUnavailable: 0}}",
			path: "spec.updateStrategy.rollingUpdate.maxSurge", want: "at most 100%"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := problems(t, daemonSetWith(tc.lines))
			require.Len(t, ps, 1, "%v", ps)
			assert.Equal(t, tc.path, ps[0].Path)
			assert.Equal(t, tc.want, ps[0].Want)
			assert.Equal(t, 6, ps[0].Line)
		})
	}
}

func jobWith(specLines, podLines string) string {
	return fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec:
%s
  template:
    metadata: {labels: {app: batch}}
    spec:
%s
      containers: [{name: work, image: busybox}]
`, specLines, podLines)
}

// Job defaults (SetDefaults_Job): completions and parallelism 1 when neither
// is given; parallelism alone makes a work queue; backoffLimit 6.
func TestJobCompletionsParallelismAndBackoff(t *testing.T) {
	one, five := 1, 5
	tests := []struct {
		name, spec  string
		completions *int
		parallelism int
		backoff     int
		mode        string
		deadline    time.Duration
	}{
		{name: "neither given: 1 and 1", spec: "", completions: &one, parallelism: 1, backoff: 6, mode: "NonIndexed"},
		{name: "completions only: parallelism 1", spec: "  completions: 5", completions: &five, parallelism: 1, backoff: 6, mode: "NonIndexed"},
		{name: "parallelism only: a work queue", spec: "  parallelism: 3", completions: nil, parallelism: 3, backoff: 6, mode: "NonIndexed"},
		{name: "all given", spec: "  completions: 5\n  parallelism: 2\n  backoffLimit: 0\n  completionMode: Indexed\n  activeDeadlineSeconds: 600",
			completions: &five, parallelism: 2, backoff: 0, mode: "Indexed", deadline: 10 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := parse(t, jobWith(tc.spec, "      restartPolicy: OnFailure")).Jobs[0]
			assert.Equal(t, tc.completions, j.Completions)
			assert.Equal(t, tc.parallelism, j.Parallelism)
			assert.Equal(t, tc.backoff, j.BackoffLimit)
			assert.Equal(t, tc.mode, j.CompletionMode)
			assert.Equal(t, tc.deadline, j.ActiveDeadline)
			assert.Equal(t, OnFailure, j.Template.Spec.RestartPolicy)
			assert.Equal(t, map[string]string{"app": "batch"}, j.Meta.Labels, "a Job's labels default to its template's")
		})
	}
}

func TestJobProblems(t *testing.T) {
	ps := problems(t, jobWith("", ""))
	require.Len(t, ps, 1, "%v", ps)
	assert.Equal(t, Problem{File: "test.yaml", Line: 8, Object: `Job "batch"`, Path: "spec.template.spec.restartPolicy",
		Want: `"OnFailure" or "Never" for this workload`, Got: `"Always" (the default)`}, ps[0])

	ps = problems(t, jobWith("  completionMode: Indexed\n  parallelism: 2\n  backoffLimit: -1", "      restartPolicy: Never"))
	assert.Equal(t, []string{"spec.completions", "spec.backoffLimit"}, paths(ps), "file order: the missing field on the spec line")
}

func paths(ps Problems) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Path)
	}
	return out
}
