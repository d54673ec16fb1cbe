package scenarios

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	pkube "github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// Control-plane prices per cluster-hour. AWS, Amazon EKS pricing and
// "Amazon EKS extended support for Kubernetes versions pricing" (AWS
// Containers blog, 2024): "a total of $0.60 per cluster per hour" in
// extended support; standard support "$0.10 per cluster per hour".
const (
	eksStandardUSDPerHour = 0.10
	eksExtendedUSDPerHour = 0.60
)

// eksDefaultVersion is the Kubernetes version of a cluster that names none.
const eksDefaultVersion = "1.34"

// The node group defaults: EKS CreateNodegroup, instanceTypes "t3.medium"
// when none is given for a managed node group; capacityType ON_DEMAND;
// amiType AL2023 for the instance types' architecture.
const (
	eksDefaultInstanceType = "t3.medium"
	// eksLaunchTime is an instance's boot before its kubelet starts: the same
	// 90 s choice as an ECS container instance's (docs/semantics.md).
	eksLaunchTime = 90 * time.Second
	// eksNodeRegistration is the kubelet's start and registration to a
	// Ready node (choice: 30 s).
	eksNodeRegistration = 30 * time.Second
)

// Priority classes every cluster has (Kubernetes "Pod Priority and
// Preemption": system-cluster-critical and system-node-critical, values
// 2000000000 and 2000001000; a user class may go to 1000000000).
var builtinPriorityClasses = []eks.PriorityClass{
	{Name: "system-cluster-critical", Value: 2000000000, PreemptionPolicy: "PreemptLowerPriority"},
	{Name: "system-node-critical", Value: 2000001000, PreemptionPolicy: "PreemptLowerPriority"},
}

// The AMI types of CreateNodegroup's amiType that fleetsim runs (Linux):
// the family the node's kubelet configuration follows, and the architecture.
var eksAMITypes = []struct{ name, family, arch string }{
	{"AL2023_x86_64_STANDARD", "AL2023", "x86_64"},
	{"AL2023_ARM_64_STANDARD", "AL2023", "arm64"},
	{"AL2023_x86_64_NVIDIA", "AL2023", "x86_64"},
	{"AL2023_ARM_64_NVIDIA", "AL2023", "arm64"},
	{"AL2023_x86_64_NEURON", "AL2023", "x86_64"},
	{"AL2_x86_64", "AL2", "x86_64"},
	{"AL2_x86_64_GPU", "AL2", "x86_64"},
	{"AL2_ARM_64", "AL2", "arm64"},
	{"BOTTLEROCKET_x86_64", "Bottlerocket", "x86_64"},
	{"BOTTLEROCKET_ARM_64", "Bottlerocket", "arm64"},
	{"BOTTLEROCKET_x86_64_NVIDIA", "Bottlerocket", "x86_64"},
	{"BOTTLEROCKET_ARM_64_NVIDIA", "Bottlerocket", "arm64"},
	{"BOTTLEROCKET_x86_64_FIPS", "Bottlerocket", "x86_64"},
	{"BOTTLEROCKET_ARM_64_FIPS", "Bottlerocket", "arm64"},
}

// eksNodeLabels are the labels the EKS world sets on every node; a node
// group may not set them itself.
var eksNodeLabels = []string{pkube.LabelHostname, pkube.LabelTopologyZone, pkube.LabelTopologyRegion,
	"node.kubernetes.io/instance-type", "kubernetes.io/arch", "kubernetes.io/os",
	"eks.amazonaws.com/capacityType", "eks.amazonaws.com/nodegroup"}

// eksUsesECS reports whether the scenario also describes an ECS cluster.
func (v *validator) eksUsesECS() []string {
	f := v.f
	var ecsKeys []string
	if !reflect.ValueOf(f.Cluster).IsZero() {
		ecsKeys = append(ecsKeys, "[cluster]")
	}
	for _, l := range []struct {
		key string
		n   int
	}{{"auto_scaling_groups", len(f.AutoScalingGroups)}, {"capacity_providers", len(f.CapacityProviders)},
		{"task_definitions", len(f.TaskDefinitions)}, {"services", len(f.Services)}, {"batch_jobs", len(f.BatchJobs)},
		{"timeline", len(f.Timeline)}} {
		if l.n > 0 {
			ecsKeys = append(ecsKeys, l.key)
		}
	}
	return ecsKeys
}

