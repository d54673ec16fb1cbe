package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// [[eks.fargate_profile]]: EKS's CreateFargateProfile in snake_case. A pod
// matching one of a profile's selectors when it is created runs on Fargate
// (sim/eks/fargate_world.go); docs/semantics/eks-fargate.md lists the keys,
// rules and defaults with their sources.

// fargateProfileSchema is one [[eks.fargate_profile]].
type fargateProfileSchema struct {
	// Name: the profile's name, unique in the cluster.
	Name string `toml:"name"`
	// Selectors: a namespace and labels each, up to five (AWS,
	// fargate-profile.html: "You can add up to five selectors to each
	// profile.").
	Selectors []fargateSelectorSchema `toml:"selectors" maxitems:"5" why:"EKS: up to five selectors per Fargate profile"`
	// AvailabilityZones: the zones of the profile's (private) subnets;
	// unset, the cluster's.
	AvailabilityZones []string `toml:"availability_zones" maxitems:"6"`
}

// fargateSelectorSchema is one FargateProfileSelector: "Each selector must
// contain a namespace. The selector can also include labels."
type fargateSelectorSchema struct {
	// Namespace: required; the pod's namespace.
	Namespace string `toml:"namespace"`
	// Labels: every one must be on the pod; at most 5 (EKS quota "Label
	// pairs per Fargate profile selector").
	Labels map[string]string `toml:"labels" maxitems:"5" why:"EKS: up to five label pairs per Fargate profile selector"`
}

// fargateProfileName is CreateFargateProfile's fargateProfileName: EKS
// documents no pattern beyond the node group's (choice: the node group
// rule, 1 to 63 letters, digits, hyphens and underscores).
var fargateProfileName = nameRule{"a name of 1 to 63 letters, digits, hyphens and underscores, starting with a letter or digit", func(s string) bool {
	return len(s) <= 63 && eksNamePattern.MatchString(s)
}}

// fargateSettings reads [eks] fargate_start_time and
// fargate_image_pull_bandwidth into the world's settings.
func (v *validator) fargateSettings(out *eks.Config) {
	e := v.f.EKS
	if d := e.FargateStartTime; d != nil {
		out.Settings.FargateStartTime = d.Duration
	}
	if b := e.FargatePullBandwidth; b != nil {
		out.Settings.FargatePullBytesPerSecond = b.BytesPerSecond
	}
}

// fargateProfiles reads [[eks.fargate_profile]]: names unique and valid,
// each selector's namespace given and its labels valid, the zones the
// cluster's.
func (v *validator) fargateProfiles(cl *eks.Config) []eks.FargateProfile {
	var out []eks.FargateProfile
	names := map[string]bool{}
	if len(v.f.EKS.FargateProfiles) > 0 && v.cat != nil && v.cat.Region != catalog.Default().Region {
		// As for ECS's Fargate tasks (billing.go): a Fargate pod would be billed nothing.
		v.badHint(p("region"), "us-east-1 for a scenario with Fargate profiles", quoteShort(v.cat.Region),
			"AWS's Fargate pricing page was read for us-east-1 only: fleetsim has no Fargate price for other regions")
	}
	for i, fp := range v.f.EKS.FargateProfiles {
		path := p("eks", "fargate_profile", i)
		k := func(more ...any) []string { return append(slices.Clone(path), p(more...)...) }
		switch {
		case fp.Name == "":
			v.bad(k("name"), "a Fargate profile name", "none")
		case !fargateProfileName.ok(fp.Name):
			v.bad(k("name"), fargateProfileName.want, quoteShort(fp.Name))
		case names[fp.Name]:
			v.bad(k("name"), "a unique Fargate profile name", quoteShort(fp.Name)+" again")
		}
		names[fp.Name] = true
		prof := eks.FargateProfile{Name: fp.Name, Zones: fp.AvailabilityZones}
		if len(fp.Selectors) == 0 {
			v.badHint(k("selectors"), "at least one selector (EKS: pods that match a selector run on Fargate)", "none",
				`selectors = [{ namespace = "default" }]`)
		}
		for j, s := range fp.Selectors {
			if s.Namespace == "" {
				v.bad(k("selectors", j, "namespace"), "a namespace (EKS: each selector must contain a namespace)", "none")
			}
			for _, key := range sortedKeys(s.Labels) {
				v.checkLabel(k("selectors", j, "labels", key), key, s.Labels[key])
			}
			prof.Selectors = append(prof.Selectors, eks.FargateSelector{Namespace: s.Namespace, Labels: s.Labels})
		}
		for j, az := range fp.AvailabilityZones {
			if !slices.Contains(cl.Zones, az) {
				v.bad(k("availability_zones", j), "one of eks.zones", quoteShort(az))
			}
		}
		out = append(out, prof)
	}
	return out
}

