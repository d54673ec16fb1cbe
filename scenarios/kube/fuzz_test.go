package kube

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzManifest feeds Parse arbitrary bytes, seeded from the real manifests in
// testdata/ (and the corpus in testdata/fuzz/FuzzManifest): it must never
// panic, must give the same answer twice, and what it accepts must hold
// Kubernetes' invariants; what it refuses comes as Problems naming the file.
func FuzzManifest(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed manifests: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(deploymentWith("  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: \"10%\"}}")))
	f.Add([]byte(daemonSetWith("  updateStrategy: {rollingUpdate: {maxSurge: \"10%\", maxUnavailable: 0}}")))
	f.Add([]byte(jobWith("  parallelism: 3", "      restartPolicy: Never")))
	f.Add([]byte(podWith(`resources: {requests: {cpu: 1e-3, memory: 1.5Gi}, limits: {memory: 2G, nvidia.com/gpu: 1}}, ports: [{containerPort: 80, hostPort: 80}]`)))
	f.Add([]byte("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \"spec\": {\"containers\": [{\"name\": \"c\"}]}}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.yaml", data)
		m2, err2 := Parse("fuzz.yaml", data)
		if !reflect.DeepEqual(m, m2) || (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("two reads differ:\n%v\n%v", err, err2)
		}
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("the error is not a Problems list: %v", err)
			}
			for _, p := range ps {
				if p.File != "fuzz.yaml" || p.Line < 0 {
					t.Fatalf("a problem without its file or with a negative line: %#v", p)
				}
			}
			return
		}
		for _, d := range m.Deployments {
			if d.Replicas < 0 {
				t.Fatalf("deployment %s: %d replicas", d.Meta.Name, d.Replicas)
			}
			if !d.Selector.Matches(d.Template.Meta.Labels) {
				t.Fatalf("deployment %s: the selector does not select its template", d.Meta.Name)
			}
			for _, n := range []int{0, 1, 3, 10, 1000} {
				s, u := d.Strategy.Fenceposts(n)
				if s < 0 || u < 0 || d.Strategy.Type == RollingUpdate && s+u == 0 {
					t.Fatalf("deployment %s at %d replicas: surge %d, unavailable %d", d.Meta.Name, n, s, u)
				}
			}
			checkPodSpec(t, d.Template.Spec)
		}
		for _, ds := range m.DaemonSets {
			if !ds.Selector.Matches(ds.Template.Meta.Labels) {
				t.Fatalf("daemonset %s: the selector does not select its template", ds.Meta.Name)
			}
			checkPodSpec(t, ds.Template.Spec)
		}
		for _, j := range m.Jobs {
			if j.Parallelism < 0 || j.BackoffLimit < 0 || j.Completions != nil && *j.Completions < 0 {
				t.Fatalf("job %s: parallelism %d, backoff %d", j.Meta.Name, j.Parallelism, j.BackoffLimit)
			}
			if j.Template.Spec.RestartPolicy == Always {
				t.Fatalf("job %s: pods restart for ever", j.Meta.Name)
			}
			checkPodSpec(t, j.Template.Spec)
		}
		for _, p := range m.Pods {
			checkPodSpec(t, p.Spec)
		}
	})
}

// checkPodSpec fails t unless s has a container and every request is within
// its limit and non-negative.
func checkPodSpec(t *testing.T, s PodSpec) {
	t.Helper()
	if len(s.Containers) == 0 {
		t.Fatal("a pod spec without containers")
	}
	for _, c := range append(append([]Container{}, s.InitContainers...), s.Containers...) {
		r, l := c.Requests, c.Limits
		if r.MilliCPU < 0 || r.MemoryBytes < 0 || r.EphemeralBytes < 0 {
			t.Fatalf("container %s: negative requests %+v", c.Name, r)
		}
		if l.Has(CPU) && r.MilliCPU > l.MilliCPU || l.Has(Memory) && r.MemoryBytes > l.MemoryBytes ||
			l.Has(EphemeralStorage) && r.EphemeralBytes > l.EphemeralBytes {
			t.Fatalf("container %s: requests %+v above limits %+v", c.Name, r, l)
		}
		if l.Given&^r.Given != 0 {
			t.Fatalf("container %s: a limit without its defaulted request", c.Name)
		}
	}
}