// buildEKS reads [eks] into cfg: the cluster (cfg.EKS) and its node groups'
// Auto Scaling groups (cfg.Groups). cfg.Cluster, the ECS cluster, stays
// empty: capacity takes the EKS cluster's zones.
func (v *validator) buildEKS(cfg *sim.Config) {
	e := v.f.EKS
	if ecsKeys := v.eksUsesECS(); len(ecsKeys) > 0 {
		v.badHint(p("eks"), "an ECS cluster or an EKS cluster", "both: [eks] beside "+strings.Join(ecsKeys, ", "),
			"a scenario with both orchestrators is not supported yet: put the ECS cluster and the EKS cluster in two scenarios")
	}
	v.ecsSettingsUnread()
	out := &eks.Config{Name: e.Name, Version: e.Version, Support: e.Support, Zones: e.Zones}
	if out.Name == "" {
		out.Name = v.f.Name
	}
	v.checkName(p("eks", "name"), eksClusterName, e.Name)
	v.eksVersion(out, cfg.Start)
	v.eksZones(out)
	out.Settings = eks.Settings{NodeRegistration: eksNodeRegistration, SchedulerBackoffInitial: time.Second,
		SchedulerBackoffMax: 10 * time.Second, PodEvents: true}
	if d := e.NodeRegistration; d != nil {
		out.Settings.NodeRegistration = d.Duration
	}
	if t := v.f.Report.TaskEvents; t != nil {
		out.Settings.PodEvents = *t // [report] task_events: the pods' events in an EKS run
	}
	if e.PodEvents != nil {
		out.Settings.PodEvents = *e.PodEvents
	}
	if d := e.DrainTimeout; d != nil {
		out.Settings.DrainTimeout = d.Duration
	}
	out.NodeGroups, cfg.Groups = v.nodeGroups(out)
	out.FargateProfiles = v.fargateProfiles(out) // eks_fargate.go
	v.fargateSettings(out)
	v.karpenterPools(out, &cfg.Groups, cfg.Settings.SpotDiscount) // eks_karpenter.go
	out.PriorityClasses = v.priorityClasses()
	objs := v.eksManifests()
	v.eksWorkloads(cfg, out, objs)
	v.fargateChecks(out) // eks_fargate.go
	out.HPAs = v.hpas(out, objs)
	out.Budgets = v.budgets()
	out.Timeline = v.eksTimeline(cfg, out)
	out.ClusterAutoscaler = v.clusterAutoscaler(out, objs) // eks_ca.go
	out.Karpenter.DoNotDisrupt = kpDoNotDisrupt(objs)      // eks_karpenter.go
	out.Scheduler = v.eksScheduler()
	out.Explain = v.explain()
	v.eksQuotas(out, cfg)
	v.eksBounds(out, cfg)
	v.explainMatches(out)
	cfg.EKS = out
}

// eksClusterName is CreateCluster's name rule: "The name can contain only
// alphanumeric characters (case-sensitive), hyphens, and underscores. It
// must start with an alphanumeric character and can't be longer than 100
// characters."
var eksClusterName = nameRule{"a name of 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit", func(s string) bool {
	return len(s) <= 100 && eksNamePattern.MatchString(s)
}}

// eksNamePattern is the characters of EKS's cluster and node group names.
var eksNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// nodeGroupName is CreateNodegroup's nodegroupName rule: 1 to 63
// characters, "It must start with letter or digit and can have any of the
// following characters: the set of Unicode letters, digits, hyphens and
// underscores."
var nodeGroupName = nameRule{"a name of 1 to 63 letters, digits, hyphens and underscores, starting with a letter or digit", func(s string) bool {
	return len(s) <= 63 && eksNamePattern.MatchString(s)
}}

var eksVersionPattern = regexp.MustCompile(`^1\.([0-9]{1,2})$`)

