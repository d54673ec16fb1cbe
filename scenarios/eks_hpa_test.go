package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale/hpa"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// hpaScenario is an EKS scenario over the real manifests of testdata/hpa
// (README.md there gives their sources).
const hpaScenario = `name = "hpa"
duration = "2h"

[eks]
zones = ["us-east-1a", "us-east-1b"]
manifests = ["eks-automode-hpa-deployment.yaml", "eks-automode-hpa-v2-behavior.yaml", "k8s-deployment-php-apache.yaml"]

[[eks.node_group]]
name = "general"
instance_types = ["m5.large"]
min_size = 2
max_size = 6

[[eks.deployment]]
name = "retail-store-sample-ui"
pod_requests_per_second = 50
  [eks.deployment.load]
  pattern = "diurnal"
  base_rps = 100
  peak_rps = 300
  peak_hour = 14

[[eks.deployment]]
name = "php-apache"
pod_requests_per_second = 20
  [eks.deployment.load]
  pattern = "diurnal"
  base_rps = 10
  peak_rps = 100
  peak_hour = 14

# kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10,
# with the documented default behavior spelled out.
[[eks.horizontal_pod_autoscaler]]
name = "php-apache"
deployment = "php-apache"
min_replicas = 1
max_replicas = 10
behavior_file = "k8s-hpa-default-behavior.yaml"
  [[eks.horizontal_pod_autoscaler.metrics]]
  type = "Resource"
  resource = { name = "cpu", target = { type = "Utilization", average_utilization = 50 } }
`

func parseHPA(src string, extra map[string]string) (*Scenario, error) {
	return Parse(src, "hpa.toml", func(rel string) ([]byte, error) {
		if s, ok := extra[rel]; ok {
			return []byte(s), nil
		}
		data, err := os.ReadFile(filepath.Join("testdata", "hpa", rel))
		if errors.Is(err, os.ErrNotExist) {
			return nil, fs.ErrNotExist
		}
		return data, err
	})
}

// The published manifests load as they stand: AWS's Auto Mode HPA (v2,
// with its behavior) and the Kubernetes docs' default behavior fragment.
func TestRealHPAManifestsLoad(t *testing.T) {
	s, err := parseHPA(hpaScenario, nil)
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
	cl := s.Config.EKS
	require.Len(t, cl.HPAs, 2)

	auto := cl.HPAs[0]
	assert.Equal(t, "retail-store-sample-ui-hpa", auto.Name)
	assert.Equal(t, "default", auto.Namespace)
	assert.Equal(t, "retail-store-sample-ui", cl.Deployments[auto.Deployment].Name)
	assert.Equal(t, int32(1), *auto.Spec.MinReplicas)
	assert.Equal(t, int32(10), auto.Spec.MaxReplicas)
	assert.Equal(t, []hpa.Metric{{Type: hpa.Resource, Name: hpa.CPU, Target: hpa.Utilization, AverageUtilization: 70}}, auto.Spec.Metrics)
	assert.Equal(t, []eks.MetricSource{eks.SourceCPU}, auto.Sources)
	b := auto.Spec.Behavior
	require.NotNil(t, b)
	assert.Equal(t, time.Duration(0), *b.ScaleUp.StabilizationWindow)
	assert.Equal(t, 60*time.Second, *b.ScaleDown.StabilizationWindow)
	assert.Equal(t, []hpa.Policy{{Type: hpa.PercentPolicy, Value: 100, Period: 15 * time.Second}}, b.ScaleDown.Policies)
	assert.Nil(t, b.ScaleUp.SelectPolicy, "left to the default (Max)")
	assert.Equal(t, hpa.DefaultSyncPeriod, auto.Controller.SyncPeriod)
	assert.Equal(t, hpa.DefaultTolerance, auto.Controller.Tolerance)

	php := cl.HPAs[1]
	assert.Equal(t, "php-apache", php.Name)
	assert.Equal(t, "php-apache", cl.Deployments[php.Deployment].Name)
	pb := php.Spec.Behavior
	require.NotNil(t, pb)
	assert.Equal(t, 300*time.Second, *pb.ScaleDown.StabilizationWindow, "the documented default, from the fragment")
	assert.Equal(t, []hpa.Policy{{Type: hpa.PercentPolicy, Value: 100, Period: 15 * time.Second}, {Type: hpa.PodsPolicy, Value: 4, Period: 15 * time.Second}},
		pb.ScaleUp.Policies)
	assert.Equal(t, hpa.SelectMax, *pb.ScaleUp.SelectPolicy)
}

