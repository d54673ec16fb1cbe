// Package awsimport turns AWS CLI JSON (ECS, EC2 Auto Scaling, Application
// Auto Scaling and CloudWatch outputs, which a user prints with their own
// credentials) into a fleetsim scenario: the TOML and the files it refers to
// (task definitions as JSON, a CloudWatch series as a rate trace CSV). It is
// pure: documents in, text out. Every input field is either in the scenario
// or listed as not imported, with its reason: read-only state as a comment,
// configuration fleetsim does not model as a comment and a warning.
package awsimport

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Input is one document: its name (for messages) and its bytes.
type Input struct {
	Name string
	Data []byte
}

// Result is an imported scenario.
type Result struct {
	Scenario *Scenario
	TOML     []byte            // scenario.toml
	Files    map[string][]byte // the files it refers to, by slash path relative to it
	Unmapped []Unmapped        // every input field not in the scenario, by file then line
	Warnings Problems          // the unmapped configuration and every assumption made
}

// FileNames is the files' paths, sorted.
func (r *Result) FileNames() []string {
	var out []string
	for k := range r.Files {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// importer holds the documents by kind and what is built from them.
type importer struct {
	docs  map[Kind][]*doc
	sc    Scenario
	files map[string][]byte
	warns Problems
	// regions seen in ARNs, zones of the region they map to
	regions   []string // in the ARNs, in the order seen
	regionDoc *doc     // where the first was seen
	// the cluster's capacityProviders, and the file that lists them
	clusterProviders []string
	clusterDoc       *doc
	traceDoc         *doc
}

// defaultInstanceType is what a group whose instance types the input does
// not say is assumed to launch.
const defaultInstanceType = "m5.large"

// Import reads the documents, in any order, and builds the scenario. Bad
// input (not JSON, not one of the documents, a value of the wrong type) is a
// Problems error and nothing is returned.
func Import(inputs []Input) (*Result, error) {
	im := &importer{docs: map[Kind][]*doc{}, files: map[string][]byte{}}
	var probs Problems
	if len(inputs) == 0 {
		return nil, Problems{{Want: "at least one AWS CLI output file", Got: "none"}}
	}
	var all []*doc
	for _, in := range inputs {
		root, err := readJSON(in.Name, in.Data)
		if err != nil {
			probs = append(probs, err.(Problems)...)
			continue
		}
		k, ok := detect(root)
		if !ok {
			probs = append(probs, unknownDocument(in.Name, root))
			continue
		}
		d := &doc{file: in.Name, root: root, raw: in.Data}
		im.docs[k] = append(im.docs[k], d)
		all = append(all, d)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	for _, ds := range im.docs { // by name, so that the order given does not matter
		slices.SortStableFunc(ds, func(a, b *doc) int { return cmp.Compare(a.file, b.file) })
	}
	im.build()
	for _, d := range all {
		probs = append(probs, d.probs...)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	var unmapped []Unmapped
	for _, d := range all {
		unmapped = append(unmapped, d.notes...)
		unmapped = append(unmapped, d.leftovers()...)
	}
	slices.SortStableFunc(unmapped, func(a, b Unmapped) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	assumed := slices.Clone(im.warns)
	for _, u := range unmapped {
		if !u.State {
			im.warns = append(im.warns, Problem{File: u.File, Line: u.Line, Key: u.Path, Got: "not imported: " + u.Reason})
		}
	}
	res := &Result{Scenario: &im.sc, Files: im.files, Unmapped: unmapped, Warnings: im.warns}
	var names []string
	for _, in := range inputs {
		names = append(names, in.Name)
	}
	res.TOML = emit(&im.sc, unmapped, assumed, names)
	return res, nil
}

// warn records an assumption.
func (im *importer) warn(d *doc, n node, msg string) {
	p := Problem{Got: msg}
	if d != nil {
		p.File = d.file
	}
	if n.v != nil {
		p.Line, p.Key = n.v.line, n.path
	}
	im.warns = append(im.warns, p)
}

func root(d *doc) node { return node{d: d, v: d.root} }

// build reads the documents in a fixed order, whatever order they came in:
// each step finds what the earlier ones made.
func (im *importer) build() {
	im.clusters()
	im.groups()
	im.providers()
	im.containerInstances()
	im.taskDefinitions()
	im.services()
	im.groupPolicies()
	alarms := im.alarms()
	im.scalableTargets()
	im.scalingPolicies(alarms)
	im.scheduledActions()
	im.metrics()
	im.finish()
}

// noteRegion records the region of an ARN.
func (im *importer) noteRegion(d *doc, arn string) {
	parts := strings.Split(arn, ":")
	if len(parts) > 4 && parts[0] == "arn" && parts[3] != "" && !slices.Contains(im.regions, parts[3]) {
		im.regions = append(im.regions, parts[3])
		if im.regionDoc == nil {
			im.regionDoc = d
		}
	}
}

// clusters reads describe-clusters: the first cluster is the scenario's.
func (im *importer) clusters() {
	first := true
	for _, d := range im.docs[Clusters] {
		r := root(d)
		r.state("failures")
		for _, c := range r.objects("clusters") {
			if !first {
				c.whole("fleetsim simulates one cluster: the first (by file name, then order) is imported", false)
				continue
			}
			first = false
			im.sc.Cluster.Name = c.str("clusterName")
			im.noteRegion(d, c.str("clusterArn"))
			for _, s := range c.objects("defaultCapacityProviderStrategy") {
				im.sc.Cluster.DefaultStrategy = append(im.sc.Cluster.DefaultStrategy, strategyItem(s))
			}
			im.clusterProviders = c.strings("capacityProviders") // declared by describe-capacity-providers, checked in finish
			im.clusterDoc = d
			c.state("status", "registeredContainerInstancesCount", "runningTasksCount", "pendingTasksCount",
				"activeServicesCount", "statistics", "tags", "attachments", "attachmentsStatus")
			for _, s := range c.objects("settings") {
				if s.str("name") == "containerInsights" {
					s.markAll()
					s.d.notes = append(s.d.notes, Unmapped{File: d.file, Line: s.v.line, Path: s.path, Reason: "monitoring: no effect on the simulation", State: true})
				}
			}
		}
	}
}

func strategyItem(s node) StrategyItem {
	it := StrategyItem{Provider: s.str("capacityProvider")}
	it.Base, _ = s.integer("base")
	if w, ok := s.integer("weight"); ok {
		it.Weight = &w
	}
	return it
}

// groups reads describe-auto-scaling-groups.
func (im *importer) groups() {
	for _, d := range im.docs[AutoScalingGroups] {
		r := root(d)
		r.state("NextToken")
		for _, g := range r.objects("AutoScalingGroups") {
			im.group(d, g)
		}
	}
}

func (im *importer) group(d *doc, g node) {
	gr := Group{Name: g.str("AutoScalingGroupName"), File: d.file}
	im.noteRegion(d, g.str("AutoScalingGroupARN"))
	gr.Min, _ = g.integer("MinSize")
	gr.Max, _ = g.integer("MaxSize")
	gr.Desired, _ = g.integer("DesiredCapacity")
	gr.Zones = g.strings("AvailabilityZones")
	gr.ProtectedFromScaleIn, _ = g.boolean("NewInstancesProtectedFromScaleIn")
	g.state("AutoScalingGroupARN", "CreatedTime", "ServiceLinkedRoleARN", "Tags", "EnabledMetrics", "SuspendedProcesses", "Status", "TrafficSources")
	if mip, ok := g.object("MixedInstancesPolicy"); ok {
		if lt, ok := mip.object("LaunchTemplate"); ok {
			if spec, ok := lt.object("LaunchTemplateSpecification"); ok {
				spec.notModelled("LaunchTemplateName", "the launch template's contents are not in this output: instance types come from its overrides")
				spec.state("LaunchTemplateId", "Version")
			}
			for _, o := range lt.objects("Overrides") {
				if t := o.str("InstanceType"); t != "" {
					gr.InstanceTypes = append(gr.InstanceTypes, t)
				}
				o.notModelled("WeightedCapacity", "every instance counts as one unit of capacity")
			}
		}
		if dist, ok := mip.object("InstancesDistribution"); ok {
			gr.OnDemandBase, _ = dist.integer("OnDemandBaseCapacity")
			if p, ok := dist.integer("OnDemandPercentageAboveBaseCapacity"); ok {
				gr.OnDemandPercent = &p
			}
			gr.SpotStrategy = dist.str("SpotAllocationStrategy")
			dist.notModelled("OnDemandAllocationStrategy", "On-Demand types are taken in the overrides' order (prioritized)")
			dist.notModelled("SpotMaxPrice", "Spot is paid at the catalog's Spot price")
			dist.notModelled("SpotInstancePools", "Spot capacity is drawn from every override")
		}
	}
	instances := g.objects("Instances")
	var fromInstances []string
	for _, in := range instances {
		if t := in.str("InstanceType"); t != "" && !slices.Contains(fromInstances, t) {
			fromInstances = append(fromInstances, t)
		}
		in.markAll()
	}
	if len(instances) > 0 {
		ins, _ := g.get("Instances")
		ins.d.notes = append(ins.d.notes, Unmapped{File: d.file, Line: ins.v.line, Path: ins.path,
			Reason: fmt.Sprintf("%d running instances: the group starts with DesiredCapacity instances of its types", len(instances)), State: true})
	}
	lt, hasLT := g.object("LaunchTemplate")
	lc := g.str("LaunchConfigurationName")
	if hasLT {
		lt.markAll()
	}
	if len(gr.InstanceTypes) == 0 {
		template := "its launch template"
		if hasLT {
			template = fmt.Sprintf("launch template %s (version %s)", lt.str("LaunchTemplateName"), lt.str("Version"))
		} else if lc != "" {
			template = "launch configuration " + lc
		}
		if len(fromInstances) > 0 {
			gr.InstanceTypes = fromInstances
			im.warn(d, g, fmt.Sprintf("the instance type is in %s, which this output does not show: assumed %s, the type its running instances have", template, strings.Join(fromInstances, ", ")))
		} else {
			gr.InstanceTypes = []string{defaultInstanceType}
			im.warn(d, g, fmt.Sprintf("the instance type is in %s, which this output does not show, and no instance runs: assumed %s", template, defaultInstanceType))
		}
	}
	g.notModelled("DefaultCooldown", "capacity provider managed scaling, not the group's simple scaling, moves the group")
	g.notModelled("DefaultInstanceWarmup", "set managed_scaling instance_warmup_period on its capacity provider instead")
	g.notModelled("HealthCheckType", "an instance is healthy until a fault or Spot interruption stops it")
	g.notModelled("HealthCheckGracePeriod", "an instance is healthy until a fault or Spot interruption stops it")
	g.notModelled("LoadBalancerNames", "instances are not registered with load balancers; services' target groups are")
	g.notModelled("TargetGroupARNs", "instances are not registered with load balancers; services' target groups are")
	g.notModelled("VPCZoneIdentifier", "subnets are not modelled: AvailabilityZones places the instances")
	g.notModelled("TerminationPolicies", "scale-in takes instances without tasks first, then the newest (ECS managed termination)")
	g.notModelled("CapacityRebalance", "Spot interruptions come at the scenario's rate, without rebalance recommendations")
	g.notModelled("MaxInstanceLifetime", "instances are not replaced for age")
	im.sc.Groups = append(im.sc.Groups, gr)
}

// groupPolicies reads EC2 Auto Scaling describe-policies: not imported.
func (im *importer) groupPolicies() {
	for _, d := range im.docs[GroupPolicies] {
		r := root(d)
		r.state("NextToken")
		for _, p := range r.objects("ScalingPolicies") {
			p.whole("an EC2 Auto Scaling policy on group "+p.str("AutoScalingGroupName")+": in fleetsim a capacity provider's managed scaling moves the group", false)
		}
	}
}

// asgNameFromARN is the group name at the end of an Auto Scaling group ARN.
func asgNameFromARN(arn string) string {
	if _, name, ok := strings.Cut(arn, ":autoScalingGroupName/"); ok {
		return name
	}
	return arn
}

// providers reads describe-capacity-providers.
func (im *importer) providers() {
	for _, d := range im.docs[CapacityProviders] {
		r := root(d)
		r.state("nextToken", "failures")
		for _, c := range r.objects("capacityProviders") {
			name := c.str("name")
			c.state("capacityProviderArn", "status", "tags", "updateStatus", "updateStatusReason")
			if name == "FARGATE" || name == "FARGATE_SPOT" {
				continue // fleetsim's own, without declaring
			}
			p := Provider{Name: name}
			asg, ok := c.object("autoScalingGroupProvider")
			if !ok {
				c.whole("capacity provider "+name+" has no Auto Scaling group: fleetsim models ASG providers and FARGATE, FARGATE_SPOT", false)
				continue
			}
			p.Group = asgNameFromARN(asg.str("autoScalingGroupArn"))
			p.ManagedTerminationProtection = asg.str("managedTerminationProtection")
			p.ManagedDraining = asg.str("managedDraining")
			if ms, ok := asg.object("managedScaling"); ok {
				m := &ManagedScaling{Status: ms.str("status")}
				m.TargetCapacity = optInt(ms, "targetCapacity")
				m.MinStep = optInt(ms, "minimumScalingStepSize")
				m.MaxStep = optInt(ms, "maximumScalingStepSize")
				m.Warmup = optInt(ms, "instanceWarmupPeriod")
				p.Managed = m
			}
			im.ensureGroup(d, asg, p.Group)
			im.sc.Providers = append(im.sc.Providers, p)
		}
	}
}

func optInt(n node, key string) *int {
	if v, ok := n.integer(key); ok {
		return &v
	}
	return nil
}

// ensureGroup adds a placeholder for a group a capacity provider names that
// no describe-auto-scaling-groups output described.
func (im *importer) ensureGroup(d *doc, at node, name string) {
	if slices.ContainsFunc(im.sc.Groups, func(g Group) bool { return g.Name == name }) {
		return
	}
	im.sc.Groups = append(im.sc.Groups, Group{Name: name, InstanceTypes: []string{defaultInstanceType}, Min: 0, Max: 10, Desired: 1, Placeholder: true, File: d.file})
	im.warn(d, at, fmt.Sprintf("Auto Scaling group %s is not in the input (add aws autoscaling describe-auto-scaling-groups): assumed %s, min 0, max 10, desired 1", name, defaultInstanceType))
}

// containerInstances reads describe-container-instances: the instances are
// the groups' existing fleet, so they are state; with no group described
// they make one.
func (im *importer) containerInstances() {
	var types []string
	count := 0
	var first *doc
	var firstNode node
	for _, d := range im.docs[ContainerInstances] {
		r := root(d)
		r.state("failures", "nextToken")
		for _, ci := range r.objects("containerInstances") {
			if first == nil {
				first, firstNode = d, ci
			}
			count++
			for _, a := range ci.objects("attributes") {
				if a.str("name") == "ecs.instance-type" {
					if t := a.str("value"); t != "" && !slices.Contains(types, t) {
						types = append(types, t)
					}
				}
			}
			ci.markAll()
			ci.d.notes = append(ci.d.notes, Unmapped{File: d.file, Line: ci.v.line, Path: ci.path,
				Reason: "a running container instance (" + ci.str("ec2InstanceId") + "): the groups' DesiredCapacity starts the fleet", State: true})
		}
	}
	if count == 0 || len(im.sc.Groups) > 0 {
		return
	}
	if len(types) == 0 {
		types = []string{defaultInstanceType}
		im.warn(first, firstNode, fmt.Sprintf("no Auto Scaling group in the input and the container instances carry no ecs.instance-type attribute: a group \"imported-instances\" of %d %s is assumed", count, defaultInstanceType))
	} else {
		im.warn(first, firstNode, fmt.Sprintf("no Auto Scaling group in the input: a fixed group \"imported-instances\" of the %d container instances (%s) is assumed", count, strings.Join(types, ", ")))
	}
	im.sc.Groups = append(im.sc.Groups, Group{Name: "imported-instances", InstanceTypes: types, Min: count, Max: count, Desired: count, File: first.file})
}

// taskDefinitions reads describe-task-definition outputs (or register
// inputs): each is written verbatim as taskdefs/FAMILY-REVISION.json, which
// the scenario's task-definition reader reads (and warns about what it does
// not model).
func (im *importer) taskDefinitions() {
	for _, d := range im.docs[TaskDefinition] {
		r := root(d)
		td := r
		if inner, ok := r.object("taskDefinition"); ok {
			td = inner
			r.state("tags")
		}
		td.markAll() // the task-definition reader reads it, and warns for itself
		t := TaskDef{Family: td.str("family")}
		t.Revision, _ = td.integer("revision")
		t.CPU = intString(td, "cpu")
		t.Memory = intString(td, "memory")
		if cs, ok := td.v.obj["containerDefinitions"]; ok && cs.kind == kArray {
			for _, c := range cs.arr {
				if c.kind == kObject {
					cn := node{d: d, v: c}
					t.ContainerCPU += intString(cn, "cpu")
					t.ContainerMemory += cmp0(intString(cn, "memory"), intString(cn, "memoryReservation"))
				}
			}
		}
		if t.Family == "" {
			d.probs = append(d.probs, Problem{File: d.file, Line: td.v.line, Key: td.child("family"), Want: "a task definition family", Got: "none"})
			continue
		}
		if slices.ContainsFunc(im.sc.TaskDefs, func(o TaskDef) bool { return o.Family == t.Family }) {
			td.whole(fmt.Sprintf("a second revision of family %s: the scenario holds one per family, the first by file name", t.Family), false)
			continue
		}
		name := t.Family
		if t.Revision > 0 {
			name = fmt.Sprintf("%s-%d", t.Family, t.Revision)
		}
		t.File = path.Join("taskdefs", safeFileName(name)+".json")
		t.JSON = d.raw
		im.files[t.File] = d.raw
		im.sc.TaskDefs = append(im.sc.TaskDefs, t)
	}
}

// intString is a task definition's cpu or memory: AWS writes them as strings
// ("256"; register input also takes "1 vCPU" and "2 GB") or numbers.
func intString(n node, key string) int {
	c, ok := n.v.obj[key]
	if !ok || n.v.kind != kObject {
		return 0
	}
	var s string
	switch c.kind {
	case kString:
		s = c.str
	case kNumber:
		s = c.num.String()
	}
	var f float64
	if _, err := fmt.Sscanf(s, "%g", &f); err != nil || f < 0 || f > 1e7 {
		return 0
	}
	if l := strings.ToLower(s); strings.Contains(l, "vcpu") || strings.Contains(l, "gb") {
		f *= 1024
	}
	return int(f)
}

// safeFileName keeps letters, digits, - and _ (a family may hold only those).
func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// taskDefRef is the family and revision of a task definition ARN or
// family:revision.
func taskDefRef(s string) (family string, revision string) {
	if _, after, ok := strings.Cut(s, ":task-definition/"); ok {
		s = after
	}
	family, revision, _ = strings.Cut(s, ":")
	return family, revision
}