// eksVersion checks the Kubernetes version ("1.34") and the support tier,
// and sets the control plane's price.
func (v *validator) eksVersion(out *eks.Config, start time.Time) {
	if out.Version == "" {
		out.Version = eksDefaultVersion
	}
	// EKS's versions, standard and extended support, start at 1.23 (extended
	// support "is available for Kubernetes versions 1.23 and higher").
	if m := eksVersionPattern.FindStringSubmatch(out.Version); m == nil {
		v.bad(p("eks", "version"), `a Kubernetes minor version such as "1.34"`, quoteShort(out.Version))
	} else if n, _ := strconv.Atoi(m[1]); n < 23 {
		v.bad(p("eks", "version"), "a version EKS runs (1.23 or later)", quoteShort(out.Version))
	}
	tiers := []string{"standard", "extended"}
	given := out.Support
	out.Support = tiers[v.enum(p("eks", "support"), tiers, out.Support, 0)]
	if c, ok := eksCalendar[out.Version]; ok {
		v.eksSupportAt(out, c, given, start)
	}
	out.ControlPlaneUSDPerHour = eksStandardUSDPerHour
	if out.Support == "extended" {
		out.ControlPlaneUSDPerHour = eksExtendedUSDPerHour
	}
}

// eksZones checks the cluster's zones: CreateCluster's subnets "must be in
// at least two different Availability Zones".
func (v *validator) eksZones(out *eks.Config) {
	region := v.cat.Region
	if len(out.Zones) < 2 {
		v.bad(p("eks", "zones"), "at least two Availability Zones such as [\"us-east-1a\", \"us-east-1b\"] (EKS: a cluster's subnets span two zones or more)",
			fmt.Sprintf("%d", len(out.Zones)))
	}
	seen := map[string]bool{}
	zs := catalog.Zones(region)
	for i, az := range out.Zones {
		if len(zs) > 0 && !slices.Contains(zs, az) {
			v.bad(p("eks", "zones", i), fmt.Sprintf("an Availability Zone of %s, %s to %s", region, zs[0], zs[len(zs)-1]), quoteShort(az))
		}
		if seen[az] {
			v.bad(p("eks", "zones", i), "each zone once", quoteShort(az)+" twice")
		}
		seen[az] = true
	}
}

