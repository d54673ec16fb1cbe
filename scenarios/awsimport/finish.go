package awsimport

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// finish ties what was read together: the region and zones, providers the
// strategies name, the load, the scenario's name and span.
func (im *importer) finish() {
	sc := &im.sc
	im.region()
	im.strategies()
	im.ec2Capacity()
	im.protection()
	im.scalingBounds()
	if sc.Cluster.Name == "" {
		sc.Cluster.Name = "imported"
	}
	sc.Name = safeFileName(sc.Cluster.Name)
	sc.Duration = 24 * time.Hour
	if tr := sc.Trace; tr != nil {
		im.load(tr)
	}
	im.steadyLoads()
}

// steadyLoads gives a service that scales but has no load (the policies'
// metrics need one) a constant load that keeps it at its desired count: at
// its target tracking CPU target, else at 50% CPU.
func (im *importer) steadyLoads() {
	for i := range im.sc.Services {
		sv := &im.sc.Services[i]
		if sv.Load != nil || sv.Scaling == nil || len(sv.Scaling.TargetTracking)+len(sv.Scaling.StepScaling) == 0 {
			continue
		}
		util := 0.5
		for _, t := range sv.Scaling.TargetTracking {
			if t.Predefined == "ECSServiceAverageCPUUtilization" {
				util = t.TargetValue / 100
			}
		}
		n := max(sv.DesiredCount, 1)
		rps := float64(10 * n)
		per := math.Min(math.Max(roundSig(util*float64(n)*float64(im.taskCPU(sv.TaskDefinition))/1024/rps, 3), 1e-6), 3600)
		sv.Load = &Load{Pattern: "constant", BaseRPS: rps, CPUSecondsPerRequest: per}
		im.warnAt(sv.File, fmt.Sprintf("service %s scales but the input has no load for it (add a CloudWatch series): assumed a constant %g requests/s at %g CPU seconds each, %g%% of its CPU at %d tasks",
			sv.Name, rps, per, util*100, n))
	}
}

// taskCPU is a family's CPU units: task-level, else its containers', else 256.
func (im *importer) taskCPU(family string) int {
	for _, t := range im.sc.TaskDefs {
		if t.Family == family {
			return cmp0(t.CPU, t.ContainerCPU, 256)
		}
	}
	return 256
}

// warnAt records an assumption about a file's content, without a line.
func (im *importer) warnAt(file, msg string) {
	im.warns = append(im.warns, Problem{File: cmpOr(file, "(input)"), Got: msg})
}

// region maps the ARNs' region to one fleetsim has prices for, and the
// groups' zones to that region's (by letter).
func (im *importer) region() {
	sc := &im.sc
	fargate := slices.ContainsFunc(sc.Services, func(s Service) bool {
		return s.LaunchType == "FARGATE" || slices.ContainsFunc(s.Strategy, func(it StrategyItem) bool { return strings.HasPrefix(it.Provider, "FARGATE") })
	})
	def := catalog.Default()
	sc.Region = def.Region
	if len(im.regions) > 1 {
		im.warnAt(im.regionDoc.file, fmt.Sprintf("the inputs' ARNs name %d regions (%s): the first is the cluster's", len(im.regions), strings.Join(im.regions, ", ")))
	}
	if len(im.regions) > 0 && im.regions[0] != def.Region {
		r := im.regions[0]
		cat, err := catalog.ForRegion(r)
		why := ""
		switch {
		case err != nil:
			why = fmt.Sprintf("fleetsim has EC2 prices for %s only", strings.Join(catalog.Regions(), ", "))
		case fargate:
			why = "fleetsim has Fargate prices for " + def.Region + " only"
		default:
			for _, g := range sc.Groups {
				for _, t := range g.InstanceTypes {
					if _, ok := cat.Lookup(t); !ok && why == "" {
						why = fmt.Sprintf("AWS's price table has no %s (group %s) there", t, g.Name)
					}
				}
			}
		}
		if why == "" {
			sc.Region = r
		} else {
			im.warnAt(im.regionDoc.file, fmt.Sprintf("region %s: %s: priced and zoned as %s (zone letters kept)", r, why, sc.Region))
		}
	}
	cat, _ := catalog.ForRegion(sc.Region)
	for i := range sc.Groups {
		g := &sc.Groups[i]
		var known []string
		for _, t := range g.InstanceTypes {
			if _, ok := cat.Lookup(t); ok {
				known = append(known, t)
			} else {
				im.warnAt(g.File, fmt.Sprintf("group %s: instance type %s is not in fleetsim's %s catalog: left out", g.Name, t, sc.Region))
			}
		}
		if len(known) == 0 {
			known = []string{defaultInstanceType}
			im.warnAt(g.File, fmt.Sprintf("group %s: no instance type of the group is in fleetsim's catalog: assumed %s", g.Name, defaultInstanceType))
		}
		g.InstanceTypes = known
	}
	zones := catalog.Zones(sc.Region)
	mapZone := func(z string) (string, bool) {
		if z == "" {
			return "", false
		}
		letter := z[len(z)-1:]
		for _, c := range zones {
			if strings.HasSuffix(c, letter) {
				return c, true
			}
		}
		return "", false
	}
	for i := range sc.Groups {
		g := &sc.Groups[i]
		var out []string
		for _, z := range g.Zones {
			m, ok := mapZone(z)
			if !ok {
				im.warnAt(g.File, fmt.Sprintf("group %s: zone %s has no counterpart in %s: left out", g.Name, z, sc.Region))
				continue
			}
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
			if !slices.Contains(sc.Cluster.Zones, m) {
				sc.Cluster.Zones = append(sc.Cluster.Zones, m)
			}
		}
		g.Zones = out
	}
	slices.Sort(sc.Cluster.Zones)
	if len(sc.Cluster.Zones) == 0 { // no group names any: the region's first three
		sc.Cluster.Zones = zones[:min(3, len(zones))]
	}
}