// The whole scenario runs: the diurnal load (peak at 14:00, the run from
// midnight to 02:00, near its base) keeps both HPAs' proposals low, so
// each scales its Deployment to a size its load needs, and says why.
func TestHPAScenarioRuns(t *testing.T) {
	s, err := parseHPA(hpaScenario, nil)
	require.NoError(t, err)
	res, err := sim.New(s.Config).Run()
	require.NoError(t, err)
	byHPA := map[string][]string{}
	for _, e := range res.Events {
		if e.Type == eks.EventHPARescale {
			byHPA[e.Subject] = append(byHPA[e.Subject], e.Reason)
		}
	}
	require.NotEmpty(t, byHPA["retail-store-sample-ui-hpa"], "the Auto Mode HPA scaled")
	require.NotEmpty(t, res.EKS.Summary.HPAs)
	for _, h := range res.EKS.Summary.HPAs {
		assert.Positive(t, h.Syncs, h.Name)
		assert.LessOrEqual(t, h.PeakDesired, h.MaxReplicas, h.Name)
		assert.GreaterOrEqual(t, h.LeastDesired, h.MinReplicas, h.Name)
	}
	for _, r := range byHPA["retail-store-sample-ui-hpa"] {
		assert.True(t, strings.HasPrefix(r, "New size: "), r)
	}
	// 100 rps and more on pods serving 50 at 100% of their CPU: 1 pod is
	// saturated (100% of a 70% target), so the HPA grows it to at least 3
	// (100 / (3 x 50) = 67%, within the tolerance of 70%).
	assert.GreaterOrEqual(t, res.EKS.Summary.HPAs[0].PeakDesired, int32(3))

	// The same scenario and seed again: the same events, in the same order.
	again, err := sim.New(s.Config).Run()
	require.NoError(t, err)
	assert.Equal(t, res.Events, again.Events)
	assert.Equal(t, res.EKS.Summary.HPAs, again.EKS.Summary.HPAs)
}

const hpaManifest = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: %TARGET%
  minReplicas: %MIN%
  maxReplicas: 4
  metrics:
  - type: %TYPE%
    pods:
      metric:
        name: requests_per_second
      target:
        type: AverageValue
        averageValue: "20"
`

func hpaYAML(target, minR, typ string) string {
	return strings.NewReplacer("%TARGET%", target, "%MIN%", minR, "%TYPE%", typ).Replace(hpaManifest)
}

// Bad input: each problem names the manifest's file and line, the field,
// what was wanted and what was found.
func TestHPABadInput(t *testing.T) {
	base := strings.Replace(eksBase, `manifests = ["web.yaml", "job.yaml"]`, `manifests = ["web.yaml", "job.yaml", "hpa.yaml"]`, 1)
	withLoad := base + `
[[eks.deployment]]
name = "web"
pod_requests_per_second = 50
  [eks.deployment.load]
  pattern = "diurnal"
  base_rps = 20
  peak_rps = 300
  peak_hour = 14
`
	for _, tc := range []struct {
		name, src, manifest string
		line                int
		key, want, got      string
	}{
		{"minReplicas above maxReplicas", withLoad, hpaYAML("web", "5", "Pods"), 10,
			`HorizontalPodAutoscaler "web": spec.minReplicas`, "at most maxReplicas (4)", "5"},
		{"a scale target that does not exist", withLoad, hpaYAML("wbe", "1", "Pods"), 9,
			`HorizontalPodAutoscaler "web": spec.scaleTargetRef.name`, "the name of one of the scenario's Deployments", `"wbe"`},
		{"requests per second of a Deployment without load", base, hpaYAML("web", "1", "Pods"), 13,
			`HorizontalPodAutoscaler "web": spec.metrics[0]`, `a metric Deployment "web" produces`, "requests_per_second of a Deployment without load"},
		{"an Object metric", withLoad, hpaYAML("web", "1", "Object"), 13,
			`HorizontalPodAutoscaler "web": spec.metrics[0].type`, "Resource, Pods or External (the sources fleetsim models)", `"Object"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseEKS(tc.src, map[string]string{"hpa.yaml": tc.manifest})
			ps := problemsOf(t, err)
			var found *Problem
			for i := range ps {
				if ps[i].Key == tc.key {
					found = &ps[i]
				}
			}
			require.NotNil(t, found, "no problem at %s in %v", tc.key, ps)
			assert.Equal(t, "hpa.yaml", found.File)
			assert.Equal(t, tc.line, found.Line)
			assert.Equal(t, tc.want, found.Want)
			assert.Equal(t, tc.got, found.Got)
		})
	}
}