// nodeGroups reads [[eks.node_group]]: each becomes an Auto Scaling group of
// the capacity layer (the one a managed node group is made of) and the
// eks.NodeGroup over it.
func (v *validator) nodeGroups(cl *eks.Config) ([]eks.NodeGroup, []capacity.GroupConfig) {
	var ngs []eks.NodeGroup
	var gcs []capacity.GroupConfig
	names := map[string]bool{}
	if len(v.f.EKS.NodeGroups) == 0 && len(v.f.EKS.NodePools) == 0 && len(v.f.EKS.FargateProfiles) == 0 {
		v.bad(p("eks", "node_group"), "at least one [[eks.node_group]] for the pods to run on", "none")
	}
	for i, g := range v.f.EKS.NodeGroups {
		path := p("eks", "node_group", i)
		k := func(key string, more ...any) []string { return append(append(slices.Clone(path), key), p(more...)...) }
		switch {
		case g.Name == "":
			v.bad(k("name"), "a node group name", "none")
		case !nodeGroupName.ok(g.Name):
			v.bad(k("name"), nodeGroupName.want, quoteShort(g.Name))
		case names[g.Name]:
			v.bad(k("name"), "a unique node group name", quoteShort(g.Name)+" again")
		}
		names[g.Name] = true
		kinds := []string{"managed", "self_managed"}
		ng := eks.NodeGroup{Name: g.Name, Kind: eks.NodeKind(v.enum(k("kind"), kinds, g.Kind, 0)), Group: len(gcs),
			Labels: g.Labels, PrefixDelegation: g.PrefixDelegation, MaxPods: g.MaxPods}
		gc := capacity.GroupConfig{Name: g.Name, AvailabilityZones: g.AvailabilityZones, LaunchTime: eksLaunchTime,
			OnDemandPercentageAboveBase: 100, SpotAllocationStrategy: "price-capacity-optimized"}
		types := g.InstanceTypes
		if len(types) == 0 {
			if ng.Kind == eks.SelfManaged {
				v.bad(k("instance_types"), "at least one instance type such as \"m5.large\" (a self-managed group has no default)", "none")
			}
			types = []string{eksDefaultInstanceType}
		}
		for j, name := range types {
			it, ok := v.cat.Lookup(name)
			if !ok {
				pr := v.problem(k("instance_types", j), "an EC2 instance type in the "+v.cat.Region+" catalog", quoteShort(name), "")
				if s := v.cat.Suggest(name, 3); len(s) > 0 {
					pr.Hint = "did you mean " + strings.Join(s, ", ") + "?"
				}
				v.problems = append(v.problems, pr)
				continue
			}
			if slices.ContainsFunc(gc.InstanceTypes, func(t catalog.InstanceType) bool { return t.Name == it.Name }) {
				v.bad(k("instance_types", j), "each instance type once", quoteShort(name)+" again")
			}
			gc.InstanceTypes = append(gc.InstanceTypes, it)
		}
		gc.MinSize, gc.MaxSize, gc.DesiredCapacity = v.nodeGroupSizes(path, g)
		// EKS managed node groups with Spot: "Capacity Optimized allocation
		// strategy" and capacity rebalancing (EKS user guide, "Managed node
		// group capacity types").
		switch v.enum(k("capacity_type"), []string{"ON_DEMAND", "SPOT"}, g.CapacityType, 0) {
		case 1:
			gc.OnDemandPercentageAboveBase = 0
			if ng.Kind == eks.Managed {
				gc.SpotAllocationStrategy = "capacity-optimized"
			}
		}
		if g.SpotInterruptionsPerInstanceHour < 0 {
			v.bad(k("spot_interruptions_per_instance_hour"), "a rate from 0 to 10", fmt.Sprint(g.SpotInterruptionsPerInstanceHour))
		}
		gc.SpotInterruptionsPerInstHour = g.SpotInterruptionsPerInstanceHour
		if g.InstanceLaunchTime != nil {
			gc.LaunchTime = g.InstanceLaunchTime.Duration
		}
		if len(gc.AvailabilityZones) == 0 {
			gc.AvailabilityZones = cl.Zones
		}
		for j, az := range gc.AvailabilityZones {
			if !slices.Contains(cl.Zones, az) {
				v.bad(k("availability_zones", j), "one of eks.zones", quoteShort(az))
			}
		}
		ng.AMIFamily = v.amiType(k("ami_type"), g.AMIType, gc.InstanceTypes, cl.Version)
		for _, key := range sortedKeys(g.Labels) {
			if slices.Contains(eksNodeLabels, key) {
				v.bad(k("labels", key), "a label the world does not set itself (it sets "+strings.Join(eksNodeLabels, ", ")+")", quoteShort(key))
				continue
			}
			v.checkLabel(k("labels", key), key, g.Labels[key])
		}
		for j, t := range g.Taints {
			if taint, ok := v.taint(k("taints", j), t); ok {
				ng.Taints = append(ng.Taints, taint)
			}
		}
		if g.MaxPods < 0 {
			v.bad(k("max_pods"), "a max pods of at least 1 (0: the EKS AMI's figure)", strconv.Itoa(g.MaxPods))
		}
		ng.SystemReserved = v.systemReserved(path, g)
		ngs = append(ngs, ng)
		gcs = append(gcs, gc)
	}
	return ngs, gcs
}

// nodeGroupSizes checks CreateNodegroup's scalingConfig: minSize >= 0,
// maxSize >= 1, minSize <= desiredSize <= maxSize. desired_size defaults to
// min_size, max_size to the larger of the two (and at least 1).
func (v *validator) nodeGroupSizes(path []string, g nodeGroupSchema) (minS, maxS, desired int) {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	if g.MinSize != nil {
		minS = *g.MinSize
	}
	desired = minS
	if g.DesiredSize != nil {
		desired = *g.DesiredSize
	}
	maxS = max(desired, minS, 1)
	if g.MaxSize != nil {
		maxS = *g.MaxSize
	}
	switch {
	case minS < 0:
		v.bad(k("min_size"), "min_size >= 0", fmt.Sprint(minS))
	case maxS < 1:
		v.bad(k("max_size"), "max_size >= 1 (EKS: NodegroupScalingConfig maxSize)", fmt.Sprint(maxS))
	case maxS < minS:
		v.bad(k("max_size"), fmt.Sprintf("max_size >= min_size (%d)", minS), fmt.Sprint(maxS))
	case desired < minS || desired > maxS:
		v.bad(k("desired_size"), fmt.Sprintf("desired_size between min_size %d and max_size %d", minS, maxS), fmt.Sprint(desired))
	}
	return minS, maxS, desired
}