// strategies makes sure every provider a strategy names exists: FARGATE and
// FARGATE_SPOT always do; another gets a placeholder provider and group.
func (im *importer) strategies() {
	sc := &im.sc
	known := func(name string) bool {
		return name == "FARGATE" || name == "FARGATE_SPOT" || slices.ContainsFunc(sc.Providers, func(p Provider) bool { return p.Name == name })
	}
	check := func(items []StrategyItem, who, file string) {
		for _, it := range items {
			if known(it.Provider) {
				continue
			}
			group := it.Provider + "-asg"
			sc.Providers = append(sc.Providers, Provider{Name: it.Provider, Group: group})
			sc.Groups = append(sc.Groups, Group{Name: group, InstanceTypes: []string{defaultInstanceType}, Max: 10, Desired: 1, Placeholder: true,
				Zones: slices.Clone(sc.Cluster.Zones)})
			im.warnAt(file, fmt.Sprintf("%s uses capacity provider %s, which is not in the input (add aws ecs describe-capacity-providers): assumed a group %s of %s, min 0, max 10, desired 1, without managed scaling",
				who, it.Provider, group, defaultInstanceType))
		}
	}
	clusterFile := ""
	if ds := im.docs[Clusters]; len(ds) > 0 {
		clusterFile = ds[0].file
	}
	check(sc.Cluster.DefaultStrategy, "the cluster's default strategy", clusterFile)
	for _, name := range im.clusterProviders {
		if !known(name) {
			im.warnAt(clusterFile, fmt.Sprintf("capacity provider %s is attached to the cluster but not described (add aws ecs describe-capacity-providers): not imported unless a strategy uses it", name))
		}
	}
	for _, s := range sc.Services {
		check(s.Strategy, "service "+s.Name, s.File)
	}
}

// load gives the trace to a service: the only one, else the first (a
// warning), with a CPU cost per request that puts the peak at half the
// service's CPU at its desired count.
func (im *importer) load(tr *Trace) {
	sc := &im.sc
	start := tr.First
	sc.Start = &start
	span := tr.Last.Sub(tr.First) + tr.Period
	sc.Duration = span.Truncate(time.Minute)
	loop := false
	if sc.Duration < time.Hour {
		sc.Duration, loop = time.Hour, true
	}
	if len(sc.Services) == 0 {
		delete(im.files, tr.File)
		im.warnAt(im.traceDoc.file, "the CloudWatch series is not imported: no service in the input to carry it as load (add aws ecs describe-services)")
		sc.Trace = nil
		return
	}
	sv := &sc.Services[0]
	if len(sc.Services) > 1 {
		im.warnAt(im.traceDoc.file, fmt.Sprintf("the CloudWatch series is service %s's load (the first of %d services); move [services.load] to change it", sv.Name, len(sc.Services)))
	}
	unit := "per_second"
	if tr.Statistic == "Sum" || tr.Statistic == "SampleCount" {
		unit = "per_interval"
	}
	peak := 0.0
	for _, line := range strings.Split(strings.TrimSpace(string(tr.CSV)), "\n")[1:] {
		_, v, _ := strings.Cut(line, ",")
		f, _ := strconv.ParseFloat(v, 64)
		if unit == "per_interval" {
			f /= tr.Period.Seconds()
		}
		peak = max(peak, f)
	}
	cpu := im.taskCPU(sv.TaskDefinition)
	per := 0.01
	if peak > 0 {
		per = 0.5 * float64(max(sv.DesiredCount, 1)) * float64(cpu) / 1024 / peak
	}
	per = math.Min(math.Max(roundSig(per, 3), 1e-6), 3600)
	sv.Load = &Load{Pattern: "trace", File: tr.File, ValueUnit: unit, CPUSecondsPerRequest: per, Loop: loop}
	what := "read as requests per second"
	if unit == "per_interval" {
		what = fmt.Sprintf("read as requests counted per %s", tr.Period)
	}
	msg := fmt.Sprintf("the CloudWatch series %q (%s) is service %s's load, %s; cpu_seconds_per_request = %g is assumed, so that its peak takes half the CPU of %d tasks",
		tr.Label, cmpOr(tr.Statistic, "get-metric-data"), sv.Name, what, per, max(sv.DesiredCount, 1))
	if unitLooksLikeUtilisation.MatchString(tr.Label) {
		msg += "; it looks like a utilisation, not a request count: set [services.load] scale"
	}
	if loop {
		msg += fmt.Sprintf("; it spans %s, so it loops over the hour simulated", span)
	}
	im.warnAt(im.traceDoc.file, msg)
}

