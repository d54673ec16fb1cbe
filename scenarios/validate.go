package scenarios

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// validator checks a decoded scenario and builds the sim.Config, collecting
// every problem rather than stopping at the first.
type validator struct {
	file     string
	loc      *locator
	f        *fileSchema
	readRel  func(string) ([]byte, error)
	cat      *catalog.Catalog
	problems Problems
	warnings Problems            // accepted, but worth a word: the run goes ahead
	owned    map[string]Problem  // by file and key: checkValues' problems, which stand for all of their key's
	bounds   Problems            // values past their key's bound, kept if nothing else names the key
	jsonDefs map[int]*jsonSource // task definitions read from JSON, by index
	unreadTD map[int]bool        // task definitions whose file could not be read: checked no further
	wl       *wlState            // [workload]: the orchestrator it runs on (orchestrator.go)
	aliases  map[string][]string // generated entries' paths -> the [workload] keys they came from
}

// defaultStart is a Monday, so that weekly patterns start at a week's start.
var defaultStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// problem is a problem at path (indexed, e.g. services 1 desired_count):
// in the scenario, or in the task definition JSON the key came from.
func (v *validator) problem(path []string, want, got, hint string) Problem {
	file, line, key := v.at(v.unalias(path))
	return Problem{File: file, Line: line, Key: key, Want: want, Got: got, Hint: hint}
}

// bad records a problem at path.
func (v *validator) bad(path []string, want, got string) {
	v.problems = append(v.problems, v.problem(path, want, got, ""))
}

// badHint records a problem at path with a hint (what to change).
func (v *validator) badHint(path []string, want, got, hint string) {
	v.problems = append(v.problems, v.problem(path, want, got, hint))
}

// warn records something the run accepts but the user should know.
func (v *validator) warn(path []string, want, got, hint string) {
	v.warnings = append(v.warnings, v.problem(path, want, got, hint))
}

// badName records a reference to a name that does not exist, with a "did
// you mean" from the names that do.
func (v *validator) badName(path []string, what, got string, names []string) {
	pr := v.problem(path, "the name of one of "+what, quoteShort(got), "")
	if c := closest(got, names); c != "" {
		pr.Hint = fmt.Sprintf("did you mean %q?", c)
	}
	v.problems = append(v.problems, pr)
}

func p(parts ...any) []string {
	out := make([]string, len(parts))
	for i, x := range parts {
		out[i] = fmt.Sprint(x)
	}
	return out
}

// display names an indexed path the way a user reads it: entries of the
// top-level lists by their name (services.web.desired_count), others, and
// entries whose name breaks the rule for names, by index.
func (v *validator) display(path []string) string {
	out := slices.Clone(path)
	if len(out) >= 2 {
		if i, err := strconv.Atoi(out[1]); err == nil {
			if name := v.entryName(out[0], i); validName(name) { // a name a key can show: no dot, space or control character
				out[1] = name
			}
		}
	}
	if len(out) >= 3 && out[0] == "workload" {
		if i, err := strconv.Atoi(out[2]); err == nil {
			if name := v.workloadEntryName(out[1], i); validName(name) {
				out[2] = name
			}
		}
	}
	if len(out) >= 3 && out[0] == "eks" {
		if i, err := strconv.Atoi(out[2]); err == nil {
			if name := v.eksEntryName(out[1], i); validName(name) {
				out[2] = name
			}
		}
	}
	return strings.Join(out, ".")
}

func (v *validator) entryName(list string, i int) string {
	f := v.f
	switch {
	case list == "services" && i < len(f.Services):
		return f.Services[i].Name
	case list == "auto_scaling_groups" && i < len(f.AutoScalingGroups):
		return f.AutoScalingGroups[i].Name
	case list == "capacity_providers" && i < len(f.CapacityProviders):
		return f.CapacityProviders[i].Name
	case list == "task_definitions" && i < len(f.TaskDefinitions):
		return f.TaskDefinitions[i].Family
	case list == "batch_jobs" && i < len(f.BatchJobs):
		return f.BatchJobs[i].Name
	}
	return ""
}

// build builds the config; a [workload] is first written out as the
// chosen orchestrator's entries, and the other orchestrator's half is
// checked after (orchestrator.go).
func (v *validator) build() *sim.Config {
	orig := *v.f
	cfg := v.buildConfig()
	v.wlObjectProblems()
	v.crossCheck(orig)
	return cfg
}