// amiType reads a node group's amiType: its family, checked against the
// instance types' architecture. Windows and CUSTOM AMIs are not modelled.
func (v *validator) amiType(path []string, name string, types []catalog.InstanceType, version string) string {
	arch := "x86_64"
	if len(types) > 0 {
		arch = types[0].Arch
	}
	if name == "" {
		if arch == "arm64" {
			name = "AL2023_ARM_64_STANDARD"
		} else {
			name = "AL2023_x86_64_STANDARD"
		}
	}
	i := slices.IndexFunc(eksAMITypes, func(a struct{ name, family, arch string }) bool { return a.name == name })
	if i < 0 {
		var names []string
		for _, a := range eksAMITypes {
			names = append(names, a.name)
		}
		pr := v.problem(path, "an EKS Linux AMI type such as AL2023_x86_64_STANDARD, AL2_x86_64 or BOTTLEROCKET_x86_64", quoteShort(name), "")
		switch {
		case strings.HasPrefix(name, "WINDOWS"), name == "CUSTOM":
			pr.Hint = "Windows and custom AMIs are not modelled"
		default:
			if c := closest(name, names); c != "" {
				pr.Hint = fmt.Sprintf("did you mean %q?", c)
			}
		}
		v.problems = append(v.problems, pr)
		return "AL2023"
	}
	a := eksAMITypes[i]
	for _, t := range types {
		if t.Arch != a.arch {
			v.bad(path, fmt.Sprintf("an AMI type for the instance types' architecture (%s is %s)", t.Name, t.Arch), name+", an "+a.arch+" AMI")
			break
		}
	}
	// Amazon EKS: "Kubernetes version 1.32 is the last version for which
	// Amazon EKS will release AL2 AMIs."
	if m := eksVersionPattern.FindStringSubmatch(version); m != nil && a.family == "AL2" {
		if n, _ := strconv.Atoi(m[1]); n > 32 {
			v.warn(path, "an AMI EKS publishes for Kubernetes "+version, name,
				"EKS released AL2 AMIs up to Kubernetes 1.32: AL2023 or Bottlerocket for later versions")
		}
	}
	return a.family
}

// systemReserved reads the kubelet's systemReserved cpu and memory
// (Kubernetes quantities).
func (v *validator) systemReserved(path []string, g nodeGroupSchema) eks.Resources {
	var r eks.Resources
	if g.SystemReservedCPU != "" {
		if m, ok := quantityMilli(g.SystemReservedCPU); ok {
			r.MilliCPU = m
		} else {
			v.bad(append(slices.Clone(path), "system_reserved_cpu"), `a CPU quantity such as "100m" or "1"`, quoteShort(g.SystemReservedCPU))
		}
	}
	if g.SystemReservedMemory != "" {
		if b, ok := quantityBytes(g.SystemReservedMemory); ok {
			r.MemoryBytes = b
		} else {
			v.bad(append(slices.Clone(path), "system_reserved_memory"), `a memory quantity such as "100Mi" or "1Gi"`, quoteShort(g.SystemReservedMemory))
		}
	}
	return r
}