// fargateTakes reports whether a pod template matches one of the profiles
// (its labels and namespace as a pod of it is created).
func fargateTakes(profiles []eks.FargateProfile, t *eks.PodTemplate, ns string) bool {
	return eks.MatchFargateProfile(profiles, ns, t.Pod.Labels, nil) >= 0
}

// fargateCheck is fitCheck's for a template a Fargate profile takes: what
// Fargate refuses (hostPort, hostNetwork, a pod above 16 vCPU / 120 GB) is a
// problem at the workload; the node groups' fit does not apply. Reports
// whether a profile takes the template. In a cluster with no node group
// and no NodePool, a template no profile takes (not a DaemonSet's) could
// never run: a problem too.
//
// A DaemonSet's pods never run on Fargate (fargate.html: "DaemonSets aren't
// supported"): its pods stay the nodes' (false), and one a profile matches
// in a cluster with no node group and no NodePool is a DaemonSet only
// Fargate could take, which would never run: a problem at the DaemonSet.
func (fc *fitCheck) fargateCheck(v *validator, s site, field string, t eks.PodTemplate) bool {
	if len(fc.fargate) == 0 {
		return false
	}
	if !fargateTakes(fc.fargate, &t, t.Pod.Namespace) {
		if len(fc.nodes) == 0 && !strings.HasPrefix(s.object, "DaemonSet ") {
			v.problems = append(v.problems, s.problem(labelsField(field),
				"a namespace and labels a Fargate profile's selector matches (the cluster has no node group or NodePool for its pods)",
				"no Fargate profile matches namespace "+t.Pod.Namespace+" with labels {"+labelList(t.Pod.Labels)+"}", "add a selector for it, or a node group"))
		}
		return false
	}
	if strings.HasPrefix(s.object, "DaemonSet ") {
		if len(fc.nodes) == 0 {
			prof := fc.fargate[eks.MatchFargateProfile(fc.fargate, t.Pod.Namespace, t.Pod.Labels, nil)].Name
			v.problems = append(v.problems, s.problem(labelsField(field),
				"a DaemonSet some node can run (Fargate runs no DaemonSets, and the cluster has no [[eks.node_group]] or [[eks.node_pools]])",
				"its pods match only Fargate profile "+quoteShort(prof), "add a node group, or remove the DaemonSet"))
		}
		return false
	}
	if err := eks.CheckFargatePod(&t, false, t.Privileged); err != nil {
		where := field
		if strings.Contains(err.Error(), "largest Fargate size") || strings.Contains(err.Error(), "hostPort") {
			where = field + ".containers"
		}
		v.problems = append(v.problems, s.problem(where, "a pod Fargate can run (its namespace and labels match a Fargate profile)",
			err.Error(), "change the pod, or the profile's selectors so that it runs on nodes"))
	}
	return true
}

// fargateChecks looks at the profiles against the workloads, once they are
// read:
//   - a profile none of whose selectors matches a pod of any Deployment, Job
//     or Pod selects nothing: a problem (it would be a profile that never runs
//     a pod, which a scenario writes only by mistake);
//
// (A DaemonSet only Fargate could take is fitCheck.fargateCheck's.)
func (v *validator) fargateChecks(cl *eks.Config) {
	if len(cl.FargateProfiles) == 0 {
		return
	}
	type tmpl struct {
		t  *eks.PodTemplate
		ns string
	}
	var ts []tmpl
	for i := range cl.Deployments {
		ts = append(ts, tmpl{&cl.Deployments[i].Template, cl.Deployments[i].Namespace})
	}
	for i := range cl.Jobs {
		ts = append(ts, tmpl{&cl.Jobs[i].Template, cl.Jobs[i].Namespace})
	}
	for i := range cl.Pods {
		ts = append(ts, tmpl{&cl.Pods[i].Template, cl.Pods[i].Namespace})
	}
	for i, fp := range cl.FargateProfiles {
		if len(fp.Selectors) == 0 || slices.ContainsFunc(fp.Selectors, func(s eks.FargateSelector) bool { return s.Namespace == "" }) {
			continue // reported
		}
		if !slices.ContainsFunc(ts, func(x tmpl) bool { return fargateTakes(cl.FargateProfiles[i:i+1], x.t, x.ns) }) {
			v.badHint(p("eks", "fargate_profile", i, "selectors"), "selectors matching the pods of a Deployment, Job or Pod (namespace and every label)",
				fmt.Sprintf("none of the %d workloads' pods match", len(ts)), "a selector's namespace and labels as the pod template's metadata has them")
		}
	}
}

// labelsField is the template's labels beside its spec field: "spec" (a
// Pod's) -> "metadata.labels", "spec.template.spec" -> "spec.template.metadata.labels".
func labelsField(specField string) string {
	if specField == "spec" {
		return "metadata.labels"
	}
	return strings.TrimSuffix(specField, ".spec") + ".metadata.labels"
}

// labelList writes labels as k=v, by key.
func labelList(m map[string]string) string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, ", ")
}