func (v *validator) buildConfig() *sim.Config {
	f := v.f
	v.cat = v.regionCatalog(f.Region) // billing.go
	v.orchestrate()                   // [workload] (orchestrator.go)
	cfg := &sim.Config{
		Name:        f.Name,
		Description: f.Description,
		Start:       defaultStart,
		Duration:    f.Duration.Duration,
		Seed:        1,
		Region:      f.Region,
		Settings:    v.settings(),
	}
	switch {
	case f.Name == "":
		v.bad(p("name"), "a scenario name", "none")
	case !validName(f.Name):
		v.bad(p("name"), "a name of 1 to 255 letters, digits, hyphens and underscores (it names the output folder)", quoteShort(f.Name))
	}
	if f.Start != nil {
		cfg.Start = f.Start.UTC()
	}
	if !f.Duration.Set || f.Duration.Duration <= 0 {
		v.bad(p("duration"), "a positive duration such as \"24h\"", quoteOrNone(f.Duration))
	} else if f.Duration.Duration > 366*24*time.Hour {
		v.bad(p("duration"), "at most a year (\"8784h\")", f.Duration.String())
	}
	if f.Seed != nil && *f.Seed >= 0 {
		cfg.Seed = uint64(*f.Seed)
	}
	if cfg.Region == "" {
		cfg.Region = v.cat.Region
	}
	cfg.Explain = v.explainTasks() // explain.go
	if f.EKS != nil {
		v.buildEKS(cfg) // an EKS cluster: no ECS part (eks.go)
		v.report()
		v.checkQuotas(cfg)
		cfg.ECR = v.ecr(cfg) // ecr.go
		cfg.Billing = v.billing(cfg)
		return cfg
	}
	cfg.Cluster = v.cluster()
	cfg.Groups = v.groups(cfg.Cluster.AvailabilityZones)
	cfg.CapacityProviders = v.providers(cfg.Groups)
	cfg.Groups = v.managedInstancesGroups(cfg.Groups, cfg.CapacityProviders, cfg.Cluster.AvailabilityZones) // managedinstances.go
	cfg.Cluster.DefaultProviderStrategy = v.strategy(p("cluster", "default_capacity_provider_strategy"), f.Cluster.DefaultCapacityProviderStrategy, cfg)
	cfg.TaskDefinitions = v.taskDefinitions(cfg.Settings)
	cfg.Services = v.services(cfg)
	cfg.BatchJobs = v.batchJobs(cfg)
	v.wlBatchSchedules(cfg) // [[workload.batch]] every (orchestrator.go)
	cfg.Timeline = v.timeline(cfg)
	v.report()
	if t := f.Report.TaskEvents; t != nil {
		cfg.Settings.TaskEvents = *t
	}
	if s := f.Report.ServiceSeries; s != nil {
		cfg.Settings.ServiceSeries = *s
	}
	v.checkQuotas(cfg)
	cfg.ECR = v.ecr(cfg) // ecr.go
	cfg.Billing = v.billing(cfg)
	return cfg
}