// The Kubernetes label rules (apimachinery validation IsQualifiedName and
// IsValidLabelValue): a name of at most 63 characters, alphanumerics with -
// _ . inside, optionally behind a DNS subdomain prefix of at most 253 and a
// slash; a value empty or a name.
var (
	labelNamePattern = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	dnsSubdomain     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

func validLabelKey(k string) bool {
	prefix, name, hasPrefix := strings.Cut(k, "/")
	if !hasPrefix {
		name = prefix
	} else if len(prefix) == 0 || len(prefix) > 253 || !dnsSubdomain.MatchString(prefix) {
		return false
	}
	return len(name) <= 63 && labelNamePattern.MatchString(name)
}

func validLabelValue(v string) bool {
	return v == "" || len(v) <= 63 && labelNamePattern.MatchString(v)
}

const (
	labelKeyWant   = "a label key: a name of up to 63 letters, digits, - _ and . (starting and ending with a letter or digit), optionally behind a DNS prefix and /"
	labelValueWant = "a label value: empty, or up to 63 letters, digits, - _ and . starting and ending with a letter or digit"
)

// checkLabel reports a label key or value Kubernetes would refuse.
func (v *validator) checkLabel(path []string, key, value string) bool {
	if !validLabelKey(key) {
		v.bad(path, labelKeyWant, quoteShort(key))
		return false
	}
	if !validLabelValue(value) {
		v.bad(path, labelValueWant, quoteShort(value))
		return false
	}
	return true
}

// taint parses a taint as kubectl taint writes it: "key=value:Effect" or
// "key:Effect", Effect NoSchedule, PreferNoSchedule or NoExecute.
func (v *validator) taint(path []string, s string) (pkube.Taint, bool) {
	const want = `a taint "key=value:Effect" or "key:Effect" with Effect NoSchedule, PreferNoSchedule or NoExecute`
	kv, effect, ok := strings.Cut(s, ":")
	for ok && strings.Contains(effect, ":") { // a key's prefix has no colon; the effect is after the last one
		var more string
		more, effect, _ = strings.Cut(effect, ":")
		kv += ":" + more
	}
	if !ok {
		v.bad(path, want, quoteShort(s))
		return pkube.Taint{}, false
	}
	key, value, _ := strings.Cut(kv, "=")
	t := pkube.Taint{Key: key, Value: value}
	switch effect {
	case "NoSchedule":
		t.Effect = pkube.NoSchedule
	case "PreferNoSchedule":
		t.Effect = pkube.PreferNoSchedule
	case "NoExecute":
		t.Effect = pkube.NoExecute
	default:
		pr := v.problem(path, want, quoteShort(s), "")
		switch effect {
		case "NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE":
			pr.Hint = "Kubernetes' spelling, as kubectl taint writes it: NoSchedule, PreferNoSchedule, NoExecute"
		default:
			if c := closest(effect, []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}); c != "" {
				pr.Hint = fmt.Sprintf("did you mean %q?", c)
			}
		}
		v.problems = append(v.problems, pr)
		return t, false
	}
	if !validLabelKey(key) {
		v.bad(path, "a taint key: "+labelKeyWant, quoteShort(key))
		return t, false
	}
	if !validLabelValue(value) {
		v.bad(path, "a taint value: "+labelValueWant, quoteShort(value))
		return t, false
	}
	return t, true
}

// priorityClasses reads [[eks.priority_class]]; the built-in system classes
// follow the user's. A user class's value is at most 1000000000 and its name
// may not start with "system-" (Kubernetes "Pod Priority and Preemption");
// at most one is the global default.
func (v *validator) priorityClasses() []eks.PriorityClass {
	var out []eks.PriorityClass
	seen := map[string]bool{}
	defaults := 0
	for i, pc := range v.f.EKS.PriorityClasses {
		path := p("eks", "priority_class", i)
		k := func(key string) []string { return append(slices.Clone(path), key) }
		switch {
		case pc.Name == "":
			v.bad(k("name"), "a priority class name", "none")
		case strings.HasPrefix(pc.Name, "system-"):
			v.bad(k("name"), `a name not starting with "system-" (reserved for the built-in classes)`, quoteShort(pc.Name))
		case !dnsSubdomain.MatchString(pc.Name) || len(pc.Name) > 253:
			v.bad(k("name"), "a DNS subdomain name: lower-case letters, digits, - and . (at most 253)", quoteShort(pc.Name))
		case seen[pc.Name]:
			v.bad(k("name"), "a unique priority class name", quoteShort(pc.Name)+" again")
		}
		seen[pc.Name] = true
		if pc.Value > 1_000_000_000 || pc.Value < -(1<<31) {
			v.bad(k("value"), "a value from -2147483648 to 1000000000 (Kubernetes: a user class's values)", strconv.FormatInt(pc.Value, 10))
		}
		if pc.GlobalDefault {
			defaults++
			if defaults > 1 {
				v.bad(k("global_default"), "at most one global default priority class", "a second")
			}
		}
		policies := []string{"PreemptLowerPriority", "Never"}
		out = append(out, eks.PriorityClass{Name: pc.Name, Value: int32(max(min(pc.Value, 1<<31-1), -(1 << 31))), GlobalDefault: pc.GlobalDefault,
			PreemptionPolicy: policies[v.enum(k("preemption_policy"), policies, pc.PreemptionPolicy, 0)]})
	}
	return append(out, builtinPriorityClasses...)
}