// The TOML form reports at the scenario's keys; fields not modelled in a
// manifest are warnings.
func TestHPATOMLFormAndWarnings(t *testing.T) {
	src := eksBase + `
[[eks.horizontal_pod_autoscaler]]
name = "web"
deployment = "web"
min_replicas = 3
max_replicas = 2
`
	ps := problemsOf(t, func() error { _, err := parseEKS(src, nil); return err }())
	require.NotEmpty(t, ps)
	assert.Contains(t, ps.Error(), "eks.toml:29: eks.horizontal_pod_autoscaler.0.min_replicas")
	assert.Contains(t, ps.Error(), "at most maxReplicas (2)")

	ok := eksBase + `
[[eks.horizontal_pod_autoscaler]]
name = "web"
deployment = "web"
max_replicas = 6
  [[eks.horizontal_pod_autoscaler.metrics]]
  type = "Resource"
  resource = { name = "memory", target = { type = "AverageValue", average_value = "200Mi" } }
  [eks.horizontal_pod_autoscaler.behavior.scale_down]
  select_policy = "Disabled"
[eks.hpa_controller]
sync_period = "30s"
metric_resolution = "30s"
`
	s, err := parseEKS(ok, nil)
	require.NoError(t, err)
	h := s.Config.EKS.HPAs[0]
	assert.Equal(t, int64(200<<20)*1000, h.Spec.Metrics[0].TargetMilli)
	assert.Equal(t, hpa.SelectDisabled, *h.Spec.Behavior.ScaleDown.SelectPolicy)
	assert.Equal(t, 30*time.Second, h.Controller.SyncPeriod)
	assert.Equal(t, 30*time.Second, h.MetricResolution)
	assert.Nil(t, h.Spec.MinReplicas, "1 by default")

	// A cpu HPA on a Deployment without load: a warning. Two HPAs on one
	// Deployment: refused.
	s, err = parseEKS(eksBase+`
[[eks.horizontal_pod_autoscaler]]
name = "web"
deployment = "web"
max_replicas = 6
`, nil)
	require.NoError(t, err)
	require.Len(t, s.Warnings, 1)
	assert.Equal(t, "eks.horizontal_pod_autoscaler.0.metrics.0", s.Warnings[0].Key)
	assert.Contains(t, s.Warnings[0].Hint, "stays at minReplicas")
	ps = problemsOf(t, func() error {
		_, err := parseEKS(eksBase+`
[[eks.horizontal_pod_autoscaler]]
name = "web"
deployment = "web"
max_replicas = 6
[[eks.horizontal_pod_autoscaler]]
name = "web-2"
deployment = "web"
max_replicas = 6
`, nil)
		return err
	}())
	assert.Contains(t, ps.Error(), "one HorizontalPodAutoscaler per Deployment")

	warn := hpaYAML("web", "1", "Pods") + "  scaleTargetRefs: {}\n"
	withLoad := strings.Replace(eksBase, `manifests = ["web.yaml", "job.yaml"]`, `manifests = ["web.yaml", "job.yaml", "hpa.yaml"]`, 1) + `
[[eks.deployment]]
name = "web"
pod_requests_per_second = 50
  [eks.deployment.load]
  pattern = "diurnal"
  base_rps = 20
  peak_rps = 300
  peak_hour = 14
`
	s, err = parseEKS(withLoad, map[string]string{"hpa.yaml": warn})
	require.NoError(t, err)
	require.Len(t, s.Warnings, 1)
	assert.Equal(t, `HorizontalPodAutoscaler "web": spec.scaleTargetRefs`, s.Warnings[0].Key)
	assert.Equal(t, 20, s.Warnings[0].Line)
}

// FuzzHPAManifest: no manifest text makes the HPA reader panic; what it
// accepts is a checked HPA.
func FuzzHPAManifest(f *testing.F) {
	for _, s := range []string{hpaYAML("web", "1", "Pods"), hpaYAML("web", "x", "Resource"), "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec: [1]\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: autoscaling/v1\n  kind: HorizontalPodAutoscaler\n  metadata: {name: a}\n  spec: {maxReplicas: 3, targetCPUUtilizationPercentage: 50, scaleTargetRef: {kind: Deployment, name: web}}\n",
		"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: w}\nspec:\n  maxReplicas: 2\n  behavior: {scaleUp: {policies: [{type: Pods, value: -1, periodSeconds: 99999}], selectPolicy: Maxx, tolerance: \"-1\"}}\n  metrics: [{type: External, external: {metric: {name: requests_per_second}, target: {type: Value, value: 1e400}}}]\n  scaleTargetRef: &a {kind: Deployment, name: web}\n"} {
		f.Add(s)
	}
	src := strings.Replace(eksBase, `manifests = ["web.yaml", "job.yaml"]`, `manifests = ["web.yaml", "job.yaml", "hpa.yaml"]`, 1)
	f.Fuzz(func(t *testing.T, manifest string) {
		s, err := parseEKS(src, map[string]string{"hpa.yaml": manifest})
		if err != nil {
			return
		}
		for _, h := range s.Config.EKS.HPAs {
			require.NoError(t, h.Spec.Validate())
			require.Len(t, h.Sources, len(h.Spec.Metrics))
		}
	})
}