// validName is AWS's rule for the names of its resources (clusters,
// capacity providers, services): 1 to 255 letters, digits, hyphens and
// underscores. A scenario's name is the default output folder, out/NAME, so
// nothing else (no dot, no slash) may be in it.
func validName(s string) bool {
	if len(s) < 1 || len(s) > 255 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func quoteOrNone(d Duration) string {
	if !d.Set {
		return "none"
	}
	return quoteShort(d.String())
}

func (v *validator) settings() sim.Settings {
	s := sim.DefaultSettings()
	f := v.f.Settings
	if f.ReservedMemoryMiB != nil {
		if *f.ReservedMemoryMiB < 0 {
			v.bad(p("settings", "ecs_reserved_memory_mib"), "a non-negative number of MiB", fmt.Sprint(*f.ReservedMemoryMiB))
		}
		s.ReservedMemoryMiB = *f.ReservedMemoryMiB
	}
	setDur := func(dst *time.Duration, d *Duration, key string) {
		if d == nil {
			return
		}
		if d.Duration < 0 {
			v.bad(p("settings", key), "a non-negative duration", d.String())
		}
		*dst = d.Duration
	}
	setDur(&s.ContainerStartTime, f.ContainerStartTime, "container_start_time")
	setDur(&s.FargateStartTime, f.FargateStartTime, "fargate_start_time")
	if f.ImagePullBandwidth != nil {
		s.ImagePullBytesPerSecond = f.ImagePullBandwidth.BytesPerSecond
	}
	if f.FargatePullBandwidth != nil {
		s.FargatePullBytesPerSecond = f.FargatePullBandwidth.BytesPerSecond
	}
	if f.AMIID != "" {
		s.AMIID = f.AMIID
	}
	if f.FargateSpotInterruptionsPerTaskHour < 0 {
		v.bad(p("settings", "fargate_spot_interruptions_per_task_hour"), "a rate >= 0", fmt.Sprint(f.FargateSpotInterruptionsPerTaskHour))
	}
	s.FargateSpotInterruptionsPerTaskHour = f.FargateSpotInterruptionsPerTaskHour
	if f.SpotInstanceDraining != nil {
		s.SpotInstanceDraining = *f.SpotInstanceDraining
	}
	setDur(&s.ThrottleBase, f.ThrottleBase, "service_throttle_base")
	setDur(&s.ThrottleMax, f.ThrottleMax, "service_throttle_max")
	setDur(&s.InstanceFailureDetection, f.InstanceFailureDetection, "instance_failure_detection")
	s.LaunchRates = v.launchRates(f.LaunchRates) // launchrates.go
	if s.ThrottleBase <= 0 || s.ThrottleMax < s.ThrottleBase {
		v.bad(p("settings", "service_throttle_max"), "0 < service_throttle_base <= service_throttle_max", fmt.Sprintf("%s, %s", s.ThrottleBase, s.ThrottleMax))
	}
	behaviours := []string{"default", "always", "once", "prefer-cached"}
	s.ImagePullBehavior = behaviours[v.enum(p("settings", "image_pull_behavior"), behaviours, f.ImagePullBehavior, 0)]
	// AWS's two pages disagree on managed scaling for groups with several
	// instance types or zones (docs/semantics/cluster.md): "estimate" (the
	// managed scaling behaviour page, the default) or "minimum_step" (the
	// ManagedScaling API reference).
	readings := []string{"estimate", "minimum_step"}
	s.MixedGroupsScaleByMinimumStep = v.enum(p("settings", "managed_scaling_mixed_groups"), readings, f.ManagedScalingMixedGroups, 0) == 1
	if f.SpotDiscount != nil {
		if *f.SpotDiscount < 0 || *f.SpotDiscount >= 1 {
			v.bad(p("settings", "spot_discount"), "a fraction off On-Demand in [0, 1)", fmt.Sprint(*f.SpotDiscount))
		}
		s.SpotDiscount = *f.SpotDiscount
	}
	return s
}

func (v *validator) cluster() ecs.ClusterConfig {
	c := v.f.Cluster
	out := ecs.ClusterConfig{Name: c.Name, AvailabilityZones: c.AvailabilityZones, ENITrunking: c.ENITrunking, ContainerInstanceVPCID: c.VPCID}
	v.checkName(p("cluster", "name"), resourceName, c.Name)
	if out.Name == "" {
		out.Name = "default"
	}
	if out.ContainerInstanceVPCID == "" {
		out.ContainerInstanceVPCID = "vpc-0fleetsim"
	}
	if len(out.AvailabilityZones) == 0 {
		v.bad(p("cluster", "availability_zones"), "at least one Availability Zone such as \"us-east-1a\"", "none")
	}
	seen := map[string]bool{}
	for i, az := range out.AvailabilityZones {
		if zs := catalog.Zones(v.cat.Region); !slices.Contains(zs, az) {
			// us-east-1 has six zones, us-east-1a to us-east-1f (catalog.Zones).
			v.bad(p("cluster", "availability_zones", i), fmt.Sprintf("an Availability Zone of %s, %s to %s", v.cat.Region, zs[0], zs[len(zs)-1]), quoteShort(az))
		}
		if seen[az] {
			v.bad(p("cluster", "availability_zones", i), "each zone once", quoteShort(az)+" twice")
		}
		seen[az] = true
		out.ContainerInstanceSubnets = append(out.ContainerInstanceSubnets, "subnet-"+az)
	}
	return out
}

func (v *validator) groups(clusterAZs []string) []capacity.GroupConfig {
	var out []capacity.GroupConfig
	names := map[string]bool{}
	for i, g := range v.f.AutoScalingGroups {
		path := p("auto_scaling_groups", i)
		gc := capacity.GroupConfig{Name: g.Name, AvailabilityZones: g.AvailabilityZones, LaunchTime: 90 * time.Second}
		switch {
		case g.Name == "":
			v.bad(append(path, "name"), "a group name", "none")
		case !groupName.ok(g.Name):
			v.bad(append(path, "name"), groupName.want, quoteShort(g.Name))
		case names[g.Name]:
			v.bad(append(path, "name"), "a unique group name", quoteShort(g.Name)+" again")
		}
		names[g.Name] = true
		if len(g.InstanceTypes) == 0 {
			v.bad(append(path, "instance_types"), "at least one instance type such as \"m5.large\"", "none")
		}
		for j, name := range g.InstanceTypes {
			it, ok := v.cat.Lookup(name)
			if !ok {
				pr := v.problem(append(path, "instance_types", strconv.Itoa(j)), "an EC2 instance type in the "+v.cat.Region+" catalog", quoteShort(name), "")
				if s := v.cat.Suggest(name, 3); len(s) > 0 {
					pr.Hint = "did you mean " + strings.Join(s, ", ") + "?"
				}
				if v.cat.NotOffered(name) { // billing.go: the region's price table
					pr.Hint = "AWS's price table has no " + name + " in " + v.cat.Region
				}
				v.problems = append(v.problems, pr)
				continue
			}
			gc.InstanceTypes = append(gc.InstanceTypes, it)
			if v.f.Cluster.ENITrunking && !ecs.TrunkingSupported(it) {
				v.warn(append(path, "instance_types", strconv.Itoa(j)), "an instance type ECS supports ENI trunking on (cluster.eni_trunking is on)",
					quoteShort(name)+" is not in ECS's trunking table", "its awsvpc tasks are limited to its ENIs less one")
			}
		}
		gc.MinSize, gc.MaxSize, gc.DesiredCapacity = v.sizes(path, g)
		v.instancesDistribution(path, g, &gc)
		v.groupExtras(path, g, &gc) // warm pool, Capacity Rebalancing, maintenance policy (asgextras.go)
		if len(gc.AvailabilityZones) == 0 {
			gc.AvailabilityZones = clusterAZs
		}
		for j, az := range gc.AvailabilityZones {
			if !slices.Contains(clusterAZs, az) {
				v.bad(append(path, "availability_zones", strconv.Itoa(j)), "one of the cluster's availability_zones", quoteShort(az))
			}
		}
		if g.InstanceLaunchTime != nil {
			if g.InstanceLaunchTime.Duration < 0 {
				v.bad(append(path, "instance_launch_time"), "a non-negative duration", g.InstanceLaunchTime.String())
			}
			gc.LaunchTime = g.InstanceLaunchTime.Duration
		}
		for _, k := range sortedKeys(g.Attributes) {
			if strings.HasPrefix(k, "ecs.") {
				v.bad(append(path, "attributes", k), "a custom attribute name (ecs.* are built in)", quoteShort(k))
			} else if v.checkName(append(path, "attributes", k), attributeName, k) {
				if g.Attributes[k] == "" {
					v.bad(append(path, "attributes", k), attributeValue.want, `""`)
				}
				v.checkName(append(path, "attributes", k), attributeValue, g.Attributes[k])
			}
			gc.Attributes = append(gc.Attributes, ecs.Attribute{Name: k, Value: g.Attributes[k]})
		}
		out = append(out, gc)
	}
	return out
}

// sizes checks 0 <= min <= desired <= max; desired defaults to min, max to
// desired.
func (v *validator) sizes(path []string, g asgSchema) (minS, maxS, desired int) {
	if g.MinSize != nil {
		minS = *g.MinSize
	}
	desired = minS
	if g.DesiredCapacity != nil {
		desired = *g.DesiredCapacity
	}
	maxS = max(desired, minS)
	if g.MaxSize != nil {
		maxS = *g.MaxSize
	}
	switch {
	case minS < 0:
		v.bad(append(path, "min_size"), "min_size >= 0", fmt.Sprint(minS))
	case maxS < minS:
		v.bad(append(path, "max_size"), fmt.Sprintf("max_size >= min_size (%d)", minS), fmt.Sprint(maxS))
	case desired < minS || desired > maxS:
		v.bad(append(path, "desired_capacity"), fmt.Sprintf("desired_capacity between min_size %d and max_size %d", minS, maxS), fmt.Sprint(desired))
	}
	return minS, maxS, desired
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (v *validator) providers(groups []capacity.GroupConfig) []ecs.CapacityProviderConfig {
	var out []ecs.CapacityProviderConfig
	names := map[string]bool{}
	for i, cp := range v.f.CapacityProviders {
		path := p("capacity_providers", i)
		switch {
		case cp.Name == "":
			v.bad(append(path, "name"), "a capacity provider name", "none")
		case !providerName.ok(cp.Name):
			v.bad(append(path, "name"), providerName.want, quoteShort(cp.Name))
		case cp.Name == ecs.ProviderFargate || cp.Name == ecs.ProviderFargateSpot || strings.HasPrefix(strings.ToLower(cp.Name), "aws") || strings.HasPrefix(strings.ToLower(cp.Name), "ecs") || strings.HasPrefix(strings.ToLower(cp.Name), "fargate"):
			v.bad(append(path, "name"), "a name not starting with aws, ecs or fargate (reserved by ECS)", quoteShort(cp.Name))
		case names[cp.Name]:
			v.bad(append(path, "name"), "a unique capacity provider name", quoteShort(cp.Name)+" again")
		}
		names[cp.Name] = true
		if cp.ManagedInstancesProvider != nil {
			out = append(out, v.managedInstancesProvider(path, cp)) // managedinstances.go
			continue
		}
		gi := slices.IndexFunc(groups, func(g capacity.GroupConfig) bool { return g.Name == cp.AutoScalingGroup })
		if gi < 0 {
			v.badName(append(path, "auto_scaling_group"), "auto_scaling_groups", cp.AutoScalingGroup, groupNames(groups))
		} else if slices.ContainsFunc(out, func(o ecs.CapacityProviderConfig) bool { return o.Group == gi }) {
			v.bad(append(path, "auto_scaling_group"), "a group no other capacity provider uses", quoteShort(cp.AutoScalingGroup))
		}
		out = append(out, v.provider(path, cp, gi, groups))
	}
	return out
}

// strategy checks a capacity provider strategy. AWS (CapacityProviderStrategyItem
// API): base 0-100000 on at most one provider, weight 0-1000 with at least one
// above zero, at most 20 providers, and no mix of Fargate and Auto Scaling
// group providers.
func (v *validator) strategy(path []string, items []strategySchema, cfg *sim.Config) []ecs.StrategyItem {
	if len(items) == 0 {
		return nil
	}
	var out []ecs.StrategyItem
	bases, weighted, fargate, asg := 0, 0, 0, 0
	if len(items) > 20 {
		v.bad(path, "at most 20 capacity providers", fmt.Sprint(len(items)))
	}
	seen := map[string]int{}
	for i, it := range items {
		ip := append(slices.Clone(path), strconv.Itoa(i))
		if j, ok := seen[it.CapacityProvider]; ok && it.CapacityProvider != "" {
			// AWS (CapacityProviderStrategyItem): each provider once in a strategy.
			v.bad(append(ip, "capacity_provider"), fmt.Sprintf("each capacity provider once in a strategy (%q is entry %d too)", it.CapacityProvider, j), quoteShort(it.CapacityProvider))
		}
		seen[it.CapacityProvider] = i
		w := 0
		if it.Weight != nil {
			w = *it.Weight
		}
		switch {
		case it.CapacityProvider == ecs.ProviderFargate || it.CapacityProvider == ecs.ProviderFargateSpot:
			fargate++
		case slices.ContainsFunc(cfg.CapacityProviders, func(c ecs.CapacityProviderConfig) bool { return c.Name == it.CapacityProvider }):
			asg++
		default:
			names := []string{ecs.ProviderFargate, ecs.ProviderFargateSpot}
			for _, cp := range cfg.CapacityProviders {
				names = append(names, cp.Name)
			}
			pr := v.problem(append(ip, "capacity_provider"), "FARGATE, FARGATE_SPOT or one of capacity_providers", quoteShort(it.CapacityProvider), "")
			if c := closest(it.CapacityProvider, names); c != "" {
				pr.Hint = fmt.Sprintf("did you mean %q?", c)
			}
			v.problems = append(v.problems, pr)
		}
		if it.Base < 0 || it.Base > 100000 {
			v.bad(append(ip, "base"), "base between 0 and 100000", fmt.Sprint(it.Base))
		}
		if w < 0 || w > 1000 {
			v.bad(append(ip, "weight"), "weight between 0 and 1000", fmt.Sprint(w))
		}
		if it.Base > 0 {
			bases++
		}
		if w > 0 {
			weighted++
		}
		out = append(out, ecs.StrategyItem{Provider: it.CapacityProvider, Base: it.Base, Weight: w})
	}
	if bases > 1 {
		v.bad(path, "a base on at most one capacity provider", fmt.Sprintf("%d bases", bases))
	}
	if weighted == 0 && len(items) > 1 {
		// AWS (CapacityProviderStrategyItem): with several providers, at
		// least one needs a weight above 0; a lone provider may have 0.
		v.bad(path, "a weight above 0 on at least one capacity provider", "no weight")
	}
	if fargate > 0 && asg > 0 {
		v.bad(path, "either Fargate or Auto Scaling group capacity providers", "both")
	}
	return out
}

func (v *validator) report() {
	for i, o := range v.f.Report.Outputs {
		if !slices.Contains([]string{"html", "csv", "json"}, o) {
			v.bad(p("report", "outputs", i), `"html", "csv" or "json"`, quoteShort(o))
		}
	}
}