// eksScheduler reads [eks.scheduler]: percentageOfNodesToScore 0 to 100 (0:
// the adaptive default) and NodeResourcesFit's scoring strategy.
func (v *validator) eksScheduler() eks.SchedulerConfig {
	s := v.f.EKS.Scheduler
	var out eks.SchedulerConfig
	if n := s.PercentageOfNodesToScore; n != nil {
		if *n < 0 || *n > 100 {
			v.bad(p("eks", "scheduler", "percentage_of_nodes_to_score"), "a percentage from 0 (adaptive) to 100", strconv.Itoa(*n))
		}
		out.PercentageOfNodesToScore = int32(max(min(*n, 100), 0))
	}
	strategies := []string{"LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"}
	out.ScoringStrategy = strategies[v.enum(p("eks", "scheduler", "scoring_strategy"), strategies, s.ScoringStrategy, 0)]
	return out
}

// explain reads eks.explain: pods chosen by name prefix or labels, the first
// limit of them (10 when unset).
func (v *validator) explain() []eks.ExplainSelector {
	var out []eks.ExplainSelector
	for i, x := range v.f.EKS.Explain {
		path := p("eks", "explain", i)
		if x.NamePrefix == "" && len(x.Labels) == 0 {
			v.bad(path, "a name_prefix or labels to choose the pods by", "neither")
		}
		for _, key := range sortedKeys(x.Labels) {
			v.checkLabel(append(slices.Clone(path), "labels", key), key, x.Labels[key])
		}
		sel := eks.ExplainSelector{NamePrefix: x.NamePrefix, Labels: x.Labels, Limit: 10}
		if x.Limit != nil {
			if *x.Limit < 1 {
				v.bad(append(slices.Clone(path), "limit"), "a limit of at least 1", strconv.Itoa(*x.Limit))
			}
			sel.Limit = *x.Limit
		}
		out = append(out, sel)
	}
	return out
}

// eksEntryName names an entry of an [eks] list for display
// (eks.node_group.spot.max_size).
func (v *validator) eksEntryName(list string, i int) string {
	e := v.f.EKS
	if e == nil {
		return ""
	}
	switch {
	case list == "node_group" && i < len(e.NodeGroups):
		return e.NodeGroups[i].Name
	case list == "priority_class" && i < len(e.PriorityClasses):
		return e.PriorityClasses[i].Name
	case list == "deployment" && i < len(e.Deployments):
		return e.Deployments[i].Name
	case list == "job" && i < len(e.Jobs):
		return e.Jobs[i].Name
	case list == "pod_disruption_budget" && i < len(e.Budgets):
		return e.Budgets[i].Name
	case list == "node_pools" && i < len(e.NodePools):
		return e.NodePools[i].Name
	case list == "node_classes" && i < len(e.NodeClasses):
		return e.NodeClasses[i].Name
	case list == "fargate_profile" && i < len(e.FargateProfiles):
		return e.FargateProfiles[i].Name
	}
	return ""
}

// ecsOnlySettings are the [settings] keys of the ECS agent, Fargate and ECS
// services: an EKS run reads none of them.
var ecsOnlySettings = []string{"ecs_reserved_memory_mib", "fargate_start_time", "fargate_image_pull_bandwidth", "ami_id",
	"fargate_spot_interruptions_per_task_hour", "image_pull_behavior", "managed_scaling_mixed_groups", "spot_instance_draining",
	"service_throttle_base", "service_throttle_max"}

// ecsSettingsUnread warns at each ECS-only setting an EKS scenario gives: it
// is not silently ignored.
func (v *validator) ecsSettingsUnread() {
	x := reflect.ValueOf(v.f.Settings)
	for i := range x.NumField() {
		name := tagName(x.Type().Field(i), "toml")
		if slices.Contains(ecsOnlySettings, name) && !x.Field(i).IsZero() {
			v.warn(p("settings", name), "a setting an EKS run reads", name+", an ECS setting", "ignored: it concerns the ECS agent, Fargate or ECS services")
		}
	}
}