var unitLooksLikeUtilisation = regexp.MustCompile(`(?i)utili[sz]ation|percent|cpu|memory|iops`)

func cmp0(vs ...int) int {
	for _, v := range vs {
		if v > 0 {
			return v
		}
	}
	return 0
}

// roundSig rounds to n significant digits.
func roundSig(x float64, n int) float64 {
	if x == 0 {
		return 0
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}

// protection: ECS accepts managed termination protection only on a group
// whose new instances are protected from scale-in.
func (im *importer) protection() {
	for _, p := range im.sc.Providers {
		if p.ManagedTerminationProtection != "ENABLED" {
			continue
		}
		for i := range im.sc.Groups {
			if g := &im.sc.Groups[i]; g.Name == p.Group && !g.ProtectedFromScaleIn {
				g.ProtectedFromScaleIn = true
				if !g.Placeholder {
					im.warnAt(g.File, fmt.Sprintf("group %s: capacity provider %s has managed termination protection, which needs NewInstancesProtectedFromScaleIn: set true", g.Name, p.Name))
				}
			}
		}
	}
}

// ec2Capacity gives EC2 tasks somewhere to run when the input has no group
// at all: a fixed group of m5.large (2048 CPU units each) sized to their
// CPU at the desired counts.
func (im *importer) ec2Capacity() {
	sc := &im.sc
	if len(sc.Groups) > 0 || len(sc.Cluster.DefaultStrategy) > 0 {
		return
	}
	units, file := 0, ""
	for _, s := range sc.Services {
		if len(s.Strategy) == 0 && s.LaunchType != "FARGATE" {
			units += max(s.DesiredCount, 1) * im.taskCPU(s.TaskDefinition)
			file = cmpOr(file, s.File)
		}
	}
	if file == "" {
		return
	}
	n := max(1, (units+2047)/2048)
	sc.Groups = append(sc.Groups, Group{Name: "imported-ec2", InstanceTypes: []string{defaultInstanceType}, Min: n, Max: n, Desired: n,
		Zones: slices.Clone(sc.Cluster.Zones), Placeholder: true, File: file})
	im.warnAt(file, fmt.Sprintf("no Auto Scaling group in the input for the EC2 services (add aws autoscaling describe-auto-scaling-groups): assumed a fixed group imported-ec2 of %d %s, for their %d CPU units", n, defaultInstanceType, units))
}

// scalingBounds: a service with policies but no scalable target (AWS
// registers one before any policy) keeps its desired count as the minimum
// and twice it as the maximum.
func (im *importer) scalingBounds() {
	for i := range im.sc.Services {
		sv := &im.sc.Services[i]
		a := sv.Scaling
		if a == nil || (a.Min != nil && a.Max != nil) {
			continue
		}
		lo, hi := sv.DesiredCount, max(2*sv.DesiredCount, 1)
		if a.Min != nil {
			hi = max(hi, *a.Min)
		}
		if a.Max != nil {
			lo = min(lo, *a.Max)
		}
		if a.Min == nil {
			a.Min = &lo
		}
		if a.Max == nil {
			a.Max = &hi
		}
		im.warnAt(sv.File, fmt.Sprintf("service %s has scaling policies but no scalable target in the input (add aws application-autoscaling describe-scalable-targets): assumed min %d, max %d", sv.Name, *a.Min, *a.Max))
	}
}