// explainMatches warns at an explain entry that chooses no pod of the
// cluster's workloads: a pod's name starts with its workload's and a "-"
// (a bare pod's is its own), and its labels are its template's.
func (v *validator) explainMatches(cl *eks.Config) {
	type owner struct {
		name   string
		labels map[string]string
		bare   bool
	}
	var owners []owner
	for _, d := range cl.Deployments {
		owners = append(owners, owner{d.Name, d.Template.Pod.Labels, false})
	}
	for _, j := range cl.Jobs {
		owners = append(owners, owner{j.Name, j.Template.Pod.Labels, false})
	}
	for _, d := range cl.DaemonSets {
		owners = append(owners, owner{d.Name, d.Template.Pod.Labels, false})
	}
	for _, pd := range cl.Pods {
		owners = append(owners, owner{pd.Name, pd.Template.Pod.Labels, true})
	}
	for i, x := range cl.Explain {
		found := false
		for _, o := range owners {
			name := x.NamePrefix == "" || strings.HasPrefix(o.name, x.NamePrefix) && (o.bare || len(x.NamePrefix) <= len(o.name)) ||
				!o.bare && strings.HasPrefix(x.NamePrefix, o.name+"-")
			labels := true
			for k, val := range x.Labels {
				if got, ok := o.labels[k]; !ok || got != val {
					labels = false
				}
			}
			if name && labels {
				found = true
				break
			}
		}
		if !found && len(owners) > 0 {
			v.warn(p("eks", "explain", i), "a name_prefix and labels some workload's pods have", "none has them", "nothing will be explained for this entry")
		}
	}
}

// eksRelease is a Kubernetes version's dates on EKS: released, end of
// standard support (14 months on), end of extended support (12 more).
type eksRelease struct{ released, standardEnds, extendedEnds string }

// eksCalendar is the Amazon EKS Kubernetes release calendar (EKS User
// Guide, "Understand the Kubernetes version lifecycle on EKS"; the dates as
// endoflife.date/amazon-eks lists them, read 2026-12).
var eksCalendar = map[string]eksRelease{
	"1.28": {"2023-09-26", "2024-11-26", "2025-11-26"},
	"1.29": {"2024-01-23", "2025-03-23", "2026-03-23"},
	"1.30": {"2024-05-23", "2025-07-23", "2026-07-23"},
	"1.31": {"2024-09-26", "2025-11-26", "2026-11-26"},
	"1.32": {"2025-01-23", "2026-03-23", "2027-03-23"},
	"1.33": {"2025-05-29", "2026-07-29", "2027-07-29"},
	"1.34": {"2025-10-02", "2026-12-02", "2027-12-02"},
	"1.35": {"2026-01-28", "2027-03-27", "2028-03-27"},
}

// eksSupportAt checks the version against the calendar at the run's start:
// past its end of extended support EKS no longer runs it (a problem); not
// yet released, a warning; the support tier defaults to the calendar's, and
// one given against it is a warning (AWS bills the calendar's).
func (v *validator) eksSupportAt(out *eks.Config, c eksRelease, given string, start time.Time) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	tier := "standard"
	switch {
	case !start.Before(day(c.extendedEnds)):
		v.badHint(p("eks", "version"), fmt.Sprintf("a version EKS still runs at the start (%s)", start.Format(time.DateOnly)), out.Version,
			fmt.Sprintf("its extended support ended %s: EKS upgrades such clusters", c.extendedEnds))
		return
	case !start.Before(day(c.standardEnds)):
		tier = "extended"
	case start.Before(day(c.released)):
		v.warn(p("eks", "version"), fmt.Sprintf("a version EKS has released by the start (%s)", start.Format(time.DateOnly)), out.Version,
			"EKS released it "+c.released)
	}
	if given == "" {
		out.Support = tier
	} else if given != tier {
		v.warn(p("eks", "support"), fmt.Sprintf("Kubernetes %s's support tier at the start (%s): %s", out.Version, start.Format(time.DateOnly), tier), given,
			fmt.Sprintf("its standard support ends %s; the run bills %s as asked", c.standardEnds, given))
	}
}
